"""HTTP overhead: 20,000 services.get at concurrency 64, the SDK versus bare aiohttp and httpx.

The server (benchmarks/_server.py) runs in its own process on 127.0.0.1; the figures are the
client process's CPU time (time.process_time) and wall time per round of all calls. Every
contender sends the same requests (same URL and headers, a token fetched once), checks for
2xx and decodes the body with orjson; the SDK also validates the id, builds the URL, checks
its token and deadline and structures a Service. A variant of the SDK without its Watchdog
(benchmarks/_variants.py) is timed in the same rounds (issue 11, item 3), and so is the SDK with
OpenTelemetry switched on but nothing configured (issue 12: what the instrumentation costs; off,
the client runs the plain engine with no trace config, the SDK row itself). The per-token
header cache had a row here too; within the noise in every run, it was deleted from the SDK.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiohttp
from _common import (
    aiohttp_json,
    client,
    httpx_client,
    httpx_json,
    parse_args,
    profile,
    raw_headers,
    raw_token,
    timed_async,
)
from _payload import FIRST_ID, row, service_from_row
from _results import Report
from _server import serving
from _variants import without_watchdog

SERVICES = 1_000
CONCURRENCY = 64
RAW = "aiohttp + orjson to dicts"
SDK = "SDK services.get"
NO_WATCHDOG = "SDK, asyncio.timeout_at per call (no Watchdog)"
RAW_ATTRS = "aiohttp + orjson + hand-written attrs"
OTEL = "SDK, opentelemetry=True, no provider configured (no-op spans and metrics)"
HTTPX = "httpx + orjson to dicts"
HTTPX_SHARE = 20  # httpx makes 1/20 of the calls per round: it is far slower at concurrency 64

One = Callable[[int], Awaitable[Any]]


async def drive(calls: int, one: One) -> None:
    """Make `calls` calls with CONCURRENCY workers, cycling over the server's ids."""
    ids = iter([FIRST_ID + i % SERVICES for i in range(calls)])

    async def worker() -> None:
        for service_id in ids:
            await one(service_id)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def measure(
    base: str, calls: int, rounds: int, inner: int, profiling: bool
) -> dict[str, dict[str, list[float]]]:
    """Time every contender; return the samples (or print a profile of the SDK and stop)."""
    headers = raw_headers()
    async with (
        client(base) as sdk,
        client(base) as sdk_no_watchdog,
        client(base, opentelemetry=True) as sdk_otel,
        aiohttp.ClientSession() as session,
        httpx_client(CONCURRENCY) as hx,
    ):
        watchdog_uses = without_watchdog(sdk_no_watchdog)
        await raw_token(session, base)

        async def raw(service_id: int) -> Any:
            return await aiohttp_json(session, f"{base}/services/{service_id}", headers)

        async def raw_attrs(service_id: int) -> Any:
            return service_from_row(await raw(service_id))

        async def peer(service_id: int) -> Any:
            return await httpx_json(hx, f"{base}/services/{service_id}", headers)

        sides: dict[str, One] = {
            RAW: raw,
            RAW_ATTRS: raw_attrs,
            HTTPX: peer,
            SDK: sdk.services.get,
            NO_WATCHDOG: sdk_no_watchdog.services.get,
            OTEL: sdk_otel.services.get,
        }
        counts = {name: calls // HTTPX_SHARE if name == HTTPX else calls for name in sides}
        expected = service_from_row(row(FIRST_ID + 7))
        for name, one in sides.items():  # the same answer from each, then warm up
            got = await one(FIRST_ID + 7)
            if (service_from_row(got) if isinstance(got, dict) else got) != expected:
                raise AssertionError(f"{name}: {got!r}")
            await drive(min(counts[name], 2_000), one)
        if not watchdog_uses.count:
            raise AssertionError("the variant's patch was not used")
        if profiling:
            await profile(partial(drive, calls, sdk.services.get))
            return {}
        samples = await timed_async(
            {name: partial(drive, counts[name] // inner, one) for name, one in sides.items()},
            rounds,
            inner=inner,
            warmup=0,
        )
        return {  # per call: httpx makes fewer calls per round
            name: {clock: [t / counts[name] for t in ts] for clock, ts in clocks.items()}
            for name, clocks in samples.items()
        }


def main() -> None:
    """Run the benchmark and emit its result."""
    args = parse_args(__doc__.splitlines()[0], profile=True)
    calls, rounds, inner = (500, 3, 1) if args.quick else (20_000, 7, 10)
    with serving(SERVICES) as base:
        samples = asyncio.run(measure(base, calls, rounds, inner, args.profile))
    if args.profile:
        return
    report = Report(
        "http",
        f"HTTP overhead: {calls:,} services.get at concurrency {CONCURRENCY} (bench_http.py)",
        f"{calls:,} GET /services/{{id}} per round and contender at concurrency {CONCURRENCY} over "
        f"{SERVICES:,} realistic rows (server in its own process on 127.0.0.1), in {inner} "
        "interleaved chunks per round. CPU is the client process's time.process_time; ratios "
        "are judged on it.",
        rounds=rounds,
        full_rounds=7,
        quick=args.quick,
    )
    rows = report.section("services.get", "µs per call", 1e6)
    report.add(rows, samples, RAW)
    for name in (RAW_ATTRS, HTTPX):
        report.add(rows, samples, name, vs=RAW)
    report.add(
        rows,
        samples,
        SDK,
        vs=RAW,
        target=("≤", 1.05),
        goal=f"{calls:,} get at concurrency {CONCURRENCY}, client CPU",
    )
    rows = report.section(
        "Home-made primitive (a): the deadline Watchdog",
        "µs per call",
        1e6,
        "With it (the SDK as shipped) versus without it, same rounds.",
    )
    report.add(rows, samples, NO_WATCHDOG)
    report.add(
        rows, samples, SDK, vs=NO_WATCHDOG, primitive="Watchdog vs asyncio.timeout_at per call"
    )
    rows = report.section(
        "OpenTelemetry switched on (issue 12)",
        "µs per call",
        1e6,
        "The SDK as shipped (OpenTelemetry off: the plain engine, no aiohttp trace config) "
        "versus the same client with opentelemetry=True and no tracer or meter provider set, "
        "so opentelemetry-api hands out no-op spans and instruments; same rounds.",
    )
    report.add(rows, samples, SDK)
    report.add(rows, samples, OTEL, vs=SDK)
    report.note(
        "Bare aiohttp uses a default ClientSession (a 5-minute total timeout per request, "
        "like the SDK's 30 s deadline per call); httpx keeps 64 connections alive (its "
        "default keeps 20, which would reconnect at concurrency 64) and, being tens of times "
        f"slower here, makes {calls // HTTPX_SHARE:,} calls per round instead of {calls:,} "
        "(figures per call). sniffio is installed (bench extra): without it httpcore retries a "
        "failing `import sniffio` on every request."
    )
    report.emit(args.json)


if __name__ == "__main__":
    main()
