"""Faults the fake server cannot inject by itself, shared by the chaos soak and the cancel fuzz.

- `FlakyConnector`: requests refused at connect, before anything is sent (a borrowed session).
- `WriteLedger`: a middleware for the fake (outermost) that notes how each write arrived and
  how it was answered, so a test can prove no write was acted on twice.
- `Drip`: a fault answering with the real body, sent in two parts with a pause between them,
  so a call can be caught while it reads the body.
"""

from __future__ import annotations

import asyncio
import errno
import json
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, Final

import aiohttp
import attrs
from aiohttp import web
from aiohttp.client_reqrep import ClientRequest
from aiohttp.connector import Connection
from aiohttp.tracing import Trace

from flinkey_async.testing import Fault

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
WriteKey = tuple[str, str, frozenset[tuple[str, Any]]]

REFUSED: Final = "refused"  # 429/503 with Retry-After: flinkey did not act on it
UNAUTHORIZED: Final = "401"  # the gateway refused the token before the API saw the request
RESET: Final = "reset"  # the fake dropped the connection (before its handler ran)
CUT: Final = "cut"  # the client hung up while the fake handled it


class FlakyConnector(aiohttp.TCPConnector):
    """A pooled connector that refuses a seeded share of requests before any connection.

    ``connect()`` is where aiohttp gets a connection for a request (from the pool or a new
    one). Raising there, as a refused TCP connect does, means no socket carries anything: the
    request provably never left the client. Kept-alive connections are pooled as usual, so
    resets after sending hit reused connections (where aiohttp's own silent resend would act).
    """

    def __init__(self, rate: float, seed: int, **options: Any) -> None:
        super().__init__(**options)
        self.rate = rate
        self.connects = 0
        self.refused = 0
        self._random = random.Random(seed)

    async def connect(
        self, req: ClientRequest, traces: list[Trace], timeout: aiohttp.ClientTimeout
    ) -> Connection:
        self.connects += 1
        if self._random.random() < self.rate:
            self.refused += 1
            refused = ConnectionRefusedError(errno.ECONNREFUSED, "injected: connection refused")
            raise aiohttp.ClientConnectorError(req.connection_key, refused)
        return await super().connect(req, traces, timeout)


def flaky_session(rate: float, seed: int, *, limit: int = 100) -> aiohttp.ClientSession:
    """A session whose connector refuses `rate` of the requests before sending them."""
    return aiohttp.ClientSession(connector=FlakyConnector(rate, seed, limit=limit))


def write_key(method: str, path: str, body: dict[str, Any]) -> WriteKey:
    """Identify a write by method, path and JSON body (independent of how it was serialised)."""
    return (method.upper(), path, frozenset(body.items()))


@attrs.define
class WriteLedger:
    """Every PUT/DELETE the fake received, per write key, with its verdict, in arrival order.

    A verdict is REFUSED, UNAUTHORIZED, RESET, CUT or the status the fake answered with; all but
    REFUSED and UNAUTHORIZED mean the request reached a fault or handler that may act on it.
    """

    arrivals: defaultdict[WriteKey, list[str | int]] = attrs.Factory(lambda: defaultdict(list))

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Note the verdict of every write (install this middleware first, before start)."""
        if request.method not in ("PUT", "DELETE"):
            return await handler(request)
        body = await request.read()
        try:
            fields = json.loads(body)
            key = write_key(request.method, request.path, fields)
        except (ValueError, TypeError, AttributeError):
            key = (request.method, request.path, frozenset({("raw", body)}))
        verdict: str | int = CUT
        try:
            response = await handler(request)
            transport = request.transport
            if transport is None or transport.is_closing():
                verdict = RESET
            elif response.status == 401:
                verdict = UNAUTHORIZED
            elif response.status in (429, 503) and "Retry-After" in response.headers:
                verdict = REFUSED
            else:
                verdict = response.status
            return response
        finally:
            self.arrivals[key].append(verdict)

    def acted(self, key: WriteKey) -> list[str | int]:
        """The arrivals of a write that the fake may have acted on."""
        return [v for v in self.arrivals.get(key, ()) if v not in (REFUSED, UNAUTHORIZED)]


@attrs.frozen
class Drip(Fault):
    """The real answer (whatever `status` says), its body sent in two halves `pause` s apart."""

    pause: float = 0.05

    async def apply(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Send the headers and half the body, wait, then send the rest."""
        answer = await handler(request)
        if not isinstance(answer, web.Response) or answer.body is None:
            raise TypeError("Drip needs a handler answering with a plain Response")
        body = bytes(answer.body)  # type: ignore[arg-type]
        response = web.StreamResponse(
            status=answer.status, headers={"Content-Type": answer.content_type}
        )
        response.content_length = len(body)
        half = len(body) // 2
        try:
            await response.prepare(request)
            await response.write(body[:half])
            await asyncio.sleep(self.pause)
            await response.write(body[half:])
            await response.write_eof()
        except ConnectionResetError:
            pass  # the client hung up (cancelled) before the answer was out: expected here
        return response
