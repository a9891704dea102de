"""Scripted faults for the fake server: statuses, bodies, delays, resets, truncation, per route.

Examples::

    fake.faults.add("/v3/services", Fault(503, headers={"Retry-After": "1"}), times=2)
    fake.faults.add("/v3/services", Fault(reset=True))               # drop the connection
    fake.faults.add("/v3/services", Fault(status=None, truncate_to=10))  # real answer, cut short
    fake.faults.add("*", Fault(status=None, delay=0.5), times=None)  # slow down every GET
    fake.faults.add("*", Fault(503), times=None, rate=0.1)           # 10% of GETs, at random
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus

import attrs
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.frozen
class Fault:
    """One scripted answer that replaces, delays, cuts short or drops the real one.

    status: the status to answer with; None answers with the real handler's response.
    body, content_type, headers: the scripted answer (ignored when status is None); the default
        body is flinkey's "Internal server error." for a 500, the status's reason phrase
        otherwise ("Too Many Requests."), and empty for a 204.
    delay: seconds to wait first (the client's deadline or cancellation can hit here).
    reset: close the connection without answering (after the delay).
    truncate_to: send the headers with the full Content-Length, then only this many body
        bytes, then close the connection.
    """

    status: int | None = 500
    body: bytes | str = attrs.field(
        default=attrs.Factory(lambda fault: _default_body(fault.status), takes_self=True)
    )
    content_type: str = "text/plain"
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=dict)
    delay: float = 0.0
    reset: bool = False
    truncate_to: int | None = None

    async def apply(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Answer the request as scripted."""
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reset:
            return _drop(request)
        if self.status is None:
            response = await handler(request)
            if self.truncate_to is None:
                return response
            if not isinstance(response, web.Response) or response.body is None:
                raise TypeError("truncate_to needs a handler answering with a plain Response")
            body = bytes(response.body)  # type: ignore[arg-type]
            status, headers = response.status, {"Content-Type": response.content_type}
        else:
            body = self.body.encode() if isinstance(self.body, str) else self.body
            status, headers = self.status, {"Content-Type": self.content_type}
        headers.update(self.headers)
        if self.truncate_to is None:
            return web.Response(status=status, body=body, headers=headers)
        return await _truncated(request, status, headers, body, self.truncate_to)


def _default_body(status: int | None) -> bytes:
    if status == 500:
        return b"Internal server error."
    if status is None or status == 204:
        return b""
    try:
        return f"{HTTPStatus(status).phrase}.".encode()
    except ValueError:
        return b""


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection; the response returned is never written (aiohttp drops it quietly)."""
    transport = request.transport
    if transport is not None:
        transport.close()
    return web.Response(status=500)


async def _truncated(
    request: web.Request, status: int, headers: dict[str, str], body: bytes, keep: int
) -> web.StreamResponse:
    response = web.StreamResponse(status=status, headers=headers)
    response.content_length = len(body)
    await response.prepare(request)
    await response.write(body[:keep])
    _drop(request)
    return response


@attrs.define
class _Rule:
    method: str
    path: str
    fault: Fault
    remaining: int | None
    rate: float
    fired: int = 0


@attrs.define
class FaultPlan:
    """Faults keyed by method and path, tried in the order added.

    A rule fires at most ``times`` times (None: forever); with ``rate`` it fires only for
    that share of the matching requests, drawn from a seeded random generator.
    """

    rules: list[_Rule] = attrs.Factory(list)
    seed: int = 0
    _random: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def add(
        self,
        path: str,
        fault: Fault,
        *,
        method: str = "GET",
        times: int | None = 1,
        rate: float = 1.0,
    ) -> None:
        """Script a fault for requests to path ("/v3/services", or "*" for every path)."""
        if not 0.0 < rate <= 1.0:
            raise ValueError("rate must be in (0, 1]")
        self.rules.append(_Rule(method.upper(), path, fault, times, rate))

    def clear(self) -> None:
        """Remove every scripted fault."""
        self.rules.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """Return (and count) the first fault that fires for a request, if any."""
        for rule in self.rules:
            if rule.method != method or rule.path not in (path, "*") or rule.remaining == 0:
                continue
            if rule.rate < 1.0 and self._random.random() >= rule.rate:
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
            rule.fired += 1
            return rule.fault
        return None

    def fired(self, fault: Fault | None = None) -> int:
        """How many times faults (or rules scripting this fault) have fired."""
        return sum(r.fired for r in self.rules if fault is None or r.fault == fault)

    def __bool__(self) -> bool:
        return any(rule.remaining != 0 for rule in self.rules)
