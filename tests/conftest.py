"""Shared fixtures: a fresh fake flinkey server on loopback, and a client bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from flinkey_async import FlinkeyClient
from flinkey_async.testing import FakeFlinkey


@pytest.fixture
async def fake() -> AsyncIterator[FakeFlinkey]:
    """A seeded FakeFlinkey served on 127.0.0.1 in the test's own event loop."""
    async with FakeFlinkey() as server:
        yield server


@pytest.fixture
async def client(fake: FakeFlinkey) -> AsyncIterator[FlinkeyClient]:
    """A FlinkeyClient (customer 1) talking to the fake server."""
    async with fake.client() as flinkey:
        yield flinkey
