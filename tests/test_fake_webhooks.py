"""The fake's assignment webhooks, delivered over loopback HTTP to a real aiohttp receiver."""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from aiohttp import web

from flinkey_async import FlinkeyClient, NotFoundError
from flinkey_async._resources.assignments import MSG_ASSIGNMENT_NOT_FOUND
from flinkey_async.testing import FakeFlinkey
from flinkey_async.webhooks import AssignmentDeleted
from flinkey_async.webhooks.aiohttp import webhook_handler

SECRET = "webhook-s3cret"


@attrs.define
class Receiver:
    """A webhook endpoint on 127.0.0.1 that records what arrives and answers ``status``."""

    url: str = ""
    status: int = 200
    received: list[tuple[dict[str, str], Any]] = attrs.Factory(list)
    hold: asyncio.Event | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), json.loads(await request.read())))
        if self.hold is not None:
            await asyncio.wait_for(self.hold.wait(), 5)
        return web.Response(status=self.status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A running webhook receiver."""
    found = Receiver()
    app = web.Application()
    app.router.add_post("/hooks/flinkey", found.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    found.url = f"http://{host}:{port}/hooks/flinkey"
    yield found
    await runner.cleanup()


def _expected(assignment_id: int, user_id: int, start: str, end: str | None, **extra: Any) -> Any:
    return {
        "assignmentId": assignment_id,
        "carId": 1001,
        "userId": user_id,
        # The SDK's webhook model writes date-times as isoformat() (+00:00 for UTC).
        "start": datetime.fromisoformat(start).isoformat(),
        "end": None if end is None else datetime.fromisoformat(end).isoformat(),
        "customerId": 1,
        "operationSucceeded": True,
        "errorMessage": None,
        "lifetime": extra.get("lifetime"),
        "renewableAfter": extra.get("renewableAfter"),
    }


async def test_uninstalling_a_box_reports_each_deleted_assignment(
    fake: FakeFlinkey, client: FlinkeyClient, receiver: Receiver
) -> None:
    """One POST per assignment of the car, with the Secret and Target-Webhook-Address headers."""
    fake.webhooks.configure(receiver.url, secret=SECRET)
    await client.installations.uninstall(car_id=1001, product_id=501)
    await fake.webhooks.drain()

    bodies = [body for _, body in receiver.received]
    checksums = [body.pop("checksum") for body in bodies]
    assert bodies == [
        _expected(4001, 3001, "2025-01-06T07:00:00Z", None, lifetime=3600, renewableAfter=1800),
        _expected(4002, 3002, "2025-02-01T08:00:00Z", "2025-02-28T18:00:00Z"),
    ]
    assert all(re.fullmatch("[0-9A-F]{32}", checksum) for checksum in checksums)
    assert len(set(checksums)) == 2
    for headers, _ in receiver.received:
        assert headers["Secret"] == SECRET
        assert headers["Target-Webhook-Address"] == receiver.url
        assert headers["Content-Type"] == "application/json"
    assert [(d.status, d.ok, d.error) for d in fake.webhooks.deliveries] == [(200, True, None)] * 2
    assert fake.webhooks.failures == []


async def test_the_assignments_are_gone_when_the_204_arrives(
    fake: FakeFlinkey, client: FlinkeyClient, receiver: Receiver
) -> None:
    """The fake deletes at once; other cars keep theirs; the answer does not wait for delivery."""
    receiver.hold = asyncio.Event()  # the receiver will not answer until released
    fake.webhooks.configure(receiver.url, secret=SECRET)
    await client.installations.uninstall(car_id=1001, unique_id="BOX-0501")
    assert await client.cars.assignments(1001).list() == []
    with pytest.raises(NotFoundError) as caught:
        await client.assignments.get(4001)
    assert caught.value.message == MSG_ASSIGNMENT_NOT_FOUND
    assert [a.id for a in await client.cars.assignments(1002).list()] == [4003, 4005]
    receiver.hold.set()
    await fake.webhooks.drain()
    assert len(receiver.received) == 2


async def test_uninstalling_an_iq_deletes_nothing(
    fake: FakeFlinkey, client: FlinkeyClient, receiver: Receiver
) -> None:
    """Only a box takes the car's assignments along (as flinkey's update guide says)."""
    fake.webhooks.configure(receiver.url, secret=SECRET)
    await client.installations.uninstall(car_id=1001, product_id=502)
    await fake.webhooks.drain()
    assert receiver.received == []
    assert len(await client.cars.assignments(1001).list()) == 2


async def test_without_a_url_nothing_is_sent_or_recorded(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """Not configured: the assignments are still deleted, and nothing is attempted."""
    await client.installations.uninstall(car_id=1001, product_id=501)
    await fake.webhooks.drain()
    assert fake.webhooks.deliveries == []
    assert await client.cars.assignments(1001).list() == []


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_a_receiver_that_is_down_is_a_recorded_failure(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """A refused connection never breaks the fake: the write answered 204, the next call works."""
    url = f"http://127.0.0.1:{_closed_port()}/hooks"
    fake.webhooks.configure(url, secret=SECRET)
    await client.installations.uninstall(car_id=1001, product_id=501)
    await fake.webhooks.drain()
    failures = fake.webhooks.failures
    assert [(f.url, f.status, f.payload["assignmentId"]) for f in failures] == [
        (url, None, 4001),
        (url, None, 4002),
    ]
    assert all(f.error and f.error.startswith("ClientConnectorError") for f in failures)
    assert len(await client.cars.list()) == 3


async def test_an_error_status_is_a_recorded_failure(
    fake: FakeFlinkey, client: FlinkeyClient, receiver: Receiver
) -> None:
    """A receiver answering 500 (or 401 for a wrong secret) is recorded with its status."""
    receiver.status = 401
    fake.webhooks.configure(receiver.url, secret="wrong")
    await client.installations.uninstall(car_id=1002, product_id=503)
    await fake.webhooks.drain()
    assert [(f.status, f.error) for f in fake.webhooks.failures] == [
        (401, "the receiver answered HTTP 401"),
        (401, "the receiver answered HTTP 401"),
    ]


async def test_no_secret_no_header_and_a_chosen_target_address(
    fake: FakeFlinkey, client: FlinkeyClient, receiver: Receiver
) -> None:
    """Without a secret no Secret header is sent; target_address= sets the other header."""
    fake.webhooks.configure(receiver.url, target_address="https://webhook.site")
    await client.installations.uninstall(car_id=1002, product_id=503)
    await fake.webhooks.drain()
    headers = receiver.received[0][0]
    assert "Secret" not in headers
    assert headers["Target-Webhook-Address"] == "https://webhook.site"


async def test_drain_works_across_loops(receiver: Receiver) -> None:
    """With the fake in its own thread (the flinkey_fake fixture), drain() still waits."""
    with FakeFlinkey().run_in_thread() as fake:
        fake.webhooks.configure(receiver.url, secret=SECRET)
        async with fake.client() as client:
            await client.installations.uninstall(car_id=1001, product_id=501)
        await fake.webhooks.drain()
        assert [body["assignmentId"] for _, body in receiver.received] == [4001, 4002]


async def test_closing_the_fake_delivers_what_is_pending(receiver: Receiver) -> None:
    """close() waits for webhooks already sent, then closes their HTTP session."""
    async with FakeFlinkey() as fake, fake.client() as client:
        fake.webhooks.configure(receiver.url, secret=SECRET)
        await client.installations.uninstall(car_id=1001, product_id=501)
    assert len(receiver.received) == 2


async def test_the_secret_stays_out_of_reprs(
    fake: FakeFlinkey, client: FlinkeyClient, receiver: Receiver
) -> None:
    """Neither the sender nor a recorded delivery shows the secret; the header holds it."""
    fake.webhooks.configure(receiver.url, secret=SECRET)
    await client.installations.uninstall(car_id=1002, product_id=503)
    await fake.webhooks.drain()
    delivery = fake.webhooks.deliveries[0]
    assert SECRET not in repr(fake.webhooks)
    assert SECRET not in repr(delivery)
    assert delivery.headers["Secret"] == SECRET


async def test_closing_gives_up_on_a_receiver_that_never_answers(receiver: Receiver) -> None:
    """close() waits at most the webhook timeout, then records what is left as cancelled."""
    receiver.hold = asyncio.Event()
    async with FakeFlinkey() as fake, fake.client() as client:
        fake.webhooks.configure(receiver.url, secret=SECRET)
        fake.webhooks.timeout = 0.3
        await client.installations.uninstall(car_id=1001, product_id=501)
    receiver.hold.set()
    errors = [delivery.error or "" for delivery in fake.webhooks.deliveries]
    assert len(errors) == 2
    assert all(errors)
    assert errors[-1] == "cancelled: the fake server closed before delivery"


async def test_the_sdks_receiver_parses_the_fakes_webhooks(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """End to end offline: the fake's payloads are typed AssignmentDeleted events for the SDK."""
    events: list[AssignmentDeleted] = []

    async def collect(event: AssignmentDeleted) -> None:
        events.append(event)

    app = web.Application()
    app.router.add_post("/hook", webhook_handler(secret=SECRET, on_event=collect, kind="deleted"))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        host, port = runner.addresses[0][:2]
        fake.webhooks.configure(f"http://{host}:{port}/hook", secret=SECRET)
        await client.installations.uninstall(car_id=1001, product_id=501)
        await fake.webhooks.drain()
    finally:
        await runner.cleanup()
    assert fake.webhooks.failures == []
    assert [(e.assignment_id, e.car_id, e.user_id, e.customer_id) for e in events] == [
        (4001, 1001, 3001, 1),
        (4002, 1001, 3002, 1),
    ]
    assert events[0].start == datetime(2025, 1, 6, 7, 0, tzinfo=UTC)
    assert events[0].end is None
    assert events[1].end == datetime(2025, 2, 28, 18, 0, tzinfo=UTC)
    assert (events[0].lifetime, events[0].renewable_after) == (3600, 1800)
    assert all(e.operation_succeeded and e.error_message is None for e in events)
