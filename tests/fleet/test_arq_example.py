"""The worked example: two arq worker processes, one Redis, the fake API in its own process."""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from _helpers import wait_until
from _redis_server import RedisServer
from redis.asyncio import Redis

from flinkey_async.testing import FakeFlinkeyProcess, Fault

EXAMPLE = Path(__file__).parents[2] / "examples" / "arq_worker.py"
FIRST, SERVICES = 100_000, 1_000


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("arq_worker", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeFlinkeyProcess]:
    with FakeFlinkeyProcess(services=SERVICES) as server:
        yield server


def expected_ids(job: int, per_job: int = 50) -> list[int]:
    return [FIRST + (job * per_job + i) % SERVICES for i in range(per_job)]


async def test_two_workers_run_200_jobs_on_one_token(
    example: ModuleType, fake: FakeFlinkeyProcess, redis: Redis, redis_server: RedisServer
) -> None:
    """Every job's 50 services arrive; both workers worked; one password grant in total."""
    results = await example.run_fleet(redis_server.url, fake.env(), jobs=200, per_job=50)
    assert [result["ids"] for result in results] == [expected_ids(job) for job in range(200)]
    assert len({result["pid"] for result in results}) == 2
    assert fake.token_requests() == 1
    assert fake.count() == 1 + 200 * 50


async def test_a_429_burst_pauses_both_workers(
    example: ModuleType, fake: FakeFlinkeyProcess, redis: Redis, redis_server: RedisServer
) -> None:
    """One worker gets a 429 with Retry-After: 1; no request from either arrives until it ends."""
    before, grants = fake.count(), fake.token_requests()
    run = asyncio.create_task(example.run_fleet(redis_server.url, fake.env(), jobs=40))
    await wait_until(lambda: fake.count() >= before + 300, within=30)
    added = time.monotonic()
    fake.add_fault("*", Fault(429, headers={"Retry-After": "1"}))
    results = await run
    assert [result["ids"] for result in results] == [expected_ids(job) for job in range(40)]
    assert len({result["pid"] for result in results}) == 2
    times = sorted(received for _, received in fake.request_times() if received > added)
    refused = times[0]
    # Both workers keep ~100 requests in flight; if either went on, no gap would open. The
    # other learns of the cooldown within cooldown_poll (0.25 s); the requests already on
    # their way (the fake's backlog) are still recorded, then nothing until the cooldown ends.
    gap, last_before, first_after = max((b - a, a, b) for a, b in itertools.pairwise(times))
    assert gap >= 0.4
    assert last_before < refused + 0.6
    assert refused + 0.95 <= first_after < refused + 1.5
    assert len([t for t in times if t >= first_after]) > 100  # and both carry on
    # Redis was emptied for this test: this cold fleet sent one grant; the refused GET one resend.
    assert (fake.token_requests(), fake.count()) == (grants + 1, before + 1 + 40 * 50 + 1)
