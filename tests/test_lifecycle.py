"""Cancellation, closing with calls in flight, event-loop affinity and resource warnings."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import warnings
from collections.abc import Iterator

import aiohttp
import pytest
from _helpers import acquired_connections, wait_until

from flinkey_async import ClientClosedError, FlinkeyClient, WrongEventLoopError
from flinkey_async.testing import FakeFlinkey, Fault

SERVICES = "/v3/services"


@pytest.fixture
def threaded_fake() -> Iterator[FakeFlinkey]:
    """A fake server on its own thread and loop, for tests that run several event loops."""
    with FakeFlinkey().run_in_thread() as fake:
        yield fake


async def test_cancel_mid_request_releases_the_connection(fake: FakeFlinkey) -> None:
    """Cancelling a call while its response is awaited leaves no connection acquired."""
    fake.faults.add(SERVICES, Fault(status=None, delay=5))
    async with fake.client() as client:
        await client.services.get(101)  # warm up: token fetched, connection pooled
        task = asyncio.create_task(client.services.list())
        await wait_until(lambda: fake.in_flight == 1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert acquired_connections(client) == 0
        assert len(await client.services.list()) == 5  # the client is still usable
        assert acquired_connections(client) == 0


async def test_cancel_mid_body_releases_the_connection(fake: FakeFlinkey) -> None:
    """Cancelling while the body is being read leaves no connection acquired."""
    fake.faults.add(SERVICES, Fault(status=None, truncate_to=5, delay=0))
    fake.faults.add(SERVICES, Fault(status=None, delay=5))
    async with fake.client(backoff_initial=0) as client:
        task = asyncio.create_task(client.services.list())
        await wait_until(lambda: fake.count(SERVICES) == 2 and fake.in_flight == 1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert acquired_connections(client) == 0


async def test_cancel_during_backoff_and_token_wait(fake: FakeFlinkey) -> None:
    """A call cancelled while sleeping or waiting for the shared token leaves nothing behind."""
    fake.faults.add("/v3/oauth2/token", Fault(status=None, delay=0.3), method="POST")
    # A 502 with Retry-After makes this call sleep without starting the shared cooldown.
    fake.faults.add(SERVICES, Fault(502, headers={"Retry-After": "5"}))
    async with fake.client() as client:
        waiting = asyncio.create_task(client.services.get(101))
        await wait_until(lambda: len(fake.token_requests()) == 1)
        waiting.cancel()
        sleeping = asyncio.create_task(client.services.list())
        await wait_until(lambda: fake.count(SERVICES) == 1)
        await asyncio.sleep(0.05)
        sleeping.cancel()
        for task in (waiting, sleeping):
            with pytest.raises(asyncio.CancelledError):
                await task
        assert acquired_connections(client) == 0
        # The shared token request survived the cancellation of the call that started it.
        assert (await client.services.get(102)).id == 102
    assert len(fake.token_requests()) == 1


async def test_aclose_ends_calls_in_flight(fake: FakeFlinkey) -> None:
    """Closing the client ends calls that are sending, sleeping or waiting for a token."""
    async with fake.client() as warm:
        await warm.services.list()
    fake.faults.add(SERVICES, Fault(status=None, delay=5))
    fake.faults.add("/v3/services/101", Fault(503, headers={"Retry-After": "5"}))
    client = fake.client()
    sending = asyncio.create_task(client.services.list())
    await wait_until(lambda: fake.in_flight == 1)
    sleeping = asyncio.create_task(client.services.get(101))
    await wait_until(lambda: fake.count("/v3/services/101") == 1)
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await client.aclose()
    results = await asyncio.gather(sending, sleeping, return_exceptions=True)
    assert time.monotonic() - started < 1
    assert all(isinstance(r, ClientClosedError) for r in results), results
    with pytest.raises(ClientClosedError):
        await client.services.list()


async def test_aclose_while_the_token_is_fetched(fake: FakeFlinkey) -> None:
    """Callers waiting on the shared token request get ClientClosedError, not CancelledError."""
    fake.faults.add("/v3/oauth2/token", Fault(status=None, delay=5), method="POST")
    client = fake.client()
    tasks = [asyncio.create_task(client.services.list()) for _ in range(3)]
    await wait_until(lambda: len(fake.token_requests()) == 1)
    await client.aclose()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, ClientClosedError) for r in results), results


async def test_borrowed_session_stays_open(fake: FakeFlinkey) -> None:
    """A session passed in is used, and left open, by the client."""
    async with aiohttp.ClientSession() as session:
        async with fake.client(session=session) as client:
            await client.services.list()
        assert not session.closed


async def test_no_resource_warnings_after_errors(fake: FakeFlinkey) -> None:
    """A session with resets, timeouts and cancellations leaves nothing for the GC to warn about."""
    fake.faults.add(SERVICES, Fault(reset=True))
    fake.faults.add(SERVICES, Fault(status=None, truncate_to=3))
    fake.faults.add("/v3/services/101", Fault(status=None, delay=5), times=None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with fake.client(backoff_initial=0) as client:
            await client.services.list()
            with pytest.raises(TimeoutError):
                await client.services.get(101, timeout=0.2)
        del client
        gc.collect()
    assert [str(w.message) for w in caught] == []


def test_client_used_on_a_second_loop_after_the_first_closed(
    threaded_fake: FakeFlinkey,
) -> None:
    """A client reused by a second asyncio.run() says its loop is closed and what to do."""
    client: FlinkeyClient | None = None

    async def first() -> None:
        nonlocal client
        async with aiohttp.ClientSession() as session:
            client = threaded_fake.client(session=session)
            await client.services.list()

    async def second() -> None:
        assert client is not None
        await client.services.list()

    asyncio.run(first())
    with pytest.raises(WrongEventLoopError, match=r"closed.*one FlinkeyClient per event loop"):
        asyncio.run(second())


def test_owned_session_used_from_another_running_loop(threaded_fake: FakeFlinkey) -> None:
    """A client used from a second, concurrently running loop raises WrongEventLoopError."""

    async def main() -> None:
        async with threaded_fake.client() as client:
            await client.services.list()
            errors: list[BaseException] = []

            def other_thread() -> None:
                try:
                    asyncio.run(client.services.list())
                except BaseException as exc:
                    errors.append(exc)

            thread = threading.Thread(target=other_thread)
            thread.start()
            await asyncio.to_thread(thread.join)
            assert len(errors) == 1
            assert isinstance(errors[0], WrongEventLoopError)
            assert "another loop" in str(errors[0])
            assert len(await client.services.list()) == 5  # still fine on its own loop

    asyncio.run(main())


def test_borrowed_session_from_another_loop(threaded_fake: FakeFlinkey) -> None:
    """A session made on one loop and given to a client used on another is refused clearly."""
    holder: dict[str, aiohttp.ClientSession] = {}
    loop = asyncio.new_event_loop()
    try:

        async def make() -> None:
            holder["session"] = aiohttp.ClientSession()

        loop.run_until_complete(make())

        async def use() -> None:
            client = threaded_fake.client(session=holder["session"])
            with pytest.raises(WrongEventLoopError, match="aiohttp session"):
                await client.services.list()

        asyncio.run(use())
    finally:
        loop.run_until_complete(holder["session"].close())
        loop.close()
