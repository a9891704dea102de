"""Retries, backoff, Retry-After, the per-call deadline and the shared cooldown."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import pytest
import stamina
from _helpers import wait_until

import flinkey_async
from flinkey_async import (
    BadRequestError,
    FlinkeyTimeoutError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TransportError,
    is_retryable,
)
from flinkey_async._retry import Cooldown, parse_retry_after
from flinkey_async.testing import FakeFlinkey, Fault

SERVICES = "/v3/services"
FAST = {"backoff_initial": 0.0, "backoff_max": 0.0}


# -- pure parts ----------------------------------------------------------------------------


def test_is_retryable_for_get() -> None:
    """GET: transport errors and 429/502/503/504 retry; other statuses do not."""
    assert is_retryable(TransportError("reset", method="GET")) is True
    for status in (429, 502, 503, 504):
        cls = RateLimitError if status == 429 else ServerError
        assert is_retryable(cls("x", status=status, method="GET")) is True
    assert is_retryable(ServerError("x", status=500, method="GET")) is False
    assert is_retryable(BadRequestError("x", status=400, method="GET")) is False
    assert is_retryable(ValueError("not ours")) is False


def test_is_retryable_for_post_only_when_never_sent() -> None:
    """POST is retried only when the request provably never reached the server."""
    assert is_retryable(TransportError("refused", method="POST", request_sent=False)) is True
    assert is_retryable(TransportError("reset", method="POST", request_sent=True)) is False
    assert is_retryable(ServerError("x", status=503, method="POST")) is False


def test_is_retryable_returns_retry_after_and_honours_the_cap() -> None:
    """A Retry-After comes back as a float; one above the cap means do not retry."""
    assert is_retryable(RateLimitError("x", status=429, method="GET", retry_after=2.5)) == 2.5
    too_long = RateLimitError("x", status=429, method="GET", retry_after=61)
    assert is_retryable(too_long) is False
    assert is_retryable(too_long, max_retry_after=120) == 61.0


def test_is_retryable_works_as_a_stamina_predicate() -> None:
    """stamina.retry(on=is_retryable) retries on our errors and waits for Retry-After."""

    calls: list[int] = []

    @stamina.retry(on=is_retryable, attempts=3, wait_initial=0, wait_jitter=0)
    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RateLimitError("slow down", status=429, method="GET", retry_after=0.01)
        return "ok"

    assert flaky() == "ok"
    assert len(calls) == 3


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        (" 0.25 ", 0.25),
        ("-3", 0.0),
        ("soon", None),
        ("nan", None),
        (None, None),
        (formatdate(1_000_030, usegmt=True), 30.0),
        (formatdate(999_000, usegmt=True), 0.0),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    """Retry-After is read as delta-seconds or as an HTTP-date relative to now."""
    assert parse_retry_after(header, now=1_000_000) == expected


def test_backoff_is_full_jitter_and_capped() -> None:
    """Each backoff is uniform in [0, min(max, initial * 2**n)]."""
    policy = RetryPolicy(backoff_initial=0.5, backoff_max=8.0)
    for n, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (5, 8.0), (500, 8.0)]:
        delays = [policy.backoff(n) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # spread over the range, not a fixed step


def test_policy_validation() -> None:
    """Negative or non-numeric settings are refused; 0 retries is allowed."""
    assert RetryPolicy(max_retries=0).max_retries == 0
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(TypeError):
        RetryPolicy(max_retries=True)
    with pytest.raises(ValueError, match="backoff_max"):
        RetryPolicy(backoff_max=float("inf"))


def test_client_refuses_a_timeout_of_none(fake: FakeFlinkey) -> None:
    """timeout=None would wait forever, so it is refused."""
    with pytest.raises(ValueError, match="wait forever"):
        fake.client(timeout=None)


async def test_per_call_timeout_none_uses_the_client_setting(client: object) -> None:
    """A per-call timeout of None keeps the client's deadline instead of removing it."""
    c = client
    assert isinstance(c, flinkey_async.FlinkeyClient)
    assert len(await c.services.list(timeout=None)) == 5
    with pytest.raises(ValueError, match="positive"):
        await c.services.list(timeout=0)


def test_cooldown_only_for_429_and_503_with_retry_after() -> None:
    """Only a 429/503 that carries Retry-After starts the shared cooldown."""
    now = [100.0]
    cooldown = Cooldown(lambda: now[0])
    cooldown.extend(ServerError("x", status=502, method="GET", retry_after=5))
    cooldown.extend(ServerError("x", status=503, method="GET"))
    assert cooldown.remaining() == 0
    cooldown.extend(RateLimitError("x", status=429, method="GET", retry_after=5))
    cooldown.extend(ServerError("x", status=503, method="GET", retry_after=1))  # never shortens
    assert cooldown.remaining() == 5
    now[0] += 4
    assert cooldown.remaining() == 1


# -- through the fake server ----------------------------------------------------------------


