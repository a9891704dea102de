"""Small helpers shared by the reliability tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from flinkey_async import FlinkeyClient


async def wait_until(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Poll condition until it holds (the fake server has no events to wait on)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)


def acquired_connections(client: FlinkeyClient) -> int:
    """How many connections the client's connector has handed out and not yet got back."""
    session = client._engine.transport.session
    if session is None or session.connector is None:
        return 0
    return len(session.connector._acquired)
