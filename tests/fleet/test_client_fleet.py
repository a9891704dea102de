"""Clients sharing a store through the whole HTTP path: cooldown, 401 replays, Redis outages."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from _helpers import wait_until
from _redis_server import RedisServer
from redis.asyncio import Redis

from flinkey_async import FlinkeyClient
from flinkey_async.stores import MemoryTokenStore, RedisTokenStore
from flinkey_async.testing import FakeFlinkey, Fault


def process(fake: FakeFlinkey, server: RedisServer, **options: float) -> FlinkeyClient:
    """A client with its own Redis connection, as a separate worker process would have."""
    return fake.client(token_store=RedisTokenStore(Redis.from_url(server.url), **options))


async def close(*clients: FlinkeyClient) -> None:
    for client in clients:
        store = client._engine.shared.store  # type: ignore[union-attr]
        await client.aclose()
        await store.redis.aclose()  # type: ignore[attr-defined]


async def test_a_429_seen_by_one_client_pauses_the_other(
    fake: FakeFlinkey, redis: Redis, redis_server: RedisServer
) -> None:
    """B's call waits for the cooldown that A was given, without B ever seeing a 429."""
    a, b = process(fake, redis_server), process(fake, redis_server)
    try:
        await asyncio.gather(a.services.get(101), b.services.get(101))
        fake.faults.add("/v3/services/102", Fault(429, headers={"Retry-After": "1"}))
        first = asyncio.create_task(a.services.get(102))
        await wait_until(lambda: not fake.faults)
        refused = time.monotonic()
        await asyncio.sleep(0.3)  # past B's cooldown_poll
        assert (await b.services.get(103)).id == 103
        assert (await first).id == 102
        late = [r for r in fake.api_requests() if r.received > refused]
        assert sorted(r.path for r in late) == ["/v3/services/102", "/v3/services/103"]
        assert min(r.received for r in late) - refused >= 0.95
        assert fake.count("/v3/services/103") == 1
    finally:
        await close(a, b)


async def test_a_401_replay_keeps_a_token_another_client_renewed(
    fake: FakeFlinkey, redis: Redis, redis_server: RedisServer
) -> None:
    """Both tokens die: A renews once; B's 401 does not drop A's new token (two grants, not 3)."""
    a, b = process(fake, redis_server), process(fake, redis_server)
    try:
        await a.services.get(101)
        await b.services.get(101)
        fake.expire_tokens()
        await a.services.get(102)
        await b.services.get(102)
        assert len(fake.token_requests()) == 2
        old, new = fake.issued_tokens()
        last = [r.headers["Authorization"] for r in fake.api_requests()[-4:]]
        assert last == [f"Bearer {old}", f"Bearer {new}", f"Bearer {old}", f"Bearer {new}"]
    finally:
        await close(a, b)


async def test_stopping_redis_mid_run_fails_no_call_and_warns_once(
    fake: FakeFlinkey, caplog: pytest.LogCaptureFixture
) -> None:
    """Calls go on through an outage (one warning); afterwards the store is used again."""
    server = RedisServer()
    server.start()
    client = process(fake, server, retry_interval=0.2, timeout=0.3, cooldown_poll=0.01)
    try:
        with caplog.at_level(logging.INFO, "flinkey_async"):
            for number in range(30):
                if number == 10:
                    server.stop()
                if number == 15:
                    fake.expire_tokens()  # a renewal during the outage: a local grant
                if number == 20:
                    server.start()
                    await asyncio.sleep(0.25)
                assert (await client.services.get(101)).id == 101
                await asyncio.sleep(0.02)
            fake.expire_tokens()
            await client.services.get(101)
        store = "flinkey_async: the token store RedisTokenStore(namespace='flinkey')"
        levels = [(r.levelname, r.getMessage().split(" (")[0]) for r in caplog.records]
        assert levels == [("WARNING", f"{store} failed"), ("INFO", f"{store} answers again")]
        assert len(fake.token_requests()) == 3
        async with Redis.from_url(server.url) as check:
            assert len(await check.keys("flinkey:*:token")) == 1
    finally:
        await close(client)
        server.stop()


async def test_clients_given_one_memory_store_share_a_token(fake: FakeFlinkey) -> None:
    """A MemoryTokenStore shares one token between the clients of a process."""
    store = MemoryTokenStore()
    async with fake.client(token_store=store) as a, fake.client(token_store=store) as b:
        await asyncio.gather(*(c.services.get(101) for c in (a, b) for _ in range(5)))
    assert len(fake.token_requests()) == 1


def test_the_token_store_is_checked() -> None:
    """Anything but a TokenStore is refused before any I/O."""
    with pytest.raises(TypeError, match=r"token_store must be a flinkey_async\.stores\.Token"):
        FlinkeyClient(
            api_key="k",
            username="u",
            password="p",
            token_store=object(),  # type: ignore[arg-type]
        )
