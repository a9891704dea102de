"""A client process for the fleet tests: waits for "go" in Redis, calls, prints what it got."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from redis.asyncio import Redis

from flinkey_async import FlinkeyClient
from flinkey_async.stores import RedisTokenStore


async def main(redis_url: str, role: str) -> None:
    redis = Redis.from_url(redis_url)
    store = RedisTokenStore(redis, lock_lease=float(os.environ.get("LOCK_LEASE", "10")))
    try:
        async with FlinkeyClient.from_env(token_store=store) as client:
            await redis.rpush("ready", os.getpid())
            while not await redis.exists("go", f"go:{role}"):  # noqa: ASYNC110 (another process)
                await asyncio.sleep(0.005)
            if role == "hold":  # take the lock and the token request, then hang (to be killed)
                await client._engine.tokens.get()
            service = await client.services.get(101)
            print(json.dumps({"pid": os.getpid(), "service": service.id}), flush=True)
    finally:
        await redis.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "call"))
