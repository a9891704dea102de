"""Streaming: services.iterate over 200,000 services in pages of 1,000, throughput and memory.

The server runs in its own process on 127.0.0.1 with the fake flinkey server's API-key, token
and Customer-ID checks; its GET /services answers ``$orderby=id&$top&$skip`` from bodies it
encodes once and caches, so the figures are the client's. The baseline fetches the same pages
(same URLs, headers and stop rule) on a bare aiohttp session, decodes each body with the same
JSON decoder and drops it. Memory is measured for each contender in a fresh process: the
tracemalloc peak during one full walk, and how far ru_maxrss rises over another above the
resident size before it.
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing
import resource
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, median_ms, parse_args, raw_headers, table

from flinkey_async import FlinkeyClient, Query, Service
from flinkey_async._convert import structure_list
from flinkey_async._errors import decode_json, loads
from flinkey_async.testing import API_KEY, PASSWORD, USERNAME, FakeFlinkey

PAGE = 1_000
FIRST_ID = 100_000
CUSTOMER = 1
TARGET_MB = 30
MB = 1024 * 1024


class _StreamServer(FakeFlinkey):
    """The fake server's access checks, with a GET /services that pages from cached bodies."""

    def __init__(self, items: int) -> None:
        super().__init__()
        data = self.store.customer(CUSTOMER)
        data.services.clear()
        data.add_many_services(items, start_id=FIRST_ID)
        self._rows = list(data.services.values())  # already in id order
        self._bodies: dict[tuple[int, int | None], bytes] = {}

    def _make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/oauth2/token", self._token)
        app.router.add_get("/v3/services", self._pages)
        return app

    async def _pages(self, request: web.Request) -> web.Response:
        customer_id = self._authorize(request)
        if isinstance(customer_id, web.Response):
            return customer_id
        query = request.query
        if set(query) - {"$orderby", "$top", "$skip"} or query.get("$orderby", "id") != "id":
            raise web.HTTPNotImplemented(text=f"the stream server does not answer {query}")
        skip = int(query.get("$skip", 0))
        top = int(query["$top"]) if "$top" in query else None
        body = self._bodies.get((skip, top))
        if body is None:
            rows = self._rows[skip:] if top is None else self._rows[skip : skip + top]
            body = self._bodies[skip, top] = json.dumps(rows).encode()
        return web.Response(body=body, content_type="application/json")


def _serve(ready: Any, items: int) -> None:
    """Child-process entry: serve the stream server until killed."""

    async def main() -> None:
        server = _StreamServer(items)
        ready.put(str(await server.start()))
        await asyncio.Event().wait()

    asyncio.run(main())


Contender = Callable[[], Awaitable[int]]


async def _contenders(
    client: FlinkeyClient, session: aiohttp.ClientSession, base: str
) -> dict[str, Contender]:
    """The ways of walking every service; each returns the number of items it saw."""
    headers = await raw_headers(session, base, CUSTOMER)

    async def hand_paged(decode: Callable[[bytes], list[Any]]) -> int:
        seen, skip = 0, 0
        while True:
            url = URL(f"{base}/services?$orderby=id&$top={PAGE}&$skip={skip}", encoded=True)
            async with session.get(url, headers=headers) as resp:
                body = await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}")
            count = len(decode(body))
            seen, skip = seen + count, skip + count
            if count < PAGE:
                return seen

    async def raw() -> int:
        return await hand_paged(decode_json)

    async def by_hand() -> int:
        return await hand_paged(lambda body: structure_list(decode_json(body), Service))

    async def items() -> int:
        seen = 0
        async for _service in client.services.iterate(page_size=PAGE):
            seen += 1
        return seen

    async def pages() -> int:
        seen = 0
        async for page in client.services.iterate(page_size=PAGE).pages():
            seen += len(page)
        return seen

    async def list_all() -> int:
        return len(await client.services.list())

    return {
        "bare aiohttp + decode_json, pages dropped": raw,
        "bare aiohttp + decode_json + structure_list, hand-paged": by_hand,
        "flinkey_async iterate(), item by item": items,
        "flinkey_async iterate().pages()": pages,
        "flinkey_async list() of all in one response": list_all,
    }


STREAMING = (
    "bare aiohttp + decode_json, pages dropped",
    "bare aiohttp + decode_json + structure_list, hand-paged",
    "flinkey_async iterate(), item by item",
    "flinkey_async iterate().pages()",
)
CONTRAST = "flinkey_async list() of all in one response"


def _client(base: str) -> FlinkeyClient:
    return FlinkeyClient(
        api_key=API_KEY, username=USERNAME, password=PASSWORD, customer_id=CUSTOMER, base_url=base
    )


