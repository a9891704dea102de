"""`flinkey demo`: a real session against the embedded fake server, told as a list of steps."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, TextIO

from .._errors import NotFoundError
from .._fields import fields
from .._query import Query
from ..models import Service
from ._exit import EXIT_OK
from ._output import print_result

if TYPE_CHECKING:
    from .._client import FlinkeyClient
    from ..testing import FakeFlinkey

MISSING_ID: Final = 999


class Demo:
    """What every step gets: the fake server, a client of it, and numbered output."""

    def __init__(self, fake: FakeFlinkey, client: FlinkeyClient, out: TextIO) -> None:
        self.fake, self.client, self.out = fake, client, out
        self.number = 0

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


async def list_services(demo: Demo) -> None:
    """GET /services (the first call fetches the bearer token)."""
    services = await demo.client.services.list()
    demo.step(f"GET /services -> {len(services)} services")
    tokens = len(demo.fake.token_requests())
    demo.note(f"(first the client obtained a bearer token: POST /oauth2/token, {tokens} request)")
    demo.show(services)


async def get_service(demo: Demo) -> None:
    """GET /services/103."""
    service = await demo.client.services.get(103)
    demo.step("GET /services/103")
    demo.show(service)


async def get_product(demo: Demo) -> None:
    """GET /services/102/products: the box a service is paired with."""
    product = await demo.client.services.get_product(102)
    demo.step("GET /services/102/products")
    demo.show(product)


async def select_services(demo: Demo) -> None:
    """A typed query: $filter (when the fake can evaluate it), $select, partial models."""
    s = fields(Service)
    query = Query().select(s.id, s.name)
    parser = importlib.util.find_spec("odata_query") is not None
    if parser:
        query = query.filter(s.name.contains("Berlin") & (s.id < 200))
    else:
        query = query.orderby(s.name.desc()).top(2)
    selected = await demo.client.services.list(query)
    demo.step(f"GET /services?{query} -> {len(selected)} partial services")
    if not parser:
        demo.note("(install flinkey-async[testing] so the fake server evaluates $filter)")
    demo.show(selected)


async def handle_not_found(demo: Demo) -> None:
    """GET /services/999: a typed error, caught."""
    demo.step(f"GET /services/{MISSING_ID} (a handled error)")
    try:
        await demo.client.services.get(MISSING_ID)
    except NotFoundError as exc:
        demo.note(f"caught {type(exc).__name__}: status={exc.status}, {exc.message!r}")


STEPS: Final[tuple[Step, ...]] = (
    list_services,
    get_service,
    get_product,
    select_services,
    handle_not_found,
)
"""The demo, in order; a new step is an async function of a Demo appended here."""


async def run_steps(steps: Sequence[Step] = STEPS, *, out: TextIO | None = None) -> int:
    """Start the fake flinkey API on loopback and run the steps against it."""
    from ..testing import FakeFlinkey

    stream = out or sys.stdout
    async with FakeFlinkey() as fake, fake.client() as client:
        stream.write(f"Embedded fake flinkey API at {fake.url}\nClient: {client!r}\n")
        demo = Demo(fake, client, stream)
        for step in steps:
            await step(demo)
        tokens = len(fake.token_requests())
        stream.write(
            f"\nDone: {len(fake.api_requests())} API calls, {tokens} token request(s) "
            f"({'token reused' if tokens == 1 else 'token renewed'}).\n"
            "Try the same from a shell: run `flinkey fake-server`, set the variables it prints, "
            "then `flinkey services list`.\n"
        )
    return EXIT_OK


def run() -> int:
    """Run the demo (the `flinkey demo` command)."""
    return asyncio.run(run_steps())
