"""No answer may block the client: the cooldown cap, aclose() with calls in flight, the token."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from _helpers import wait_until
from _raw import TOKEN_PATH, RawServer, json_answer, token_answer
from aiohttp import web

from flinkey_async import (
    ClientClosedError,
    FlinkeyClient,
    RateLimitError,
    ServerError,
    TokenRequestError,
    is_retryable,
)
from flinkey_async._auth import MIN_TOKEN_LIFETIME, Token
from flinkey_async.testing import FakeFlinkey, Fault

SERVICES = "/v3/services"
FAST = {"backoff_initial": 0.0, "backoff_max": 0.0}
# aclose() must end every call within ~100 ms; the bound leaves room for a loaded 2-core box.
CLOSE_BOUND = 0.5


def scripted(*answers: web.Response) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A handler giving these answers in turn, then 200 [] forever."""
    queue = list(answers)

    async def handler(request: web.Request) -> web.StreamResponse:
        return queue.pop(0) if queue else json_answer([])

    return handler


async def slow(request: web.Request) -> web.StreamResponse:
    """An answer that takes 5 s (longer than any test waits)."""
    await asyncio.sleep(5)
    return json_answer([])


@pytest.fixture
async def slow_server() -> AsyncIterator[RawServer]:
    """A server whose API answers take 5 s."""
    async with RawServer({("GET", SERVICES): slow}) as server:
        yield server


# -- 1. the cooldown never exceeds max_retry_after ----------------------------------------


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize(
    ("header", "least"),
    [
        ("61", 61),
        ("86400", 86400),
        ("1000000000", 1e9),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 2e11),
    ],
)
async def test_retry_after_above_the_cap_fails_that_call_only(
    status: int, header: str, least: float
) -> None:
    """A Retry-After above max_retry_after fails the call that got it; the next call is sent."""
    first = web.Response(status=status, headers={"Retry-After": header})
    async with (
        RawServer({("GET", SERVICES): scripted(first)}) as server,
        server.client(**FAST) as client,
    ):
        started = time.monotonic()
        with pytest.raises(RateLimitError if status == 429 else ServerError) as info:
            await client.request("GET", "services")
        assert info.value.retry_after is not None
        assert info.value.retry_after >= least - 1
        assert info.value.retries_taken == 0
        assert client._engine.cooldown.remaining() == 0
        assert await client.request("GET", "services") == []
        assert time.monotonic() - started < 1
    assert server.count(SERVICES) == 2


async def test_cooldown_is_capped_by_the_clients_max_retry_after() -> None:
    """With max_retry_after=1, a Retry-After of 2 pauses nobody; one of 0.3 pauses every call."""
    answers = (
        web.Response(status=503, headers={"Retry-After": "2"}),
        web.Response(status=429, headers={"Retry-After": "0.3"}),
    )
    async with (
        RawServer({("GET", SERVICES): scripted(*answers)}) as server,
        server.client(max_retry_after=1, **FAST) as client,
    ):
        with pytest.raises(ServerError) as info:
            await client.request("GET", "services")
        assert info.value.retry_after == 2
        assert client._engine.cooldown.remaining() == 0
        started = time.monotonic()
        assert await client.request("GET", "services") == []  # 429, waits 0.3 s, 200
        assert 0.28 <= time.monotonic() - started < 1.5
    assert server.count(SERVICES) == 3


# -- 2./3. aclose() ends every call in flight -----------------------------------------------


async def _close_and_collect(
    client: FlinkeyClient, tasks: list[asyncio.Task[object]]
) -> tuple[float, list[object]]:
    started = time.monotonic()
    await client.aclose()
    _, pending = await asyncio.wait(tasks, timeout=CLOSE_BOUND)
    elapsed = time.monotonic() - started
    for task in pending:
        task.cancel()
    assert not pending, f"{len(pending)} call(s) still running after aclose()"
    return elapsed, [t.exception() if t.exception() else t.result() for t in tasks]


