"""Helpers shared by the benchmarks: options, clients, interleaved timing (not part of the SDK).

Every contender is timed per round with both clocks of this process: ``time.process_time``
(CPU time of the client process; the server always runs in another process) and
``time.perf_counter`` (wall time). Rounds are interleaved: each round runs every contender
once, in an order rotated from round to round, after a ``gc.collect()`` that is not timed.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import aiohttp
import httpx
import orjson

HERE: Final = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _server import API_KEY, CUSTOMER, PASSWORD, TOKEN, USERNAME  # noqa: E402

from flinkey_async import FlinkeyClient, __version__  # noqa: E402

USER_AGENT: Final = f"flinkey-async/{__version__}"  # what the SDK sends
Samples = dict[str, list[float]]  # clock ("cpu", "wall") -> seconds per round


def parse_args(description: str, *, profile: bool = False) -> argparse.Namespace:
    """Parse the options every benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    if profile:
        parser.add_argument("--profile", action="store_true", help="cProfile the SDK side")
    parser.add_argument("--quick", action="store_true", help="fewer items and rounds (smoke)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    return parser.parse_args()


def client(base: str, *, opentelemetry: bool = False) -> FlinkeyClient:
    """A FlinkeyClient on the benchmark server, with every default (OpenTelemetry as asked)."""
    return FlinkeyClient(
        api_key=API_KEY,
        username=USERNAME,
        password=PASSWORD,
        customer_id=CUSTOMER,
        base_url=base,
        opentelemetry=opentelemetry,
    )


def raw_headers() -> dict[str, str]:
    """The headers the SDK sends, for the bare-client baselines (the token is fetched first)."""
    return {
        "flinkey-API-Key": API_KEY,
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
        "Authorization": "Bearer " + TOKEN,
        "Customer-ID": str(CUSTOMER),
    }


async def raw_token(session: aiohttp.ClientSession, base: str) -> None:
    """Run the password grant on a bare session, as a baseline's user would once."""
    form = {"username": USERNAME, "password": PASSWORD, "grant_type": "password"}
    async with session.post(
        f"{base}/oauth2/token", data=form, headers={"flinkey-API-Key": API_KEY}
    ) as resp:
        if (await resp.json())["access_token"] != TOKEN:
            raise AssertionError("unexpected token")


async def aiohttp_json(session: aiohttp.ClientSession, url: str, headers: Any) -> Any:
    """GET on a bare aiohttp session: the same 2xx check and JSON loader (orjson) as the SDK."""
    async with session.get(url, headers=headers, allow_redirects=False) as resp:
        body = await resp.read()
        if not 200 <= resp.status < 300:
            raise RuntimeError(f"HTTP {resp.status}")
    return orjson.loads(body)


async def httpx_json(session: httpx.AsyncClient, url: str, headers: Any) -> Any:
    """GET on an httpx.AsyncClient: the same 2xx check and JSON loader (orjson) as the SDK."""
    resp = await session.get(url, headers=headers)
    if not 200 <= resp.status_code < 300:
        raise RuntimeError(f"HTTP {resp.status_code}")
    return orjson.loads(resp.content)


def httpx_client(connections: int) -> httpx.AsyncClient:
    """An httpx client keeping `connections` connections alive (its default keeps only 20)."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=connections)
    return httpx.AsyncClient(limits=limits, follow_redirects=False)


async def profile(run: Callable[[], Awaitable[object]], lines: int = 35) -> None:
    """cProfile one run (the SDK side; the server is another process); print it to stderr."""
    profiler = cProfile.Profile()
    profiler.enable()
    await run()
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(lines)


def interleaved(names: list[str], rounds: int, inner: int = 1) -> Iterator[tuple[int, str]]:
    """Yield (round, contender): each of a round's `inner` sub-rounds runs every contender once,
    the order rotated, so both sides of a per-round ratio see the same stretch of machine speed.
    """
    for round_ in range(rounds):
        for sub in range(inner):
            shift = (round_ + sub) % len(names)
            for name in names[shift:] + names[:shift]:
                yield round_, name


def no_samples(names: list[str], rounds: int) -> dict[str, Samples]:
    """Per contender and clock, one sum per round, all zero yet."""
    return {name: {"cpu": [0.0] * rounds, "wall": [0.0] * rounds} for name in names}


def timed(
    contenders: Mapping[str, Callable[[], object]], rounds: int, *, inner: int = 1, warmup: int = 2
) -> dict[str, Samples]:
    """Time synchronous contenders over interleaved rounds: name -> clock -> seconds.

    A round's figure for a contender is the sum of its `inner` runs (see interleaved()).
    """
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    samples = no_samples(names, rounds)
    for round_, name in interleaved(names, rounds, inner):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        contenders[name]()
        samples[name]["cpu"][round_] += time.process_time() - cpu
        samples[name]["wall"][round_] += time.perf_counter() - wall
    return samples


async def timed_async(
    contenders: Mapping[str, Callable[[], Awaitable[object]]],
    rounds: int,
    *,
    inner: int = 1,
    warmup: int = 1,
) -> dict[str, Samples]:
    """Time coroutine contenders like timed(): each round the sum of `inner` interleaved runs."""
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            await contenders[name]()
    samples = no_samples(names, rounds)
    for round_, name in interleaved(names, rounds, inner):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        await contenders[name]()
        samples[name]["cpu"][round_] += time.process_time() - cpu
        samples[name]["wall"][round_] += time.perf_counter() - wall
    return samples
