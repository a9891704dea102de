"""`flinkey demo`: a real session against the embedded fake server, no credentials needed."""

from __future__ import annotations

import importlib.util
import sys
from typing import Final

from ._cli import EXIT_OK, print_result
from ._errors import NotFoundError
from ._fields import fields
from ._query import Query
from .models import Service

MISSING_ID: Final = 999


async def run_demo() -> int:
    """Start the fake flinkey API on loopback and walk through the Services endpoints."""
    from .testing import FakeFlinkey

    out = sys.stdout
    async with FakeFlinkey() as fake, fake.client() as client:
        out.write(f"Embedded fake flinkey API at {fake.url}\n")
        out.write(f"Client: {client!r}\n\n")

        services = await client.services.list()
        token_calls = len(fake.token_requests())
        out.write(f"1. Bearer token obtained with POST /oauth2/token ({token_calls} request).\n")
        out.write(f"\n2. GET /services -> {len(services)} services\n")
        print_result(services, as_json=False, out=out)

        service = await client.services.get(103)
        out.write("\n3. GET /services/103\n")
        print_result(service, as_json=False, out=out)

        product = await client.services.get_product(102)
        out.write("\n4. GET /services/102/products\n")
        print_result(product, as_json=False, out=out)

        s = fields(Service)
        query = Query().select(s.id, s.name)
        if importlib.util.find_spec("odata_query") is not None:
            query = query.filter(s.name.contains("Berlin") & (s.id < 200))
        else:
            out.write("\n(install flinkey-async[testing] so the fake server evaluates $filter)\n")
            query = query.orderby(s.name.desc()).top(2)
        selected = await client.services.list(query)
        out.write(f"\n5. GET /services?{query} -> {len(selected)} partial services\n")
        print_result(selected, as_json=False, out=out)

        out.write(f"\n6. GET /services/{MISSING_ID} (a handled error)\n")
        try:
            await client.services.get(MISSING_ID)
        except NotFoundError as exc:
            out.write(f"   caught {type(exc).__name__}: status={exc.status}, {exc.message!r}\n")

        reused = len(fake.token_requests()) == 1
        out.write(
            f"\nDone: {len(fake.api_requests())} API calls, "
            f"{len(fake.token_requests())} token request(s) "
            f"({'token reused' if reused else 'token renewed'}).\n"
        )
    return EXIT_OK
