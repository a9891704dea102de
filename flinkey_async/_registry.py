"""The registry of every resource and route, read by the CLI, the fake server and the tests."""

from __future__ import annotations

from typing import Final

from ._client import FlinkeyClient
from ._endpoint import Endpoints, Route

RESOURCES: Final[dict[str, type[Endpoints]]] = FlinkeyClient.resources()
"""Each client attribute (``cars``, ``services``, ...) and the class serving it."""

ROUTES: Final[tuple[Route, ...]] = tuple(
    route for resource in RESOURCES.values() for route in resource.routes()
)
"""Every documented endpoint the SDK calls."""