async def test_retries_503_then_succeeds(fake: FakeFlinkey) -> None:
    """Two 503s then success: three GET attempts, one token request."""
    fake.faults.add(SERVICES, Fault(503), times=2)
    async with fake.client(**FAST) as client:
        assert len(await client.services.list()) == 5
    assert fake.count(SERVICES) == 3
    assert len(fake.token_requests()) == 1


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_gives_up_after_max_retries(fake: FakeFlinkey, status: int) -> None:
    """A status that keeps failing is tried 1 + max_retries times, then raised."""
    fake.faults.add(SERVICES, Fault(status), times=None)
    async with fake.client(**FAST) as client:
        with pytest.raises(RateLimitError if status == 429 else ServerError) as info:
            await client.services.list()
    assert fake.count(SERVICES) == 4
    assert info.value.status == status
    assert info.value.retries_taken == 3


async def test_not_retried_statuses(fake: FakeFlinkey) -> None:
    """A 500 (or any 4xx) is raised after one attempt."""
    fake.faults.add(SERVICES, Fault(500), times=None)
    async with fake.client(**FAST) as client:
        with pytest.raises(ServerError) as info:
            await client.services.list()
    assert fake.count(SERVICES) == 1
    assert info.value.retries_taken == 0


async def test_max_retries_zero_disables_and_per_call_overrides(fake: FakeFlinkey) -> None:
    """max_retries=0 on the client means one attempt; a per-call value overrides it."""
    fake.faults.add(SERVICES, Fault(503), times=None)
    async with fake.client(max_retries=0, **FAST) as client:
        with pytest.raises(ServerError):
            await client.services.list()
        assert fake.count(SERVICES) == 1
        with pytest.raises(ServerError) as info:
            await client.services.list(max_retries=2)
        assert fake.count(SERVICES) == 4
        assert info.value.retries_taken == 2


async def test_connection_reset_and_truncated_body_are_retried_for_get(
    fake: FakeFlinkey,
) -> None:
    """A reset and a body cut short are transport errors; a GET retries them."""
    fake.faults.add(SERVICES, Fault(reset=True))
    fake.faults.add(SERVICES, Fault(status=None, truncate_to=10))
    async with fake.client(**FAST) as client:
        assert len(await client.services.list()) == 5
    assert fake.count(SERVICES) == 3


async def test_reset_every_time_raises_transport_error(fake: FakeFlinkey) -> None:
    """When every attempt is reset, the last TransportError is raised with its count."""
    fake.faults.add(SERVICES, Fault(reset=True), times=None)
    async with fake.client(max_retries=2, **FAST) as client:
        with pytest.raises(TransportError) as info:
            await client.services.list()
    assert info.value.request_sent is True
    assert info.value.retries_taken == 2
    assert fake.count(SERVICES) == 3


async def test_retry_after_is_honoured(fake: FakeFlinkey) -> None:
    """The retry waits for Retry-After, not for the (zero) backoff."""
    fake.faults.add(SERVICES, Fault(429, headers={"Retry-After": "0.3"}))
    async with fake.client(**FAST) as client:
        await client.services.list()
    first, second = [r.received for r in fake.requests if r.path == SERVICES]
    assert second - first >= 0.28


async def test_retry_after_as_http_date(fake: FakeFlinkey) -> None:
    """An HTTP-date Retry-After is honoured too (whole seconds, so up to one second)."""
    when = formatdate(time.time() + 1, usegmt=True)
    fake.faults.add(SERVICES, Fault(503, headers={"Retry-After": when}))
    async with fake.client(**FAST) as client:
        started = time.monotonic()
        await client.services.list()
    assert time.monotonic() - started < 1.5
    assert fake.count(SERVICES) == 2


async def test_retry_after_above_the_cap_raises_at_once(fake: FakeFlinkey) -> None:
    """A Retry-After above max_retry_after is not slept through: it is raised, with the value."""
    fake.faults.add(SERVICES, Fault(429, headers={"Retry-After": "120"}))
    async with fake.client() as client:
        started = time.monotonic()
        with pytest.raises(RateLimitError) as info:
            await client.services.list()
    assert time.monotonic() - started < 1
    assert info.value.retry_after == 120
    assert fake.count(SERVICES) == 1


async def test_retry_after_beyond_the_deadline_raises_at_once(fake: FakeFlinkey) -> None:
    """A Retry-After longer than the time left is raised at once, not slept into a timeout."""
    fake.faults.add(SERVICES, Fault(503, headers={"Retry-After": "5"}))
    async with fake.client(timeout=2) as client:
        started = time.monotonic()
        with pytest.raises(ServerError) as info:
            await client.services.list()
    assert time.monotonic() - started < 1
    assert info.value.retry_after == 5
    assert info.value.status == 503


