"""The shared token and cooldown over a real Redis: single flight, takeover, jitter, outages."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from _redis_server import RedisServer
from redis.asyncio import Redis

from flinkey_async._auth import Token
from flinkey_async._errors import RateLimitError, ServerError
from flinkey_async._secret import Secret
from flinkey_async._shared import Shared
from flinkey_async.stores import MemoryTokenStore, RedisTokenStore

API_KEY = "api-key-1234567890"
PASSWORD = "pass-word-0987654321"
USERNAME = "manager@example.com"
BASE = "https://api.flinkey.de/v3"


class Grants:
    """A password grant stand-in: counts calls, issues token-1, token-2, ... after a delay."""

    def __init__(self, lifetime: float = 3600.0, delay: float = 0.0) -> None:
        self.lifetime, self.delay, self.count = lifetime, delay, 0

    async def __call__(self) -> Token:
        self.count += 1
        value = f"secret-token-{self.count:04d}"
        started = time.monotonic()
        await asyncio.sleep(self.delay)
        margin = min(60.0, self.lifetime / 2)
        return Token(Secret(value), started + self.lifetime - margin, started + self.lifetime)


def shared(store: Any, *, password: str = PASSWORD, share: float | None = None) -> Shared:
    """One process's view of the store (share: its point in the jitter window)."""
    view = Shared(
        store,
        base_url=BASE,
        api_key=Secret(API_KEY),
        username=USERNAME,
        password=Secret(password),
    )
    if share is not None:
        view._share = share
    return view


async def test_cold_processes_send_one_grant(redis: Redis) -> None:
    """Twenty cold views asking at once share the one token the lock holder requested."""
    grant = Grants(delay=0.2)
    views = [shared(RedisTokenStore(redis)) for _ in range(20)]
    tokens = await asyncio.gather(*(view.fetch_token(grant) for view in views))
    assert grant.count == 1
    assert {t.value.reveal() for t in tokens} == {"secret-token-0001"}


async def test_a_dead_lock_holder_is_taken_over_after_the_lease(redis: Redis) -> None:
    """A lock nobody releases delays the token by its lease, no longer; one grant follows."""
    store = RedisTokenStore(redis, lock_lease=0.4)
    view = shared(store)
    assert await store.lock(view.token_key, "a-process-that-died", lease=0.4)
    grant = Grants()
    started = time.monotonic()
    token = await view.fetch_token(grant)
    waited = time.monotonic() - started
    assert (token.value.reveal(), grant.count) == ("secret-token-0001", 1)
    assert 0.35 < waited < 1.0


async def test_the_wait_for_a_lock_holder_is_bounded(
    redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    """Past lock_wait, a process without a token requests its own (and says so once)."""
    store = RedisTokenStore(redis, lock_lease=30, lock_wait=0.3)
    view = shared(store)
    assert await store.lock(view.token_key, "a-slow-holder", lease=30)
    grant = Grants()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, "flinkey_async"):
        await view.fetch_token(grant)
    assert 0.3 <= time.monotonic() - started < 0.8
    assert grant.count == 1
    assert [r.getMessage() for r in caplog.records] == [
        "flinkey_async: no token in the store after waiting 0.3 s for the process renewing it; "
        "requesting one"
    ]


async def test_the_fleet_renews_once_at_the_earliest_point_of_the_jitter_window(
    redis: Redis,
) -> None:
    """A short-lived token is renewed by the process with the earliest point, once."""
    grant = Grants(lifetime=2.0)  # margin 1 s, jitter window min(30, 0.5) s
    early, late = shared(RedisTokenStore(redis), share=1.0), shared(RedisTokenStore(redis), share=0)
    first = await early.fetch_token(grant)
    assert (await late.fetch_token(grant)).value == first.value
    assert first.refresh_at == pytest.approx(first.expires_at - 1.5, abs=0.01)
    second = await late.fetch_token(grant)
    assert second.refresh_at == pytest.approx(second.expires_at - 1.0, abs=0.01)
    await asyncio.sleep(max(0.0, first.refresh_at - time.monotonic()) + 0.01)
    renewed = await early.fetch_token(grant)
    assert (renewed.value.reveal(), grant.count) == ("secret-token-0002", 2)
    await asyncio.sleep(max(0.0, second.refresh_at - time.monotonic()) + 0.01)
    assert (await late.fetch_token(grant)).value == renewed.value
    assert grant.count == 2


async def test_a_token_being_renewed_is_still_handed_out(redis: Redis) -> None:
    """While another process holds the lock, a still-valid due token is used, not waited for."""
    store = RedisTokenStore(redis)
    view = shared(store)
    first = await view.fetch_token(Grants(lifetime=2.0))
    await asyncio.sleep(first.refresh_at - time.monotonic() + 0.01)
    assert await store.lock(view.token_key, "renewing-elsewhere", lease=30)
    grant = Grants()
    started = time.monotonic()
    again = await view.fetch_token(grant)
    assert time.monotonic() - started < 0.1
    assert (again.value, grant.count) == (first.value, 0)
    assert again.refresh_at < time.monotonic() + 0.1


