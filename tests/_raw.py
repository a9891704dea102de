"""A tiny aiohttp.web server on 127.0.0.1 that answers exactly what a test scripts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, Self

import attrs
from aiohttp import web
from yarl import URL

from flinkey_async import FlinkeyClient

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TOKEN_PATH = "/v3/oauth2/token"
API_KEY = "ak-raw-9c1d7f3e-secret"
USERNAME = "manager@example.com"
PASSWORD = "pw-raw-Tr0ub4dor&3 secret"


@attrs.frozen
class Seen:
    """One request as it arrived."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def token_answer(token: str = "tok-raw-1", expires_in: object = "3600") -> web.Response:
    """The token endpoint's JSON answer."""
    return web.json_response({"access_token": token, "expires_in": expires_in})


def json_answer(value: Any, status: int = 200, **headers: str) -> web.Response:
    """A JSON answer with extra headers."""
    return web.Response(
        status=status, body=json.dumps(value), content_type="application/json", headers=headers
    )


class RawServer:
    """Route (method, path) to a scripted handler; every request is recorded in `seen`."""

    def __init__(self, routes: dict[tuple[str, str], Handler] | None = None) -> None:
        self.routes: dict[tuple[str, str], Handler] = {("POST", TOKEN_PATH): self._token}
        self.routes.update(routes or {})
        self.seen: list[Seen] = []
        self.tokens = 0
        self._runner: web.AppRunner | None = None
        self.url = URL()

    async def _token(self, request: web.Request) -> web.StreamResponse:
        self.tokens += 1
        return token_answer(f"tok-raw-{self.tokens}")

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.seen.append(Seen(request.method, request.path, dict(request.headers), body))
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            return web.Response(status=404, text="no such route")
        return await handler(request)

    def count(self, path: str, method: str | None = None) -> int:
        """How many requests reached path (with this method, if given)."""
        return sum(1 for s in self.seen if s.path == path and method in (None, s.method))

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.url = URL.build(scheme="http", host=host, port=port, path="/v3")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def client(self, **options: Any) -> FlinkeyClient:
        """A client for this server (customer 1); options override."""
        settings: dict[str, Any] = {
            "api_key": API_KEY,
            "username": USERNAME,
            "password": PASSWORD,
            "customer_id": 1,
            "base_url": self.url,
        }
        settings.update(options)
        return FlinkeyClient(**settings)


class RawTcpServer:
    """A bare TCP server: a valid token answer, then exactly `answer` bytes (or a hang-up)."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.url = URL()
        self._server: asyncio.Server | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                length = 0
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                if b"/oauth2/token" in line:
                    body = json.dumps({"access_token": "tok-tcp-1", "expires_in": "3600"})
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(body), body.encode())
                    )
                elif not self.answer:
                    break  # hang up without answering
                else:
                    writer.write(self.answer)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = URL.build(scheme="http", host="127.0.0.1", port=port, path="/v3")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