async def test_deadline_covers_all_attempts(fake: FakeFlinkey) -> None:
    """Two fast 503s, then a slow answer: the call times out at its deadline, not later."""
    fake.faults.add(SERVICES, Fault(503), times=2)
    fake.faults.add(SERVICES, Fault(status=None, delay=5))
    async with fake.client(timeout=0.5, **FAST) as client:
        started = time.monotonic()
        with pytest.raises(FlinkeyTimeoutError) as info:
            await client.services.list()
        elapsed = time.monotonic() - started
    assert 0.45 <= elapsed < 0.8
    assert isinstance(info.value, TimeoutError)
    assert info.value.retries_taken == 2
    assert fake.count(SERVICES) == 3


async def test_deadline_covers_backoff_sleeps(fake: FakeFlinkey) -> None:
    """Backoff sleeps never run past the deadline: the last error is raised instead."""
    fake.faults.add(SERVICES, Fault(503), times=None)
    async with fake.client(timeout=0.6, backoff_initial=0.2, max_retries=50) as client:
        started = time.monotonic()
        with pytest.raises((ServerError, FlinkeyTimeoutError)):
            await client.services.list()
        elapsed = time.monotonic() - started
    assert elapsed < 0.75


async def test_per_call_timeout(fake: FakeFlinkey) -> None:
    """A per-call timeout overrides the client's deadline."""
    fake.faults.add(SERVICES, Fault(status=None, delay=5))
    async with fake.client() as client:
        started = time.monotonic()
        with pytest.raises(FlinkeyTimeoutError, match=r"0\.3 s"):
            await client.services.list(timeout=0.3)
    assert time.monotonic() - started < 0.6


async def test_attempt_read_timeout_is_retried(fake: FakeFlinkey) -> None:
    """A stalled attempt hits read_timeout and is retried within the call's deadline."""
    fake.faults.add(SERVICES, Fault(status=None, delay=5))
    async with fake.client(read_timeout=0.2, timeout=3, **FAST) as client:
        started = time.monotonic()
        assert len(await client.services.list()) == 5
    assert time.monotonic() - started < 1
    assert fake.count(SERVICES) == 2


async def test_shared_cooldown(fake: FakeFlinkey) -> None:
    """After one call gets 429 + Retry-After, another call waits before its first attempt."""
    fake.faults.add("/v3/services/101", Fault(429, headers={"Retry-After": "0.4"}))
    async with fake.client(**FAST) as client:
        first = asyncio.create_task(client.services.get(101))
        await wait_until(lambda: fake.count("/v3/services/101") == 1)
        await asyncio.sleep(0.02)  # let the 429 reach the client
        second = asyncio.create_task(client.services.list())
        await asyncio.gather(first, second)
    limited = next(r for r in fake.requests if r.path == "/v3/services/101")
    waited = next(r for r in fake.requests if r.path == SERVICES)
    assert waited.received - limited.received >= 0.38
    assert fake.count(SERVICES) == 1  # it waited instead of trying and failing


async def test_shared_cooldown_beyond_deadline_fails_fast(fake: FakeFlinkey) -> None:
    """A call whose deadline ends before the cooldown raises at once, without sending."""
    fake.faults.add("/v3/services/101", Fault(429, headers={"Retry-After": "30"}))
    async with fake.client() as client:
        with pytest.raises(RateLimitError):
            await client.services.get(101)
        started = time.monotonic()
        with pytest.raises(RateLimitError) as info:
            await client.services.list(timeout=5)
    assert time.monotonic() - started < 0.5
    assert info.value.retry_after is not None
    assert 29 < info.value.retry_after <= 30
    assert fake.count(SERVICES) == 0


async def test_token_post_not_retried_after_reaching_the_server(fake: FakeFlinkey) -> None:
    """A 503 or a reset on POST /oauth2/token is raised at once (it may have been processed)."""
    fake.faults.add("/v3/oauth2/token", Fault(503), method="POST")
    fake.faults.add("/v3/oauth2/token", Fault(reset=True), method="POST")
    async with fake.client(**FAST) as client:
        with pytest.raises(ServerError):
            await client.services.list()
        assert len(fake.token_requests()) == 1
        with pytest.raises(TransportError) as info:
            await client.services.list()
        assert info.value.method == "POST"
        assert info.value.request_sent
        assert len(fake.token_requests()) == 2
        assert len(await client.services.list()) == 5
    assert fake.count(SERVICES) == 1


async def test_connection_refused_is_retried_even_for_post(
    fake: FakeFlinkey, caplog: pytest.LogCaptureFixture
) -> None:
    """Connection refused proves the token POST never arrived, so it is retried."""
    url = fake.url
    await fake.close()  # nothing listens on the port any more
    caplog.set_level("DEBUG", logger="flinkey_async")
    async with fake.client(base_url=url, max_retries=2, **FAST) as client:
        with pytest.raises(TransportError) as info:
            await client.services.list()
    assert info.value.request_sent is False
    assert info.value.method == "POST"
    assert info.value.retries_taken == 2
    posts = [r for r in caplog.records if getattr(r, "flinkey_method", None) == "POST"]
    assert len(posts) == 3
