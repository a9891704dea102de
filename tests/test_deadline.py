"""The watchdog that enforces call deadlines with one ticker per client."""

from __future__ import annotations

import asyncio

import pytest

from flinkey_async._deadline import COMPACT_AT, RESOLUTION, Watchdog


async def test_expired_deadline_raises_timeout_error() -> None:
    """A task still running after its deadline gets TimeoutError, about on time."""
    dog = Watchdog()
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError), dog.deadline(started + 0.05):
        await asyncio.sleep(1)
    elapsed = loop.time() - started
    assert 0.05 <= elapsed < 0.05 + RESOLUTION + 0.05


async def test_finished_calls_leave_nothing_behind() -> None:
    """Deadlines of finished calls are dropped, and the ticker stops once none is left."""
    dog = Watchdog()
    loop = asyncio.get_running_loop()
    for _ in range(200):
        with dog.deadline(loop.time() + 0.03):
            await asyncio.sleep(0)
    assert dog._slots == {}
    await asyncio.sleep(0.06)
    assert dog._handle is None
    assert dog._due == []
    assert dog._queued == set()


async def test_many_concurrent_deadlines_fire_only_for_the_slow() -> None:
    """Of many concurrent calls, only those outliving their own deadline time out."""
    dog = Watchdog()
    loop = asyncio.get_running_loop()

    async def call(delay: float, budget: float) -> str:
        try:
            with dog.deadline(loop.time() + budget):
                await asyncio.sleep(delay)
        except TimeoutError:
            return "timeout"
        return "ok"

    # Margins of seconds, not milliseconds: a loaded CI machine may stall the loop for a while.
    plans = [(0.01, 3.0), (5.0, 0.05), (0.02, 4.0), (5.0, 0.1)] * 25
    results = await asyncio.gather(*(call(d, b) for d, b in plans))
    assert results == ["ok", "timeout", "ok", "timeout"] * 25


async def test_outside_cancellation_is_not_turned_into_timeout() -> None:
    """Cancelling the task from outside still raises CancelledError."""
    dog = Watchdog()
    loop = asyncio.get_running_loop()

    async def body() -> None:
        with dog.deadline(loop.time() + 5):
            await asyncio.sleep(5)

    task = asyncio.create_task(body())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    dog.close()


async def test_finished_deadlines_do_not_pile_up() -> None:
    """Under steady traffic with a long timeout, memory stays bounded by the live deadlines."""
    watchdog = Watchdog()
    loop = asyncio.get_running_loop()
    try:
        for n in range(20_000):  # one finished call per 10 ms slot of a 3,600 s horizon
            with watchdog.deadline(loop.time() + 3600 + n * RESOLUTION):
                pass
        assert watchdog._slots == {}
        assert len(watchdog._due) <= COMPACT_AT
        assert watchdog._queued == set(watchdog._due)
        with pytest.raises(TimeoutError), watchdog.deadline(loop.time() + 0.02):
            await asyncio.sleep(0.5)  # a new, near deadline still fires after the compaction
    finally:
        watchdog.close()
