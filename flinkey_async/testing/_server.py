"""FakeFlinkey: an aiohttp server on 127.0.0.1 that answers like the flinkey API v3."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self

import attrs
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .._client import FlinkeyClient
from ._api import API_KEY, PASSWORD, USERNAME, FlinkeyApi
from ._faults import FaultPlan
from ._store import FakeStore, seeded_store

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.frozen
class RecordedRequest:
    """One request as it arrived: method, raw path with query string, headers, body, time."""

    method: str
    raw_path: str
    headers: CIMultiDictProxy[str]
    body: bytes
    received: float = attrs.field(factory=time.monotonic, eq=False)

    @property
    def path(self) -> str:
        """The raw path without the query string."""
        return self.raw_path.split("?", 1)[0]

    @property
    def raw_query_string(self) -> str:
        """The query string exactly as sent (still percent-encoded)."""
        return self.raw_path.partition("?")[2]


class FakeFlinkey(FlinkeyApi):
    """The flinkey API v3 (token + Services endpoints) in memory, served on loopback."""

    def __init__(
        self,
        *,
        api_key: str = API_KEY,
        username: str = USERNAME,
        password: str = PASSWORD,
        customers: tuple[int, ...] | None = None,
        token_lifetime: float = 3600,
        store: FakeStore | None = None,
    ) -> None:
        self.api_key = api_key
        self.username = username
        self.password = password
        self.token_lifetime = token_lifetime
        self._next_lifetimes: list[float] = []
        self.store = seeded_store() if store is None else store
        # The customers the API manager may act for (default: every customer in the store).
        self.customers = set(self.store.customers if customers is None else customers)
        self.requests: list[RecordedRequest] = []
        self.faults = FaultPlan()
        self.manager_known = True
        self.in_flight = 0
        self.max_in_flight = 0
        self._tokens: dict[str, float] = {}
        self._issued: list[str] = []
        self._runner: web.AppRunner | None = None
        self._url: URL | None = None
        self.app = self._make_app()

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> URL:
        """The base URL (http://127.0.0.1:PORT/v3) to give FlinkeyClient."""
        if self._url is None:
            raise RuntimeError("the fake server is not running; use 'async with FakeFlinkey()'")
        return self._url

    async def start(self, *, host: str = "127.0.0.1", port: int = 0) -> URL:
        """Start serving on host:port (0 picks a free port) and return the base URL."""
        # handler_cancellation: a client that hangs up (or is cancelled) ends a delayed fault.
        runner = web.AppRunner(
            self.app,
            access_log=None,
            handle_signals=False,
            handler_cancellation=True,
            shutdown_timeout=5.0,
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port, reuse_address=True)
        await site.start()
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self._url = URL.build(scheme="http", host=bound_host, port=bound_port, path="/v3")
        return self._url

    async def close(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @contextmanager
    def run_in_thread(self) -> Iterator[Self]:
        """Serve from a background thread with its own loop (for sync fixtures and scripts)."""
        loop = asyncio.new_event_loop()
        started = threading.Event()
        thread = threading.Thread(target=_serve_forever, args=(loop, started), daemon=True)
        thread.start()
        started.wait()
        asyncio.run_coroutine_threadsafe(self.start(), loop).result(timeout=10)
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.close(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()

    def client(self, **options: Any) -> FlinkeyClient:
        """Return a FlinkeyClient with this server's URL and credentials (options override)."""
        settings: dict[str, Any] = {
            "api_key": self.api_key,
            "username": self.username,
            "password": self.password,
            "customer_id": min(self.customers) if self.customers else None,
            "base_url": self.url,
        }
        settings.update(options)
        return FlinkeyClient(**settings)

    # -- test controls -----------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Make every issued token invalid at once (the client learns it from a 401)."""
        self._tokens.clear()

    def issued_tokens(self) -> list[str]:
        """Every access token this server has issued, oldest first."""
        return list(self._issued)

    def schedule_token_lifetimes(self, *seconds: float) -> None:
        """Give the next tokens these lifetimes, in order (expires_in is rounded up to whole s).

        Later tokens get token_lifetime again. A token the client renews on time never
        causes a 401; use expire_tokens() for a token that dies early.
        """
        if any(not 0 < s < float("inf") for s in seconds):
            raise ValueError("token lifetimes must be positive, finite numbers of seconds")
        self._next_lifetimes.extend(seconds)

    def count(self, path: str | None = None, *, method: str | None = None) -> int:
        """How many requests (attempts) arrived, optionally only to a path and/or method.

        path is the full path ("/v3/services"); the query string is ignored.
        """
        return sum(
            1
            for r in self.requests
            if (path is None or r.path == path) and (method is None or r.method == method.upper())
        )

    def token_requests(self) -> list[RecordedRequest]:
        """The recorded POST /oauth2/token requests."""
        return [r for r in self.requests if r.path.endswith("/oauth2/token")]

    def api_requests(self) -> list[RecordedRequest]:
        """The recorded requests other than token requests."""
        return [r for r in self.requests if not r.path.endswith("/oauth2/token")]

    # -- the application ---------------------------------------------------------------------

    def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._record, self._inject_faults])
        app.router.add_post("/v3/oauth2/token", self._token)
        app.router.add_get("/v3/services", self._list_services)
        app.router.add_get("/v3/services/{service_id:\\d+}", self._get_service)
        app.router.add_get("/v3/services/{service_id:\\d+}/products", self._get_product)
        return app

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(
            RecordedRequest(
                request.method,
                request.raw_path,
                CIMultiDictProxy(CIMultiDict(request.headers)),
                body,
            )
        )
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await handler(request)
        finally:
            self.in_flight -= 1

    @web.middleware
    async def _inject_faults(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        fault = self.faults.take(request.method, request.path)
        if fault is None:
            return await handler(request)
        return await fault.apply(request, handler)


def _serve_forever(loop: asyncio.AbstractEventLoop, started: threading.Event) -> None:
    asyncio.set_event_loop(loop)
    loop.call_soon(started.set)
    loop.run_forever()
