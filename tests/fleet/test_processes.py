"""Real processes sharing one Redis: one grant for a cold fleet, a dead holder taken over."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from _helpers import wait_until
from _redis_server import RedisServer
from redis.asyncio import Redis

from flinkey_async.testing import FakeFlinkey, Fault

WORKER = str(Path(__file__).with_name("_worker.py"))


async def spawn(fake: FakeFlinkey, server: RedisServer, role: str = "call", **env: str) -> Any:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        WORKER,
        server.url,
        role,
        stdout=asyncio.subprocess.PIPE,
        env={
            **os.environ,
            "FLINKEY_BASE_URL": str(fake.url),
            "FLINKEY_API_KEY": fake.api_key,
            "FLINKEY_USERNAME": fake.username,
            "FLINKEY_PASSWORD": fake.password,
            "FLINKEY_CUSTOMER_ID": "1",
            **env,
        },
    )


async def wait_ready(redis: Redis, count: int) -> None:
    deadline = time.monotonic() + 30
    while await redis.llen("ready") < count:
        assert time.monotonic() < deadline, "the worker processes did not start"
        await asyncio.sleep(0.01)


async def test_four_cold_processes_send_one_password_grant(
    fake: FakeFlinkey, redis: Redis, redis_server: RedisServer
) -> None:
    """Started at once (a slow token endpoint widens the race), they share one token."""
    fake.faults.add("/v3/oauth2/token", Fault(status=None, delay=0.3), method="POST")
    processes = [await spawn(fake, redis_server) for _ in range(4)]
    await wait_ready(redis, 4)
    await redis.set("go", 1)
    outputs = [json.loads((await p.communicate())[0]) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0]
    assert sorted(o["pid"] for o in outputs) == sorted(p.pid for p in processes)
    assert {o["service"] for o in outputs} == {101}
    assert len(fake.token_requests()) == 1
    assert len({r.headers["Authorization"] for r in fake.api_requests()}) == 1


async def test_a_killed_lock_holder_is_taken_over_after_the_lease(
    fake: FakeFlinkey, redis: Redis, redis_server: RedisServer
) -> None:
    """The process holding the lock dies mid token request; another takes over after 1 s."""
    fake.faults.add("/v3/oauth2/token", Fault(status=None, delay=30), method="POST")
    holder = await spawn(fake, redis_server, "hold", LOCK_LEASE="1")
    other = await spawn(fake, redis_server, LOCK_LEASE="1")
    await wait_ready(redis, 2)
    await redis.set("go:hold", 1)
    await wait_until(lambda: bool(fake.token_requests()))
    locked = time.monotonic()
    assert len(await redis.keys("*:lock")) == 1
    await redis.set("go:call", 1)
    await asyncio.sleep(0.3)  # the other process now waits for the holder
    holder.send_signal(signal.SIGKILL)
    await holder.wait()
    output = json.loads((await other.communicate())[0])
    assert (other.returncode, output["service"]) == (0, 101)
    first, second = fake.token_requests()
    assert 1.0 <= second.received - first.received < 1.5
    assert second.received - locked < 1.5
