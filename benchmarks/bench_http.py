"""HTTP overhead: services.get through the SDK versus the same requests on a bare aiohttp session.

The fake flinkey server runs in its own process on 127.0.0.1 (with its API-key, token and
Customer-ID checks, but without request recording or fault injection). Both sides send the
same requests (same URLs and headers) at the same concurrency and decode the same JSON; the
SDK additionally validates, builds the URL, checks its token and structures a Service.
"""

from __future__ import annotations

import asyncio
import cProfile
import multiprocessing
import pstats
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, median_ms, parse_args, raw_headers, table

from flinkey_async import FlinkeyClient
from flinkey_async._errors import decode_json
from flinkey_async.testing import API_KEY, PASSWORD, USERNAME, FakeFlinkey

SERVICES = 1_000
CONCURRENCY = 64
FIRST_ID = 100_000
CUSTOMER = 1


class _BenchServer(FakeFlinkey):
    """The fake server with its access checks, minus request recording and faults."""

    def _make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/oauth2/token", self._token)
        app.router.add_get("/v3/services/{service_id:\\d+}", self._get_service)
        return app


def _serve(ready: Any) -> None:
    """Child-process entry: serve the benchmark server until killed."""

    async def main() -> None:
        server = _BenchServer()
        server.store.customer(CUSTOMER).add_many_services(SERVICES, start_id=FIRST_ID)
        ready.put(str(await server.start()))
        await asyncio.Event().wait()

    asyncio.run(main())


async def _drive(calls: int, one: Callable[[int], Awaitable[Any]]) -> None:
    ids = iter([FIRST_ID + i % SERVICES for i in range(calls)])

    async def worker() -> None:
        for service_id in ids:
            await one(service_id)

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def _measure(base: str, calls: int, repeats: int, profile: bool) -> dict[str, list[float]]:
    async with (
        FlinkeyClient(
            api_key=API_KEY,
            username=USERNAME,
            password=PASSWORD,
            customer_id=CUSTOMER,
            base_url=base,
        ) as client,
        aiohttp.ClientSession() as session,
    ):
        headers = await raw_headers(session, base, CUSTOMER)

        async def raw(service_id: int) -> Any:
            async with session.get(f"{base}/services/{service_id}", headers=headers) as resp:
                body = await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}")
            return decode_json(body)

        sides: dict[str, Callable[[int], Awaitable[Any]]] = {
            "aiohttp": raw,
            "sdk": client.services.get,
        }
        for one in sides.values():  # warm up connections, token, caches
            await _drive(min(calls, 2_000), one)
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            await _drive(calls, client.services.get)
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        times: dict[str, list[float]] = {name: [] for name in sides}
        names = list(sides)
        for round_ in range(repeats):
            for name in names if round_ % 2 == 0 else names[::-1]:
                started = time.perf_counter()
                await _drive(calls, sides[name])
                times[name].append(time.perf_counter() - started)
        return times


def main() -> None:
    """Run the benchmark and print its result."""
    args = parse_args(__doc__.splitlines()[0], profile=True)
    profile = args.profile
    calls, repeats = (4_000, 3) if args.quick else (20_000, 5)
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    server = context.Process(target=_serve, args=(ready,), daemon=True)
    server.start()
    try:
        base = ready.get(timeout=30)
        times = asyncio.run(_measure(base, calls, repeats, profile))
    finally:
        server.terminate()
        server.join(10)
    raw_ms, sdk_ms = median_ms(times["aiohttp"]), median_ms(times["sdk"])
    ratio = sdk_ms / raw_ms
    rows = [
        ["bare aiohttp.ClientSession", f"{raw_ms:,.0f}", f"{calls / raw_ms * 1000:,.0f}", "1.00x"],
        [
            "flinkey_async services.get",
            f"{sdk_ms:,.0f}",
            f"{calls / sdk_ms * 1000:,.0f}",
            f"{ratio:.2f}x",
        ],
    ]
    per_call_us = (sdk_ms - raw_ms) / calls * 1000
    markdown = "\n".join(
        [
            f"{calls:,} GET /services/{{id}} at concurrency {CONCURRENCY}, {repeats} interleaved "
            "repeats, medians (server in its own process on 127.0.0.1).",
            "",
            table(["client", "median ms", "requests/s", "ratio"], rows),
            "",
            f"SDK overhead: {per_call_us:+.1f} µs per call; target ratio <= 1.10x: "
            f"{'met' if ratio <= 1.10 else 'NOT met'}.",
        ]
    )
    emit(
        {
            "name": "http",
            "title": "HTTP overhead (bench_http.py)",
            "markdown": markdown,
            "figures": {"raw_ms": raw_ms, "sdk_ms": sdk_ms, "ratio": ratio, "calls": calls},
        },
        args.json,
    )


if __name__ == "__main__":
    main()
