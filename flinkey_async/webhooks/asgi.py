"""A ready flinkey webhook receiver as a pure ASGI app (FastAPI, Starlette, any ASGI server).

    routes = [Route("/flinkey/webhook", WebhookApp(secret=..., on_event=handle), methods=["POST"])]

A class instance, not a function: Starlette's ``Route`` treats a plain function as a
request/response endpoint, but mounts any other callable as an ASGI app. It needs no
framework at all, so it imports none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Literal, TypeAlias, overload

from .._secret import Secret
from ._codec import DEFAULT_MAX_BODY_BYTES, too_large
from ._events import (
    AssignmentCreated,
    AssignmentDeleted,
    AssignmentEvent,
    AssignmentUpdated,
    WebhookEvent,
    WebhookKind,
)
from ._receive import Receiver

__all__ = ["WebhookApp"]

Scope: TypeAlias = MutableMapping[str, Any]
Message: TypeAlias = MutableMapping[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
Send: TypeAlias = Callable[[Message], Awaitable[None]]


class _Disconnected(Exception):
    """The client went away before the body was complete; there is no one to answer."""


class WebhookApp:
    """An ASGI app that verifies, parses and hands each flinkey webhook event to ``on_event``.

    Answers 204 once ``on_event`` returned, 401 for a missing or wrong secret (the body is
    then not read), 400 for a bad body, 413 for one over ``max_body_bytes``, 405 for other
    methods, and 500 (details only in the log) when ``on_event`` raises.
    """

    __slots__ = ("_receiver",)

    @overload
    def __init__(
        self,
        *,
        secret: str | Secret,
        on_event: Callable[[AssignmentCreated], Awaitable[object]],
        kind: Literal[WebhookKind.CREATED, "created"],
        max_body_bytes: int = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        *,
        secret: str | Secret,
        on_event: Callable[[AssignmentUpdated], Awaitable[object]],
        kind: Literal[WebhookKind.UPDATED, "updated"],
        max_body_bytes: int = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        *,
        secret: str | Secret,
        on_event: Callable[[AssignmentDeleted], Awaitable[object]],
        kind: Literal[WebhookKind.DELETED, "deleted"],
        max_body_bytes: int = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        *,
        secret: str | Secret,
        on_event: Callable[[AssignmentEvent], Awaitable[object]],
        kind: None = None,
        max_body_bytes: int = ...,
    ) -> None: ...
    @overload
    def __init__(
        self,
        *,
        secret: str | Secret,
        on_event: Callable[[WebhookEvent], Awaitable[object]],
        kind: WebhookKind | str | None = None,
        max_body_bytes: int = ...,
    ) -> None: ...
    def __init__(
        self,
        *,
        secret: str | Secret,
        on_event: Callable[[Any], Awaitable[object]],
        kind: WebhookKind | str | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self._receiver = Receiver(secret, on_event, kind, max_body_bytes)

    def __repr__(self) -> str:
        return f"WebhookApp({self._receiver!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection: HTTP webhooks; lifespan if it is the top-level app."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            await send({"type": "websocket.close", "code": 1008})
            return
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers", ()))

        async def read_body(limit: int) -> bytes:
            declared = _content_length(headers)
            if declared is not None and declared > limit:
                raise too_large(limit, declared)
            body = bytearray()
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise _Disconnected
                body += message.get("body", b"")
                if len(body) > limit:
                    raise too_large(limit)
                if not message.get("more_body", False):
                    return bytes(body)

        try:
            status, text, extra = await self._receiver.answer(scope["method"], headers, read_body)
        except _Disconnected:
            return
        payload = text.encode()
        response_headers = [(name.lower().encode(), value.encode()) for name, value in extra]
        if payload:
            response_headers += [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(payload)).encode()),
            ]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": payload})


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses such a request before it gets here
    return None


async def _lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge start-up and shut-down, for when WebhookApp is the whole application."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
