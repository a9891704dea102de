"""A ready flinkey webhook receiver for aiohttp web apps (the only module importing aiohttp).

app.router.add_post("/flinkey/webhook", webhook_handler(secret=..., on_event=handle))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeAlias, overload

from aiohttp import web

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

__all__ = ["Handler", "webhook_handler"]

Handler: TypeAlias = Callable[[web.Request], Awaitable[web.StreamResponse]]
"""An aiohttp request handler, as ``app.router.add_post`` takes it."""


@overload
def webhook_handler(
    *,
    secret: str | Secret,
    on_event: Callable[[AssignmentCreated], Awaitable[object]],
    kind: Literal[WebhookKind.CREATED, "created"],
    max_body_bytes: int = ...,
) -> Handler: ...
@overload
def webhook_handler(
    *,
    secret: str | Secret,
    on_event: Callable[[AssignmentUpdated], Awaitable[object]],
    kind: Literal[WebhookKind.UPDATED, "updated"],
    max_body_bytes: int = ...,
) -> Handler: ...
@overload
def webhook_handler(
    *,
    secret: str | Secret,
    on_event: Callable[[AssignmentDeleted], Awaitable[object]],
    kind: Literal[WebhookKind.DELETED, "deleted"],
    max_body_bytes: int = ...,
) -> Handler: ...
@overload
def webhook_handler(
    *,
    secret: str | Secret,
    on_event: Callable[[AssignmentEvent], Awaitable[object]],
    kind: None = None,
    max_body_bytes: int = ...,
) -> Handler: ...
@overload
def webhook_handler(
    *,
    secret: str | Secret,
    on_event: Callable[[WebhookEvent], Awaitable[object]],
    kind: WebhookKind | str | None = None,
    max_body_bytes: int = ...,
) -> Handler: ...
def webhook_handler(
    *,
    secret: str | Secret,
    on_event: Callable[[Any], Awaitable[object]],
    kind: WebhookKind | str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Handler:
    """Return an aiohttp handler that verifies, parses and hands each event to ``on_event``.

    Answers 204 once ``on_event`` returned, 401 for a missing or wrong secret (the body is
    then not read), 400 for a bad body, 413 for one over ``max_body_bytes``, 405 for other
    methods, and 500 (details only in the log) when ``on_event`` raises.
    """
    receiver = Receiver(secret, on_event, kind, max_body_bytes)

    async def flinkey_webhook(request: web.Request) -> web.StreamResponse:
        async def read_body(limit: int) -> bytes:
            declared = request.content_length
            if declared is not None and declared > limit:
                raise too_large(limit, declared)
            body = bytearray()
            async for chunk in request.content.iter_any():
                body += chunk
                if len(body) > limit:
                    raise too_large(limit)
            return bytes(body)

        status, text, headers = await receiver.answer(
            request.method, request.raw_headers, read_body
        )
        return web.Response(status=status, text=text or None, headers=dict(headers))

    return flinkey_webhook
