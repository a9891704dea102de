"""pytest fixtures (registered automatically): a running fake flinkey server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import FakeFlinkey


@pytest.fixture
def flinkey_fake() -> Iterator[FakeFlinkey]:
    """A fresh, seeded FakeFlinkey served from a background thread; works with any async plugin.

    Build the client inside your async test: ``async with flinkey_fake.client() as client:``.
    """
    with FakeFlinkey().run_in_thread() as fake:
        yield fake