async def _throughput(base: str, items: int, repeats: int) -> dict[str, list[float]]:
    async with _client(base) as client, aiohttp.ClientSession() as session:
        contenders = await _contenders(client, session, base)
        for name in STREAMING:  # warm up: connections, token, the server's body cache
            assert await contenders[name]() == items, name
        times: dict[str, list[float]] = {name: [] for name in STREAMING}
        for round_ in range(repeats):
            shift = round_ % len(STREAMING)
            for name in STREAMING[shift:] + STREAMING[:shift]:
                started = time.perf_counter()
                await contenders[name]()
                times[name].append(time.perf_counter() - started)
        return times


def _maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def _rss() -> int:
    """The resident set size now (ru_maxrss is a high-water mark, often set by the imports)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return _maxrss()
    return pages * resource.getpagesize()


def _memory(base: str, name: str, items: int) -> dict[str, float]:
    """Fresh-process entry: ru_maxrss growth over one walk, then the tracemalloc peak of one."""

    async def measure() -> dict[str, float]:
        async with _client(base) as client, aiohttp.ClientSession() as session:
            contenders = await _contenders(client, session, base)
            await client.services.list(Query().top(1))  # token and connection, not measured
            gc.collect()
            before = _rss()
            assert await contenders[name]() == items, name
            growth = max(0, _maxrss() - before)
            gc.collect()
            tracemalloc.start()
            start, _ = tracemalloc.get_traced_memory()
            assert await contenders[name]() == items, name
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        return {"rss_growth_mb": growth / MB, "tracemalloc_peak_mb": (peak - start) / MB}

    return asyncio.run(measure())


def main() -> None:
    """Run the benchmark and print its result."""
    args = parse_args(__doc__.splitlines()[0])
    items, repeats = (50_000, 3) if args.quick else (200_000, 5)
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    server = context.Process(target=_serve, args=(ready, items), daemon=True)
    server.start()
    try:
        base = ready.get(timeout=60)
        times = asyncio.run(_throughput(base, items, repeats))
        memory = {}
        for name in (*STREAMING, CONTRAST):
            with ProcessPoolExecutor(1, mp_context=context) as pool:
                memory[name] = pool.submit(_memory, base, name, items).result()
    finally:
        server.terminate()
        server.join(10)
    medians = {name: median_ms(samples) for name, samples in times.items()}
    raw_name, hand_name = STREAMING[:2]
    raw_ms, hand_ms = medians[raw_name], medians[hand_name]
    rate_rows = [
        [
            name,
            f"{ms:,.0f}",
            f"{items / ms * 1000:,.0f}",
            f"{ms / raw_ms:.2f}x",
            f"{ms / hand_ms:.2f}x",
        ]
        for name, ms in medians.items()
    ]
    raw_mem = memory[raw_name]
    memory_rows = [
        [
            name,
            f"{m['tracemalloc_peak_mb']:.1f}",
            f"{m['rss_growth_mb']:.1f}",
            f"{m['tracemalloc_peak_mb'] - raw_mem['tracemalloc_peak_mb']:+.1f}",
        ]
        for name, m in memory.items()
    ]
    sdk_names = STREAMING[2:]
    worst = max(
        max(memory[name]["tracemalloc_peak_mb"], memory[name]["rss_growth_mb"])
        for name in sdk_names
    )
    loader = "orjson" if loads is not json.loads else "json"
    markdown = "\n".join(
        [
            f"{items:,} services in pages of {PAGE:,} ({items // PAGE + 1} requests, the last "
            f"one empty), one request at a time; {repeats} interleaved repeats, medians (server "
            f"in its own process on 127.0.0.1; JSON decoder: {loader}).",
            "",
            table(["walk", "median ms", "items/s", "vs aiohttp", "vs hand-paged"], rate_rows),
            "",
            "The hand-paged row does what iterate() does per page (decode and structure into "
            "Service) without the Pager: the difference is the cost of paging itself. The "
            "pages() loop keeps the previous page referenced while the next one is structured, "
            "so the garbage collector scans more live objects (`del page` at the end of the "
            "loop body avoids that; the item loop does it internally).",
            "",
            "Memory of the client process, each contender in a fresh process: tracemalloc "
            "peak during one full walk, and how far ru_maxrss rose above the resident size "
            "before another (list() is shown for contrast, not streamed).",
            "",
            table(
                ["walk", "tracemalloc peak MB", "ru_maxrss growth MB", "peak vs aiohttp MB"],
                memory_rows,
            ),
            "",
            f"Largest memory growth of iterate(): {worst:.1f} MB; target < {TARGET_MB} MB: "
            f"{'met' if worst < TARGET_MB else 'NOT met'}.",
        ]
    )
    figures: dict[str, Any] = {
        "items": items,
        "items_per_s": {name: items / ms * 1000 for name, ms in medians.items()},
        "ratio_vs_raw": {name: ms / raw_ms for name, ms in medians.items()},
        "ratio_vs_hand_paged": {name: ms / hand_ms for name, ms in medians.items()},
        "memory_mb": memory,
    }
    emit(
        {
            "name": "stream",
            "title": "Streaming (bench_stream.py)",
            "markdown": markdown,
            "figures": figures,
        },
        args.json,
    )


if __name__ == "__main__":
    main()
