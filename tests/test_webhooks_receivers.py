"""The ready receivers end to end: a real aiohttp server, real Starlette and FastAPI apps."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import aiohttp
import httpx
import pytest
from aiohttp import web
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.routing import Route

from flinkey_async import Secret
from flinkey_async.webhooks import (
    AssignmentDeleted,
    AssignmentEvent,
    WebhookEvent,
    to_json,
    webhook_headers,
)
from flinkey_async.webhooks.aiohttp import webhook_handler
from flinkey_async.webhooks.asgi import WebhookApp

SECRET = "whs-4b9d1e7a-very-secret"
WRONG = "whs-received-but-WRONG"
PATH = "/flinkey/webhook"
LIMIT = 4096
DELETED = AssignmentDeleted(
    checksum="12AB34567C8DE9012F3A45BCDE678901",
    assignment_id=501,
    car_id=11,
    customer_id=1,
    operation_succeeded=True,
)
OK_HEADERS = webhook_headers(SECRET, target_address="https://example.test/flinkey/webhook")

# (method, headers, body) -> (status, text); body may be an async iterator (sent chunked).
Post: TypeAlias = Callable[..., Awaitable[tuple[int, str]]]
OnEvent: TypeAlias = Callable[[Any], Awaitable[None]]


class Receivers:
    """What the receiver under test handed to on_event."""

    def __init__(self) -> None:
        self.events: list[WebhookEvent] = []
        self.fail = False

    async def on_event(self, event: Any) -> None:
        if self.fail:
            raise RuntimeError(f"database down; secret is {SECRET}")
        self.events.append(event)


@asynccontextmanager
async def aiohttp_server(handler: Any) -> AsyncIterator[str]:
    """Serve ``handler`` for every method on a real aiohttp server on 127.0.0.1."""
    app = web.Application()
    app.router.add_route("*", PATH, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}{PATH}"
    finally:
        await runner.cleanup()


@pytest.fixture(params=["aiohttp", "starlette", "fastapi", "asgi"])
async def post(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Post, Receivers]]:
    """A request function against each receiver, configured for AssignmentDeleted events."""
    seen = Receivers()
    kwargs: dict[str, Any] = {
        "secret": SECRET,
        "on_event": seen.on_event,
        "kind": "deleted",
        "max_body_bytes": LIMIT,
    }
    if request.param == "aiohttp":
        async with (
            aiohttp_server(webhook_handler(**kwargs)) as url,
            aiohttp.ClientSession() as session,
        ):

            async def via_aiohttp(method: str, headers: Any, body: Any) -> tuple[int, str]:
                async with session.request(method, url, headers=headers, data=body) as response:
                    return response.status, await response.text()

            yield via_aiohttp, seen
        return
    receiver = WebhookApp(**kwargs)
    if request.param == "starlette":
        app: Any = Starlette(routes=[Route(PATH, receiver, methods=["POST"])])
    elif request.param == "fastapi":
        app = FastAPI()
        app.router.routes.append(Route(PATH, receiver, methods=["POST"]))
    else:
        app = receiver
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hooks.test") as client:

        async def via_asgi(method: str, headers: Any, body: Any) -> tuple[int, str]:
            response = await client.request(method, PATH, headers=headers, content=body)
            return response.status_code, response.text

        yield via_asgi, seen


class Chunked:
    """A body sent without Content-Length, in chunks; it can be sent again (parametrized)."""

    def __init__(self, *parts: bytes) -> None:
        self.parts = parts

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for part in self.parts:
            yield part


async def test_delivers_the_event(post: tuple[Post, Receivers]) -> None:
    """A valid request is answered 204 after on_event got the parsed event."""
    send, seen = post
    assert await send("POST", OK_HEADERS, to_json(DELETED)) == (204, "")
    assert await send("POST", {"secret": SECRET}, Chunked(to_json(DELETED))) == (204, "")
    assert seen.events == [DELETED, DELETED]


BAD_JSON = "the webhook body is not valid JSON (Expecting value at line 1 column 1)"
NOT_OBJECT = "the webhook body is not a payload: $: expected an object, got an array"


@pytest.mark.parametrize(
    ("headers", "body", "status", "text"),
    [
        ({}, to_json(DELETED), 401, "the webhook request has no Secret header"),
        (
            {"Secret": WRONG},
            to_json(DELETED),
            401,
            "the webhook request's Secret header does not match the configured secret",
        ),
        (
            {"Secret": WRONG},
            b"x" * (LIMIT * 4),
            401,
            "the webhook request's Secret header does not match the configured secret",
        ),
        ({"Secret": SECRET}, b"checksum=1", 400, BAD_JSON),
        ({"Secret": SECRET}, b"", 400, "the webhook body is empty"),
        ({"Secret": SECRET}, b"[" + to_json(DELETED) + b"]", 400, NOT_OBJECT),
        (
            {"Secret": SECRET},
            to_json(DELETED).replace(b'"carId":11', b'"carId":"11"'),
            400,
            "the webhook body is not a payload: $.carId: expected an integer, got a string",
        ),
        (
            {"Secret": SECRET},
            to_json(DELETED).replace(b'"assignmentId":501,', b""),
            400,
            "the webhook body is not a payload: $.assignmentId: a required field is missing",
        ),
        (
            {"Secret": SECRET},
            b"[" * LIMIT,
            400,
            "the webhook body is nested deeper than 32 levels",
        ),
        (
            {"Secret": SECRET},
            b'{"n":' + b"9" * 4000 + b"}",
            400,
            "the webhook body holds a number longer than 100 characters",
        ),
        (
            {"Secret": SECRET},
            b" " * LIMIT + b"{}",
            413,
            f"the webhook body has {LIMIT + 2} bytes and is larger than max_body_bytes={LIMIT}",
        ),
        (
            {"Secret": SECRET},
            Chunked(b" " * (LIMIT // 2), b" " * (LIMIT // 2), b"{}"),
            413,
            f"the webhook body is larger than max_body_bytes={LIMIT}",
        ),
    ],
    ids=[
        "missing-secret",
        "wrong-secret",
        "wrong-secret-large-body",
        "not-json",
        "empty",
        "array",
        "wrong-type",
        "missing-field",
        "deep",
        "huge-number",
        "too-large",
        "too-large-chunked",
    ],
)
async def test_refuses_bad_requests(
    post: tuple[Post, Receivers],
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
    body: Any,
    status: int,
    text: str,
) -> None:
    """Each bad request gets its status and a message naming the problem, never the secret."""
    send, seen = post
    with caplog.at_level(logging.DEBUG, logger="flinkey_async"):
        assert await send("POST", headers, body) == (status, text)
    assert seen.events == []
    refused = [r for r in caplog.records if r.name == "flinkey_async.webhooks"]
    assert [r.getMessage() for r in refused] == [
        f"flinkey webhook refused with HTTP {status}: {text}"
    ]
    assert refused[0].levelno == logging.WARNING
    _assert_no_secret_logged(caplog)


async def test_only_post(post: tuple[Post, Receivers]) -> None:
    """Other methods are answered 405 (by the router or the receiver itself)."""
    send, seen = post
    for method in ("GET", "PUT"):
        status, _ = await send(method, OK_HEADERS, to_json(DELETED))
        assert status == 405
    assert seen.events == []


async def test_failing_on_event_is_500_without_details(
    post: tuple[Post, Receivers], caplog: pytest.LogCaptureFixture
) -> None:
    """A raising on_event gives 500 with a fixed text; the traceback goes to the log only."""
    send, seen = post
    seen.fail = True
    with caplog.at_level(logging.DEBUG, logger="flinkey_async"):
        assert await send("POST", OK_HEADERS, to_json(DELETED)) == (
            500,
            "the webhook handler failed",
        )
    (record,) = [r for r in caplog.records if r.name == "flinkey_async.webhooks"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == (
        "flinkey webhook: on_event failed for AssignmentDeleted "
        "with checksum 12AB34567C8DE9012F3A45BCDE678901"
    )
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


async def test_lenient_kind_and_secret_object() -> None:
    """kind=None gives AssignmentEvent; a Secret works as the configured secret."""
    got: list[AssignmentEvent] = []

    async def on_event(event: AssignmentEvent) -> None:
        got.append(event)

    handler = webhook_handler(secret=Secret(SECRET), on_event=on_event)
    async with aiohttp_server(handler) as url, aiohttp.ClientSession() as session:
        response = await session.post(url, headers={"SECRET": SECRET}, data=to_json(DELETED))
        assert response.status == 204
        response.release()
    assert got == [
        AssignmentEvent(
            checksum=DELETED.checksum,
            assignment_id=501,
            car_id=11,
            customer_id=1,
            operation_succeeded=True,
        )
    ]


def test_receivers_check_arguments_at_start_up() -> None:
    """A blank secret, a non-callable on_event or a bad limit fail when the receiver is built."""

    async def on_event(event: AssignmentEvent) -> None:
        pass

    for build in (webhook_handler, WebhookApp):
        with pytest.raises(ValueError, match="secret: a secret must not be empty"):
            build(secret=" ", on_event=on_event)
        with pytest.raises(TypeError, match="on_event must be an async callable, not str"):
            build(secret=SECRET, on_event="print")  # type: ignore[call-overload]
        with pytest.raises(ValueError, match="max_body_bytes must be at least 1"):
            build(secret=SECRET, on_event=on_event, max_body_bytes=0)
    app = WebhookApp(secret=SECRET, on_event=on_event)
    assert SECRET not in repr(app)
    assert repr(app) == "WebhookApp(<Receiver AssignmentEvent secret=Secret('********')>)"


async def test_asgi_lifespan_and_websocket() -> None:
    """As a top-level ASGI app it completes lifespan and refuses websockets."""

    async def on_event(event: AssignmentEvent) -> None:
        pass

    app = WebhookApp(secret=SECRET, on_event=on_event)
    incoming: Iterator[dict[str, Any]] = iter(
        [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    )
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(incoming)

    async def send(message: Any) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)
    await app({"type": "websocket", "headers": []}, receive, send)
    assert sent == [
        {"type": "lifespan.startup.complete"},
        {"type": "lifespan.shutdown.complete"},
        {"type": "websocket.close", "code": 1008},
    ]


async def test_asgi_client_disconnect_sends_nothing() -> None:
    """A client that leaves mid-body gets no answer and on_event is not called."""
    seen = Receivers()
    app = WebhookApp(secret=SECRET, on_event=seen.on_event, kind="deleted")
    incoming: Iterator[dict[str, Any]] = iter(
        [{"type": "http.request", "body": b"{", "more_body": True}, {"type": "http.disconnect"}]
    )
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return next(incoming)

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "headers": [(b"secret", SECRET.encode())]}
    await app(scope, receive, send)
    assert sent == []
    assert seen.events == []


def _assert_no_secret_logged(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + json.dumps(vars(record), default=repr)
        assert SECRET not in text
        assert WRONG not in text


@pytest.fixture(autouse=True)
def _no_secret_in_any_log(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Whatever a test does, no log record carries the secret or a received Secret value."""
    caplog.set_level(logging.DEBUG)
    yield
    for record in caplog.records:
        if record.exc_info is None:  # the user's own exception text is the user's business
            assert SECRET not in record.getMessage()
            assert WRONG not in record.getMessage()
