"""`flinkey demo`: a real session against the embedded fake server, told as a list of steps."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Final, TextIO

from .._errors import ConflictError, NotFoundError
from .._model_fields import fields
from .._query import Query
from ..models import Car, Event
from ._exit import EXIT_OK
from ._output import print_result

if TYPE_CHECKING:
    from .._client import FlinkeyClient
    from ..testing import FakeFlinkey
    from ..webhooks import AssignmentDeleted

MISSING_ID: Final = 999
BUSY_CAR, BUSY_BOX = 1001, 501  # seeded: the box is installed, the car has assignments
EMPTY_CAR, NEW_BOX, NEW_SERVICE = 1003, 504, 105  # seeded: nothing installed, paired
DEMO_SECRET: Final = "demo-webhook-secret"


class Demo:
    """What every step gets: the fake server, a client of it, and numbered output."""

    def __init__(self, fake: FakeFlinkey, client: FlinkeyClient, out: TextIO) -> None:
        self.fake, self.client, self.out = fake, client, out
        self.number = 0
        self.received: list[AssignmentDeleted] = []

    def step(self, title: str) -> None:
        """Start the next numbered step."""
        self.number += 1
        self.out.write(f"\n{self.number}. {title}\n")

    def note(self, text: str) -> None:
        """Print an indented remark under the current step."""
        self.out.write(f"   {text}\n")

    def show(self, result: Any) -> None:
        """Print a model or a list of models as a table."""
        print_result(result, as_json=False, out=self.out)


Step = Callable[[Demo], Awaitable[None]]


async def list_customers(demo: Demo) -> None:
    """GET /customers: the customers this API manager may act for (no Customer-ID)."""
    customers = await demo.client.customers.list()
    demo.step(f"GET /customers -> {len(customers)} customers (sent without a Customer-ID)")
    tokens = len(demo.fake.token_requests())
    demo.note(f"(first the client obtained a bearer token: POST /oauth2/token, {tokens} request)")
    demo.show(customers)


async def list_cars(demo: Demo) -> None:
    """GET /cars with a typed query: $filter (when the fake can evaluate it) and $select."""
    c = fields(Car)
    query = Query().select(c.id, c.name, c.license_plate, c.brand)
    parser = importlib.util.find_spec("odata_query") is not None
    with_plate = query.filter(c.license_plate != None)  # noqa: E711
    query = with_plate if parser else query.orderby(c.name.desc()).top(2)
    cars = await demo.client.cars.list(query)
    demo.step(f"GET /cars?{query} -> {len(cars)} partial cars (Customer-ID: 1)")
    if not parser:
        demo.note("(install flinkey-async[testing] so the fake server evaluates $filter)")
    demo.show(cars)


async def pair_and_install(demo: Demo) -> None:
    """PUT /pairings, then PUT /installations: a new box into car 1003 (each a 204)."""
    await demo.client.pairings.pair(service_id=NEW_SERVICE, product_id=NEW_BOX)
    await demo.client.installations.install(car_id=EMPTY_CAR, product_id=NEW_BOX)
    demo.step(
        f"PUT /pairings (service {NEW_SERVICE} + box {NEW_BOX}), "
        f"PUT /installations (box {NEW_BOX} into car {EMPTY_CAR}) -> 204, 204"
    )
    demo.show(await demo.client.products.get_service(NEW_BOX))
    try:
        await demo.client.installations.install(car_id=EMPTY_CAR, product_id=NEW_BOX)
    except ConflictError as exc:
        demo.note(f"installing it again: caught {type(exc).__name__}: {exc.message!r}")


async def car_events(demo: Demo) -> None:
    """GET /cars/1001/events: the latest three, newest first."""
    e = fields(Event)
    query = Query().orderby(e.utc_date_time.desc()).top(3)
    events = await demo.client.cars.events(BUSY_CAR).list(query)
    demo.step(f"GET /cars/{BUSY_CAR}/events?{query} -> {len(events)} events")
    demo.show(events)


async def uninstall_with_webhooks(demo: Demo) -> None:
    """DELETE /installations: flinkey deletes the car's assignments and reports each by webhook."""
    assignments = await demo.client.cars.assignments(BUSY_CAR).list()
    await demo.client.installations.uninstall(car_id=BUSY_CAR, product_id=BUSY_BOX)
    await demo.fake.webhooks.drain()
    demo.step(
        f"DELETE /installations (box {BUSY_BOX} out of car {BUSY_CAR}) -> 204; the car had "
        f"{len(assignments)} assignments"
    )
    demo.note(f"webhook receiver got {len(demo.received)} AssignmentDeleted events:")
    for event in demo.received:
        demo.note(f"- assignment {event.assignment_id} (user {event.user_id}), {event.checksum}")


async def handle_not_found(demo: Demo) -> None:
    """GET /cars/999: a typed error, caught."""
    demo.step(f"GET /cars/{MISSING_ID} (a handled error)")
    try:
        await demo.client.cars.get(MISSING_ID)
    except NotFoundError as exc:
        demo.note(f"caught {type(exc).__name__}: status={exc.status}, {exc.message!r}")


STEPS: Final[tuple[Step, ...]] = (
    list_customers,
    list_cars,
    pair_and_install,
    car_events,
    uninstall_with_webhooks,
    handle_not_found,
)
"""The demo, in order; a new step is an async function of a Demo appended here."""


@asynccontextmanager
async def _webhook_receiver(demo: Demo) -> AsyncIterator[None]:
    """Serve a webhook receiver on loopback (the SDK's own) and point the fake at it."""
    from aiohttp import web

    from ..webhooks.aiohttp import webhook_handler

    async def collect(event: AssignmentDeleted) -> None:
        demo.received.append(event)

    app = web.Application()
    app.router.add_post(
        "/flinkey", webhook_handler(secret=DEMO_SECRET, on_event=collect, kind="deleted")
    )
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    demo.fake.webhooks.configure(f"http://{host}:{port}/flinkey", secret=DEMO_SECRET)
    try:
        yield
    finally:
        await demo.fake.webhooks.close()
        await runner.cleanup()


async def run_steps(steps: Sequence[Step] = STEPS, *, out: TextIO | None = None) -> int:
    """Start the fake flinkey API on loopback and run the steps against it."""
    from ..testing import FakeFlinkey

    stream = out or sys.stdout
    async with FakeFlinkey() as fake, fake.client() as client:
        stream.write(f"Embedded fake flinkey API at {fake.url}\nClient: {client!r}\n")
        demo = Demo(fake, client, stream)
        async with _webhook_receiver(demo):
            for step in steps:
                await step(demo)
        tokens = len(fake.token_requests())
        stream.write(
            f"\nDone: {len(fake.api_requests())} API calls, {tokens} token request(s) "
            f"({'token reused' if tokens == 1 else 'token renewed'}).\n"
            "Try the same from a shell: run `flinkey fake-server`, set the variables it prints, "
            "then `flinkey cars list`.\n"
        )
    return EXIT_OK


def run() -> int:
    """Run the demo (the `flinkey demo` command)."""
    return asyncio.run(run_steps())
