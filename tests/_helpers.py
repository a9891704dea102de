"""Small helpers shared by the reliability tests."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

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


def publish_report(report: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Print a soak/fuzz report: captured (shown on failure), and with FLINKEY_SOAK_REPORT set
    also on the terminal and, unless the value is 1, appended to the file it names."""
    print(report)
    target = os.environ.get("FLINKEY_SOAK_REPORT")
    if not target:
        return
    with capsys.disabled():
        print("\n" + report)
    if target != "1":
        with Path(target).open("a") as out:
            out.write(report + "\n")
