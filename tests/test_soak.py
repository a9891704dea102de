"""A bounded soak test: many calls through injected 503s, resets and a token that dies mid-run."""

from __future__ import annotations

import asyncio
import gc
import os
import time
from pathlib import Path
from typing import Any

from _helpers import acquired_connections

from flinkey_async.testing import FakeFlinkey, Fault

CALLS = 5_000
CONCURRENCY = 100
SERVICES = "/v3/services/101"


async def test_soak(fake: FakeFlinkey) -> None:
    """5,000 GETs at concurrency 100 with 10% 503s, 2% resets and a token expiry all succeed."""
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    fake.faults.add(SERVICES, Fault(503), times=None, rate=0.10)
    fake.faults.add(SERVICES, Fault(reset=True), times=None, rate=0.02)
    # Zero backoff keeps it fast. With 12% of attempts failing, a 4-attempt budget would lose
    # about one call in 5,000 (0.12**4 * 5000), so the soak allows more retries.
    client = fake.client(backoff_initial=0, backoff_max=0, max_retries=8)
    done = 0
    expired_at: int | None = None
    next_call = iter(range(CALLS))

    async def worker() -> None:
        nonlocal done, expired_at
        for _ in next_call:
            service = await client.services.get(101)
            assert service.id == 101
            done += 1
            if done == CALLS // 2:
                fake.expire_tokens()  # every token dies at once, mid-run
                expired_at = done

    started = time.monotonic()
    try:
        async with client:
            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
            leaked = acquired_connections(client)
        elapsed = time.monotonic() - started
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous_handler)

    attempts = fake.count(SERVICES)
    token_requests = len(fake.token_requests())
    injected_503 = sum(r.fired for r in fake.faults.rules if r.fault.status == 503)
    injected_resets = sum(r.fired for r in fake.faults.rules if r.fault.reset)
    report = (
        f"soak: {CALLS} GETs, concurrency {CONCURRENCY}, all succeeded\n"
        f"  total time        {elapsed:.2f} s ({CALLS / elapsed:.0f} calls/s)\n"
        f"  GET attempts      {attempts} (503s injected {injected_503}, resets {injected_resets},"
        f" 401 replays {attempts - CALLS - injected_503 - injected_resets})\n"
        f"  token requests    {token_requests} (all tokens expired after call {expired_at})\n"
        f"  leaked conns      {leaked}\n"
        f"  unhandled errors  {len(unhandled)}\n"
    )
    print(report)
    if target := os.environ.get("FLINKEY_SOAK_REPORT"):
        Path(target).write_text(report)  # noqa: ASYNC240 - once, after the run

    assert done == CALLS
    assert token_requests == 2
    assert leaked == 0
    assert unhandled == []
    assert injected_503 > 0
    assert injected_resets > 0
    assert attempts >= CALLS + injected_503 + injected_resets