async def test_a_refused_token_is_dropped_only_if_still_shared(redis: Redis) -> None:
    """invalidate() deletes the token that failed; a renewed one stays for everyone."""
    a, b = shared(RedisTokenStore(redis)), shared(RedisTokenStore(redis))
    grant = Grants()
    old = await a.fetch_token(grant)
    old_b = await b.fetch_token(grant)
    await a.invalidate(old)
    new = await a.fetch_token(grant)
    await b.invalidate(old_b)
    assert (await b.fetch_token(grant)).value == new.value
    assert (new.value.reveal(), grant.count) == ("secret-token-0002", 2)


async def test_nothing_readable_is_kept_in_redis(redis: Redis) -> None:
    """Every key and value in Redis is free of the API key, password, token and username."""
    view = shared(RedisTokenStore(redis))
    token = await view.fetch_token(Grants())
    await view.publish_cooldown(RateLimitError("slow down", status=429), 30)
    await RedisTokenStore(redis).lock(view.token_key, "holder", lease=30)
    dump = b""
    async for key in redis.scan_iter("*"):
        dump += key + b"\0" + (await redis.get(key) or b"") + b"\0"
    assert dump.count(b"\0") == 6
    for secret in (API_KEY, PASSWORD, token.value.reveal(), USERNAME, "manager", "1234567890"):
        assert secret.encode() not in dump
        assert secret.lower().encode() not in dump.lower()


async def test_a_token_sealed_under_another_password_is_renewed(redis: Redis) -> None:
    """After a password change the stored token cannot be opened: a new one replaces it."""
    grant = Grants()
    await shared(RedisTokenStore(redis), password="old-password").fetch_token(grant)
    token = await shared(RedisTokenStore(redis)).fetch_token(grant)
    assert (token.value.reveal(), grant.count) == ("secret-token-0002", 2)


async def test_the_memory_store_shares_one_token_between_views() -> None:
    """Views given one MemoryTokenStore share the token (kept unsealed, in this process)."""
    store = MemoryTokenStore()
    grant = Grants()
    tokens = await asyncio.gather(*(shared(store).fetch_token(grant) for _ in range(5)))
    assert (grant.count, len({t.value for t in tokens})) == (1, 1)
    assert next(iter(store._values.values()))[0].endswith("\nsecret-token-0001")


async def test_the_cooldown_reaches_every_view(redis: Redis) -> None:
    """A 429 published by one view is read by another with the time left and its status."""
    a, b = shared(RedisTokenStore(redis, cooldown_poll=0.2)), shared(RedisTokenStore(redis))
    assert b.cooldown_due()
    assert await b.shared_cooldown() is None
    await a.publish_cooldown(RateLimitError("slow down", status=429), 2.0)
    await a.publish_cooldown(ServerError("busy", status=503), 1.0)  # never shortens
    await a.publish_cooldown(ServerError("boom", status=500), 9.0)  # not a cooldown status
    cause = await b.shared_cooldown()
    assert isinstance(cause, RateLimitError)
    assert (cause.status, 1.9 < (cause.retry_after or 0) <= 2.0) == (429, True)
    assert a.cooldown_due()
    await a.shared_cooldown()
    assert not a.cooldown_due()


async def test_an_outage_falls_back_warns_once_and_recovers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Redis gone: tokens come from the grant, one warning; Redis back: the store is used."""
    server = RedisServer()
    server.start()
    client = Redis.from_url(server.url)
    try:
        view = shared(RedisTokenStore(client, retry_interval=0.2, timeout=0.3))
        grant = Grants()
        await view.fetch_token(grant)
        server.stop()
        with caplog.at_level(logging.INFO, "flinkey_async"):
            for _ in range(5):
                await view.fetch_token(grant)
                assert await view.shared_cooldown() is None
            await asyncio.sleep(0.25)
            await view.fetch_token(grant)
            assert grant.count == 7
            assert not view.available
            server.start()
            await asyncio.sleep(0.25)
            token = await view.fetch_token(grant)
            assert view.available
            assert (await shared(RedisTokenStore(client)).fetch_token(grant)).value == token.value
        assert grant.count == 8
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert (
            warnings[0]
            .getMessage()
            .startswith(
                "flinkey_async: the token store RedisTokenStore(namespace='flinkey') failed ("
            )
        )
        assert caplog.records[-1].getMessage() == (
            "flinkey_async: the token store RedisTokenStore(namespace='flinkey') answers again"
        )
    finally:
        await client.aclose()
        server.stop()
