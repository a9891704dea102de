"""Both token stores keep the same contract, checked against a real Redis server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from _redis_server import RedisServer
from redis.asyncio import Redis

from flinkey_async.stores import MemoryTokenStore, RedisTokenStore, StoreOptions, TokenStore


@pytest.fixture(params=["memory", "redis", "redis-text"])
async def store(request: pytest.FixtureRequest, redis_server: RedisServer) -> AsyncIterator[Any]:
    """Each store; "redis-text" is a Redis client that decodes replies to str."""
    if request.param == "memory":
        yield MemoryTokenStore()
        return
    client = Redis.from_url(redis_server.url, decode_responses=request.param == "redis-text")
    await client.flushdb()
    yield RedisTokenStore(client, namespace="test")
    await client.aclose()


async def test_a_token_is_kept_until_its_ttl(store: TokenStore) -> None:
    """put/get round-trip the value with the seconds left; it is gone once the ttl passes."""
    assert await store.get_token("k") is None
    await store.put_token("k", "v1.sealed", ttl=60)
    value, left = await store.get_token("k") or ("", 0.0)
    assert value == "v1.sealed"
    assert 59 < left <= 60
    await store.put_token("k", "other", ttl=0.05)
    assert (await store.get_token("k") or ("",))[0] == "other"
    await asyncio.sleep(0.1)
    assert await store.get_token("k") is None


async def test_a_token_is_dropped_only_if_it_is_still_the_same(store: TokenStore) -> None:
    """drop_token is a compare-and-delete: a newer token stays."""
    await store.put_token("k", "new", ttl=60)
    assert await store.drop_token("k", "old") is False
    assert (await store.get_token("k") or ("",))[0] == "new"
    assert await store.drop_token("k", "new") is True
    assert await store.get_token("k") is None
    assert await store.drop_token("k", "new") is False


async def test_the_lock_has_one_owner_and_lapses_after_its_lease(store: TokenStore) -> None:
    """lock() succeeds once; unlock() by another owner does nothing; the lease ends it."""
    assert await store.lock("k", "a", lease=0.2) is True
    assert await store.lock("k", "b", lease=10) is False
    await store.unlock("k", "b")
    assert await store.lock("k", "b", lease=10) is False
    await store.unlock("k", "a")
    assert await store.lock("k", "b", lease=0.1) is True
    await asyncio.sleep(0.15)
    assert await store.lock("k", "c", lease=10) is True


async def test_the_lock_and_the_token_are_separate_entries(store: TokenStore) -> None:
    """Holding the lock hides nothing: the token is still read and written."""
    await store.put_token("k", "t", ttl=60)
    assert await store.lock("k", "a", lease=10) is True
    assert (await store.get_token("k") or ("",))[0] == "t"


async def test_the_cooldown_is_only_ever_extended(store: TokenStore) -> None:
    """extend_cooldown keeps the later end and the status that set it; it ends on time."""
    assert await store.get_cooldown("api") is None
    await store.extend_cooldown("api", 2.0, status=429)
    await store.extend_cooldown("api", 1.0, status=503)
    left, status = await store.get_cooldown("api") or (0.0, 0)
    assert (1.9 < left <= 2.0, status) == (True, 429)
    await store.extend_cooldown("api", 0.1, status=503)
    await store.extend_cooldown("api", 3.0, status=503)
    left, status = await store.get_cooldown("api") or (0.0, 0)
    assert (2.9 < left <= 3.0, status) == (True, 503)
    await store.extend_cooldown("short", 0.05, status=429)
    await asyncio.sleep(0.1)
    assert await store.get_cooldown("short") is None


async def test_redis_keys_are_namespaced_and_hash_tagged(redis: Redis) -> None:
    """Every entry of one credential lives in one cluster slot: {id} is the hash tag."""
    store = RedisTokenStore(redis, namespace="fleet-a")
    await store.put_token("abc", "t", ttl=60)
    await store.lock("abc", "me", lease=60)
    await store.extend_cooldown("def", 60, status=429)
    assert sorted(await redis.keys("*")) == [
        b"fleet-a:{abc}:lock",
        b"fleet-a:{abc}:token",
        b"fleet-a:{def}:cooldown",
    ]


async def test_a_key_without_expiry_is_not_a_token(redis: Redis) -> None:
    """A value someone wrote by hand (no TTL) is ignored rather than trusted forever."""
    await redis.set("flinkey:{k}:token", "forever")
    assert await RedisTokenStore(redis).get_token("k") is None


async def test_redis_store_arguments_are_checked(redis: Redis) -> None:
    """The client must be an asyncio Redis; the namespace a plain word; options positive."""
    import redis as sync_redis

    with pytest.raises(TypeError, match=r"redis\.asyncio\.Redis"):
        RedisTokenStore(sync_redis.Redis())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="namespace"):
        RedisTokenStore(redis, namespace="a b")
    with pytest.raises(ValueError, match="lock_lease"):
        RedisTokenStore(redis, lock_lease=0)
    with pytest.raises(ValueError, match="refresh_jitter"):
        MemoryTokenStore(refresh_jitter=-1)
    assert RedisTokenStore(redis, lock_wait=3).options == StoreOptions(lock_wait=3)
    assert isinstance(RedisTokenStore(redis), TokenStore)
    assert isinstance(MemoryTokenStore(), TokenStore)
    assert repr(RedisTokenStore(redis, namespace="x")) == "RedisTokenStore(namespace='x')"


def test_importing_the_package_and_the_stores_loads_no_optional_dependency() -> None:
    """flinkey_async and flinkey_async.stores import neither redis, cryptography nor OTel."""
    code = (
        "import sys, flinkey_async, flinkey_async.stores\n"
        "print(sorted(m for m in ('redis', 'cryptography', 'opentelemetry', 'aiohttp') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
