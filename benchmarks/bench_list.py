"""Lists: 300 services.list() of 1,000 realistic items each, the SDK versus bare clients.

The server (benchmarks/_server.py) runs in its own process on 127.0.0.1 and answers GET
/services with all 1,000 rows. Calls are made one at a time. The baseline does on a bare
aiohttp session what list() does: the same request, a 2xx check, orjson, and Services built
by hand (_payload.services_from_json, the same checks as in bench_decode.py).
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
from _payload import check_services, services_from_json
from _results import Report
from _server import serving

ITEMS = 1_000
BASE = "aiohttp + orjson + hand-written attrs"
DICTS = "aiohttp + orjson to dicts"
HTTPX = "httpx + orjson + hand-written attrs"
SDK = "SDK services.list()"

One = Callable[[], Awaitable[Any]]


async def repeat(calls: int, one: One) -> None:
    """Make `calls` calls, one at a time."""
    for _ in range(calls):
        await one()


async def measure(
    base: str, calls: int, rounds: int, inner: int, profiling: bool
) -> dict[str, dict[str, list[float]]]:
    """Time every contender (or print a profile of the SDK and stop)."""
    headers = raw_headers()
    url = f"{base}/services"
    async with (
        client(base) as sdk,
        aiohttp.ClientSession() as session,
        httpx_client(1) as hx,
    ):
        await raw_token(session, base)

        async def by_hand() -> Any:
            return services_from_json(await aiohttp_json(session, url, headers))

        async def dicts() -> Any:
            return await aiohttp_json(session, url, headers)

        async def peer() -> Any:
            return services_from_json(await httpx_json(hx, url, headers))

        sides: dict[str, One] = {BASE: by_hand, DICTS: dicts, HTTPX: peer, SDK: sdk.services.list}
        for name, one in sides.items():
            got = await one()
            if name != DICTS:
                check_services(got, ITEMS)
            elif len(got) != ITEMS:
                raise AssertionError(name)
        if profiling:
            await profile(partial(repeat, calls, sdk.services.list))
            return {}
        return await timed_async(
            {name: partial(repeat, calls // inner, one) for name, one in sides.items()},
            rounds,
            inner=inner,
        )


def main() -> None:
    """Run the benchmark and emit its result."""
    args = parse_args(__doc__.splitlines()[0], profile=True)
    calls, rounds, inner = (20, 3, 1) if args.quick else (300, 7, 10)
    with serving(ITEMS) as base:
        samples = asyncio.run(measure(base, calls, rounds, inner, args.profile))
    if args.profile:
        return
    report = Report(
        "list",
        f"Lists: {calls:,} services.list() of {ITEMS:,} items (bench_list.py)",
        f"{calls:,} GET /services per round and contender, one at a time, each answered with "
        f"{ITEMS:,} realistic rows (server in its own process on 127.0.0.1), in {inner} "
        "interleaved chunks per round. CPU is the client process's time.process_time; ratios "
        "are judged on it.",
        rounds=rounds,
        full_rounds=7,
        quick=args.quick,
    )
    rows = report.section("services.list()", "ms per call", 1000 / calls)
    report.add(rows, samples, BASE)
    report.add(rows, samples, DICTS, vs=BASE)
    report.add(rows, samples, HTTPX, vs=BASE)
    report.add(
        rows,
        samples,
        SDK,
        vs=BASE,
        target=("≤", 1.10),
        goal=f"{calls:,} list() of {ITEMS:,} items, client CPU",
    )
    report.emit(args.json)


if __name__ == "__main__":
    main()