@pytest.mark.parametrize(("limit", "calls"), [(2, 10), (100, 300)])
async def test_aclose_ends_calls_waiting_for_a_pooled_connection(
    slow_server: RawServer, limit: int, calls: int
) -> None:
    """Calls queued for one of the pool's connections get ClientClosedError, not CancelledError."""
    client = slow_server.client(limit=limit)
    tasks = [asyncio.create_task(client.request("GET", "services")) for _ in range(calls)]
    await wait_until(lambda: slow_server.count(SERVICES) == limit)
    elapsed, results = await _close_and_collect(client, tasks)
    assert [type(r) for r in results] == [ClientClosedError] * calls
    assert elapsed < CLOSE_BOUND
    assert slow_server.count(SERVICES) == limit


async def test_aclose_ends_calls_on_a_borrowed_session(slow_server: RawServer) -> None:
    """A borrowed session stays open, yet its pending and sending calls end at aclose()."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=2)) as session:
        client = slow_server.client(session=session)
        tasks = [asyncio.create_task(client.request("GET", "services")) for _ in range(10)]
        await wait_until(lambda: slow_server.count(SERVICES) == 2)
        elapsed, results = await _close_and_collect(client, tasks)
        assert [type(r) for r in results] == [ClientClosedError] * 10
        assert elapsed < CLOSE_BOUND
        assert not session.closed
        assert session.connector is not None
        await wait_until(lambda: len(session.connector._acquired) == 0)  # type: ignore[union-attr]


async def test_aclose_ends_calls_waiting_out_a_cooldown() -> None:
    """A call sleeping for Retry-After and one waiting out the cooldown end at once, sending
    nothing more."""
    first = web.Response(status=503, headers={"Retry-After": "3"})
    async with RawServer({("GET", SERVICES): scripted(first)}) as server:
        client = server.client()
        sleeping = asyncio.create_task(client.request("GET", "services"))
        await wait_until(lambda: client._engine.cooldown.remaining() > 0)
        waiting = asyncio.create_task(client.request("GET", "services"))
        await asyncio.sleep(0.05)
        elapsed, results = await _close_and_collect(client, [sleeping, waiting])
        assert [type(r) for r in results] == [ClientClosedError] * 2
        assert elapsed < CLOSE_BOUND
        await asyncio.sleep(0.2)
    assert server.count(SERVICES) == 1


async def test_callers_own_cancellation_still_wins_at_aclose(slow_server: RawServer) -> None:
    """A call its caller cancelled raises CancelledError even if the client closes meanwhile."""
    client = slow_server.client()
    task = asyncio.create_task(client.request("GET", "services"))
    await wait_until(lambda: slow_server.count(SERVICES) == 1)
    task.cancel()
    await client.aclose()
    with pytest.raises(asyncio.CancelledError):
        await task


# -- 4. a rate-limited token endpoint is a RateLimitError -----------------------------------


async def test_token_429_with_retry_after_is_honoured_and_retried() -> None:
    """A 429 on POST /oauth2/token waits for Retry-After, then the token request is retried."""
    limited = web.Response(status=429, headers={"Retry-After": "0.3"})
    server = RawServer({("POST", TOKEN_PATH): scripted(limited, token_answer())})
    server.routes[("GET", SERVICES)] = scripted()
    async with server, server.client(**FAST) as client:
        started = time.monotonic()
        assert await client.request("GET", "services") == []
        assert 0.28 <= time.monotonic() - started < 1.5
    assert server.count(TOKEN_PATH) == 2
    assert server.count(SERVICES) == 1


async def test_token_429_is_a_rate_limit_error_shared_by_the_cooldown() -> None:
    """The 429 is a RateLimitError with retry_after, and later calls honour its cooldown."""
    limited = web.Response(status=429, headers={"Retry-After": "30"})
    async with (
        RawServer({("POST", TOKEN_PATH): scripted(limited)}) as server,
        server.client(timeout=2) as client,
    ):
        with pytest.raises(RateLimitError) as info:
            await client.request("GET", "services")
        assert not isinstance(info.value, TokenRequestError)
        assert (info.value.status, info.value.method) == (429, "POST")
        assert info.value.retry_after == 30
        started = time.monotonic()
        with pytest.raises(RateLimitError) as later:
            await client.request("GET", "services")  # waits for nothing, sends nothing
        assert time.monotonic() - started < 0.5
        assert later.value.retry_after is not None
        assert 28 < later.value.retry_after <= 30
    assert server.count(TOKEN_PATH) == 1


async def test_token_429_without_retry_after_follows_the_post_rules() -> None:
    """Without Retry-After a 429 on the token POST is raised at once (a POST is not resent)."""
    async with (
        RawServer({("POST", TOKEN_PATH): scripted(web.Response(status=429))}) as server,
        server.client(**FAST) as client,
    ):
        with pytest.raises(RateLimitError) as info:
            await client.request("GET", "services")
    assert type(info.value) is RateLimitError
    assert info.value.retry_after is None
    assert is_retryable(info.value) is False
    assert server.count(TOKEN_PATH) == 1


# -- 5. expires_in of 0 or below: a floor -------------------------------------------------


@pytest.mark.parametrize("expires_in", ["0", "-5", 0, -86400, "1"])
async def test_expires_in_below_the_floor_still_serves_many_calls(expires_in: object) -> None:
    """100 calls (50 of them concurrent) make one token request when expires_in is 0 or less."""

    async def token(request: web.Request) -> web.StreamResponse:
        return token_answer(expires_in=expires_in)

    server = RawServer({("POST", TOKEN_PATH): token, ("GET", SERVICES): scripted()})
    async with server, server.client() as client:
        for _ in range(50):
            await client.request("GET", "services")
        await asyncio.gather(*(client.request("GET", "services") for _ in range(50)))
    assert server.count(TOKEN_PATH) == 1
    assert server.count(SERVICES) == 100


def test_token_lifetime_floor() -> None:
    """A lifetime under the floor is read as the floor: renewed after half of it."""
    assert MIN_TOKEN_LIFETIME == 60
    token = Token.from_response({"access_token": "t0k3n", "expires_in": "0"}, now=100.0)
    assert (token.refresh_at, token.expires_at) == (130.0, 160.0)
    token = Token.from_response({"access_token": "t0k3n", "expires_in": "3600"}, now=100.0)
    assert (token.refresh_at, token.expires_at) == (3640.0, 3700.0)


async def test_a_closed_call_leaves_its_task_uncancelled(slow_server: RawServer) -> None:
    """After ClientClosedError the task is not left 'cancelling' (timeouts and TaskGroups work)."""
    client = slow_server.client(limit=1)

    async def call() -> int:
        with pytest.raises(ClientClosedError):
            await client.request("GET", "services")
        task = asyncio.current_task()
        assert task is not None
        async with asyncio.timeout(1):
            await asyncio.sleep(0)
        return task.cancelling()

    tasks = [asyncio.create_task(call()) for _ in range(3)]
    await wait_until(lambda: slow_server.count(SERVICES) == 1)
    await client.aclose()
    assert await asyncio.gather(*tasks) == [0, 0, 0]


@pytest.mark.parametrize("return_exceptions", [False, True])
async def test_aclose_ends_a_get_many_with_client_closed_error(return_exceptions: bool) -> None:
    """A get_many in flight raises ClientClosedError at aclose(), not a BulkFetchError holding
    one per id (or, with return_exceptions=True, a list of them); the ids left are not fetched.
    Found by the cancellation fuzz."""
    async with FakeFlinkey() as fake:
        fake.faults.add("*", Fault(status=None, delay=5), times=None)
        client = fake.client()
        ids = list(range(101, 106)) * 10
        bulk = asyncio.create_task(
            client.services.get_many(ids, concurrency=2, return_exceptions=return_exceptions)
        )
        await wait_until(lambda: fake.count(method="GET") == 2)
        elapsed, results = await _close_and_collect(client, [bulk])
        assert [type(r) for r in results] == [ClientClosedError]
        assert elapsed < CLOSE_BOUND
        assert fake.count(method="GET") == 2


async def test_get_many_on_a_closed_client_raises_client_closed_error() -> None:
    """Like every other call, get_many on a closed client raises ClientClosedError."""
    async with FakeFlinkey() as fake:
        client = fake.client()
        await client.aclose()
        with pytest.raises(ClientClosedError):
            await client.services.get_many([101, 102])
        assert fake.requests == []
