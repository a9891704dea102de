"""Type-checked (never run) usage of token stores and OpenTelemetry (mypy --strict)."""

from __future__ import annotations

from typing import assert_type

from redis.asyncio import Redis

from flinkey_async import FlinkeyClient
from flinkey_async.otel import OpenTelemetry
from flinkey_async.stores import MemoryTokenStore, RedisTokenStore, StoreOptions, TokenStore


def build(redis: Redis) -> None:
    """Both stores are TokenStores; their options are typed keyword arguments."""
    shared: TokenStore = RedisTokenStore(redis, namespace="fleet", lock_lease=5.0, timeout=0.2)
    local: TokenStore = MemoryTokenStore(refresh_jitter=10.0)
    assert_type(shared.options, StoreOptions)
    assert_type(local.local, bool)
    FlinkeyClient(api_key="k", username="u", password="p", token_store=shared)
    FlinkeyClient(api_key="k", username="u", password="p", opentelemetry=True)
    FlinkeyClient(
        api_key="k", username="u", password="p", opentelemetry=OpenTelemetry(tracer_provider=None)
    )
    RedisTokenStore(redis, lease=5.0)  # type: ignore[call-arg]
    FlinkeyClient(api_key="k", username="u", password="p", token_store=redis)  # type: ignore[arg-type]


async def read(store: TokenStore) -> None:
    """The store's operations are typed."""
    assert_type(await store.get_token("id"), tuple[str, float] | None)
    assert_type(await store.get_cooldown("id"), tuple[float, int] | None)
    assert_type(await store.lock("id", "me", lease=1.0), bool)
