"""Type-checked (never run) usage of flinkey_async.webhooks: ``mypy --strict tests/typing``."""

from __future__ import annotations

from typing import Any, assert_type

from aiohttp import web
from fastapi import FastAPI
from starlette.routing import Route

from flinkey_async import Secret
from flinkey_async.webhooks import (
    AssignmentCreated,
    AssignmentDeleted,
    AssignmentEvent,
    AssignmentUpdated,
    WebhookError,
    WebhookEvent,
    WebhookKind,
    parse,
    to_json,
    to_wire,
    verify,
    webhook_headers,
)
from flinkey_async.webhooks.aiohttp import Handler, webhook_handler
from flinkey_async.webhooks.asgi import WebhookApp

HEADERS = {"Secret": "s"}


def parsing(body: bytes, kind: str) -> None:
    """The kind picks the return type; an unknown kind or None the lenient event."""
    assert_type(parse(HEADERS, body, secret="s", kind="created"), AssignmentCreated)
    assert_type(parse(HEADERS, body, secret="s", kind=WebhookKind.CREATED), AssignmentCreated)
    assert_type(parse(HEADERS, body, secret="s", kind="updated"), AssignmentUpdated)
    assert_type(parse(HEADERS, body, secret=Secret("s"), kind="deleted"), AssignmentDeleted)
    assert_type(parse([(b"secret", b"s")], body, secret="s"), AssignmentEvent)
    assert_type(parse(HEADERS, body.decode(), secret="s", kind=kind), WebhookEvent)
    deleted = parse(HEADERS, body, secret="s", kind="deleted", max_body_bytes=1024)
    assert_type(deleted.assignment_id, int)
    assert_type(deleted.car_id, int | None)
    assert_type(to_json(deleted), bytes)
    assert_type(to_wire(deleted), dict[str, Any])
    assert_type(verify(HEADERS, secret="s"), None)
    assert_type(webhook_headers("s"), dict[str, str])
    try:
        verify(HEADERS, secret="s")
    except WebhookError as exc:
        assert_type(exc.http_status, int)


async def on_deleted(event: AssignmentDeleted) -> None:
    """A user's coroutine for deletions."""


async def on_any(event: WebhookEvent) -> None:
    """A user's coroutine for any event."""


def receivers() -> None:
    """The receivers accept a coroutine typed for the kind they are given."""
    handler = webhook_handler(secret="s", on_event=on_deleted, kind="deleted")
    assert_type(handler, Handler)
    web.Application().router.add_post("/hook", handler)
    webhook_handler(secret="s", on_event=on_any)
    webhook_handler(
        secret="s",
        on_event=on_deleted,  # type: ignore[arg-type]  # created events are not deletions
        kind="created",
    )
    app = FastAPI()
    app.router.routes.append(
        Route(
            "/hook", WebhookApp(secret="s", on_event=on_deleted, kind="deleted"), methods=["POST"]
        )
    )
