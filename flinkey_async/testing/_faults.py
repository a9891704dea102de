"""Scripted faults for the fake server: wrong statuses, bodies, delays, per route."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import attrs
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.frozen
class Fault:
    """One scripted answer that replaces (or delays) the real one."""

    status: int | None = 500
    body: bytes | str = b"Internal server error."
    content_type: str = "text/plain"
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=dict)
    delay: float = 0.0

    async def apply(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Answer the request as scripted (status None: delay, then answer normally)."""
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status is None:
            return await handler(request)
        body = self.body.encode() if isinstance(self.body, str) else self.body
        return web.Response(
            status=self.status,
            body=body,
            headers={"Content-Type": self.content_type, **self.headers},
        )


@attrs.define
class _Rule:
    method: str
    path: str
    fault: Fault
    remaining: int | None


@attrs.define
class FaultPlan:
    """Faults keyed by method and path; each fires a set number of times (None: forever)."""

    rules: list[_Rule] = attrs.Factory(list)

    def add(self, path: str, fault: Fault, *, method: str = "GET", times: int | None = 1) -> None:
        """Script a fault for requests to path ("/v3/services", or "*" for every path)."""
        self.rules.append(_Rule(method.upper(), path, fault, times))

    def clear(self) -> None:
        """Remove every scripted fault."""
        self.rules.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """Return (and count) the first fault matching a request, if any."""
        for rule in self.rules:
            if rule.method == method and rule.path in (path, "*") and rule.remaining != 0:
                if rule.remaining is not None:
                    rule.remaining -= 1
                return rule.fault
        return None

    def __bool__(self) -> bool:
        return any(rule.remaining != 0 for rule in self.rules)
