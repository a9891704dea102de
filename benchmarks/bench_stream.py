"""Streaming: services.iterate() over 200,000 realistic services; page sizes; memory.

The server (benchmarks/_server.py) runs in its own process on 127.0.0.1 and answers
``$orderby=id&$top&$skip`` pages. The baseline walks the same pages as the SDK's default
page size on a bare aiohttp session (same URLs and headers, 2xx check, orjson, Services built
by hand, a short page ends the walk) and visits every item; the SDK rows visit every item of
``async for service in client.services.iterate(...)``. Memory is measured for each
contender in a fresh process: the growth of the resident size's high-water mark (VmHWM,
reset just before) over one walk, then the tracemalloc peak of another.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import tracemalloc
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import aiohttp
from _common import aiohttp_json, client, parse_args, raw_headers, raw_token, timed_async
from _payload import services_from_json
from _results import Report, num
from _server import serving
from yarl import URL

from flinkey_async import FlinkeyClient

PAGE_SIZES = (100, 500, 1_000, 5_000)
TARGET_MB = 30
MB = 1024 * 1024
BASE = "hand-paged aiohttp + orjson + hand-written attrs, page_size="
Walk = Callable[[], Awaitable[int]]


def sdk_name(size: int, default: int) -> str:
    """The row name of the SDK walk at a page size (the default is marked)."""
    return f"SDK iterate(){' default,' if size == default else ''} page_size={size}"


def page_size(name: str) -> int:
    """The page size of a walk's row name (the baseline uses the SDK's default)."""
    return int(name.rsplit("=", 1)[1]) if "=" in name else 0


def walks(sdk: FlinkeyClient, session: aiohttp.ClientSession, base: str) -> dict[str, Walk]:
    """The ways of visiting every service; each returns how many it saw."""
    headers = raw_headers()
    default = sdk.services.iterate().page_size

    async def by_hand() -> int:
        seen = skip = 0
        while True:
            url = URL(f"{base}/services?$orderby=id&$top={default}&$skip={skip}", encoded=True)
            page = services_from_json(await aiohttp_json(session, url, headers))
            for _service in page:
                seen += 1
            skip += len(page)
            if len(page) < default:
                return seen

    def sdk_walk(page_size: int) -> Walk:
        async def walk() -> int:
            seen = 0
            async for _service in sdk.services.iterate(page_size=page_size):
                seen += 1
            return seen

        return walk

    sizes = sorted({default, *PAGE_SIZES})
    base_name = f"{BASE}{default}"
    return {base_name: by_hand, **{sdk_name(size, default): sdk_walk(size) for size in sizes}}


async def throughput(base: str, items: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    async with client(base) as sdk, aiohttp.ClientSession() as session:
        await raw_token(session, base)
        contenders = walks(sdk, session, base)
        for name, walk in contenders.items():  # every walk sees every item
            if await walk() != items:
                raise AssertionError(name)
        return await timed_async(contenders, rounds, warmup=0)


def _status(key: str) -> int:
    """A size from /proc/self/status (Linux), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(key)


def _reset_peak() -> None:
    """Reset the resident-size high-water mark (VmHWM) to the current size (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def memory(base: str, name: str, items: int) -> dict[str, float]:
    """Fresh-process entry: peak RSS growth over one walk, then the tracemalloc peak of one."""

    async def measure() -> dict[str, float]:
        async with client(base) as sdk, aiohttp.ClientSession() as session:
            await raw_token(session, base)
            walk = walks(sdk, session, base)[name]
            await sdk.services.get(100_000)  # token and connection, not measured
            gc.collect()
            _reset_peak()
            before = _status("VmRSS")
            if await walk() != items:
                raise AssertionError(name)
            growth = max(0, _status("VmHWM") - before)
            gc.collect()
            tracemalloc.start()
            start, _ = tracemalloc.get_traced_memory()
            await walk()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return {"rss_growth_mb": growth / MB, "tracemalloc_peak_mb": (peak - start) / MB}

    return asyncio.run(measure())


def main() -> None:
    """Run the benchmark and emit its result."""
    args = parse_args(__doc__.splitlines()[0])
    items, rounds = (10_000, 3) if args.quick else (200_000, 7)
    context = multiprocessing.get_context("spawn")
    with serving(items) as base:
        samples = asyncio.run(throughput(base, items, rounds))
        mem = {}
        for name in list(samples)[1:2] if args.quick else samples:  # quick: the default only
            with ProcessPoolExecutor(1, mp_context=context) as pool:
                mem[name] = pool.submit(memory, base, name, items).result()
    base_name = next(name for name in samples if name.startswith(BASE))
    default_name = next(name for name in samples if "default" in name)
    default = page_size(default_name)
    report = Report(
        "stream",
        f"Streaming: iterate() over {items:,} services (bench_stream.py)",
        f"{items:,} realistic services walked page by page, one request at a time (server in "
        "its own process on 127.0.0.1). CPU is the client process's time.process_time; "
        "ratios are judged on it.",
        rounds=rounds,
        full_rounds=7,
        quick=args.quick,
    )
    rows = report.section("iterate(), default page size", "ms per walk", 1000)
    report.add(rows, samples, base_name)
    report.add(
        rows,
        samples,
        default_name,
        vs=base_name,
        target=("≤", 1.15),
        goal=f"iterate() {items:,} items, default page size ({default})",
    )
    growth = max(mem[default_name].values())
    report.check(
        f"iterate() {items:,} items, memory growth",
        "(absolute)",
        f"{growth:.1f} MB (the larger of peak RSS growth and tracemalloc peak)",
        f"< {TARGET_MB} MB",
        growth < TARGET_MB,
    )
    rows = report.section(
        "Page size (for the default, issue 11 item 4)",
        "ms per walk",
        1000,
        f"The SDK at each page size, ratio to its default ({default}).",
    )
    report.add(rows, samples, default_name)
    for name in samples:
        if name not in (base_name, default_name):
            report.add(rows, samples, name, vs=default_name)
    report.table(
        "Memory of the client process (each walk in a fresh process)",
        ["walk", "requests per walk", "peak RSS growth MB", "tracemalloc peak MB"],
        [
            [
                name,
                f"{items // page_size(name) + 1:,}",
                num(m["rss_growth_mb"]),
                num(m["tracemalloc_peak_mb"]),
            ]
            for name, m in mem.items()
        ],
        "Peak RSS growth: how far the resident size's high-water mark (VmHWM, reset just "
        "before) rose during one walk above the resident size before it. tracemalloc peak: "
        "the largest Python allocation total during another walk, above its start.",
    )
    report.emit(args.json)


if __name__ == "__main__":
    main()
