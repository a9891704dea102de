"""Type-checked (never run) usage of the query API: ``mypy --strict tests/typing``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, assert_type

import attrs

from flinkey_async import (
    UNSET,
    F,
    Field,
    FlinkeyClient,
    Full,
    ListResult,
    ModelFields,
    OrderKey,
    Pager,
    PartialProduct,
    PartialService,
    Product,
    ProductFields,
    ProductType,
    Query,
    Selected,
    Service,
    ServiceFields,
    Term,
    UnsetType,
    fields,
    raw,
)
from flinkey_async._fields import Expr


def build_queries() -> None:
    """Query() is Query[Full]; select() makes it Query[Selected]; the rest keep the shape."""
    s = fields(Service)
    assert_type(s, ServiceFields)
    assert_type(fields(PartialService), ServiceFields)
    assert_type(fields(Product), ProductFields)
    assert_type(s.is_terminated, Field[bool])
    assert_type(s.termination_date, Field[datetime | None])
    assert_type(fields(Product).type, Field[ProductType])
    assert_type(F("keyForm"), Field[Any])
    assert_type(s.is_terminated == False, Expr)  # noqa: E712
    assert_type(s.name.tolower(), Term[str])
    assert_type(s.termination_date.year(), Term[int])
    assert_type(s.name.desc(), OrderKey)
    assert_type(raw("id eq 1"), Expr)

    base = Query()
    assert_type(base, Query[Full])
    full = base.filter(s.id > 1).orderby(s.name).top(10).skip(20).count().expand(F("keyForm"))
    assert_type(full, Query[Full])
    selected = base.select(s.id, s.name)
    assert_type(selected, Query[Selected])
    assert_type(selected.top(5).filter(s.id == 1), Query[Selected])
    assert_type(full.top_value, int | None)
    assert_type(full.skip_value, int | None)
    assert_type(full.select_fields, tuple[str, ...])
    assert_type(full.to_query_string(), str)


def typed_mistakes() -> None:
    """Mistakes mypy catches before the code runs."""
    s = fields(Service)
    _field = s.is_terminatd  # type: ignore[attr-defined]  # misspelt field
    s.id.contains("x")  # type: ignore[misc]  # contains() is for str fields
    _cond = s.id < "x"  # type: ignore[operator]  # an int field compared with a str
    s.name.year()  # type: ignore[misc]  # date parts are for date/time fields
    Query().top("5")  # type: ignore[arg-type]
    Query().filter("id eq 1")  # type: ignore[arg-type]
    _query: Query[Full] = Query().select(s.id)  # type: ignore[assignment]


@attrs.frozen
class Car:
    """A model of the caller's own."""

    vin: str


def untyped_models() -> None:
    """Other attrs models give untyped Field[Any] references."""
    assert_type(fields(Car), ModelFields)
    assert_type(fields(Car).vin, Field[Any])


async def fetch(client: FlinkeyClient) -> None:
    """select() changes the return types of every Services method."""
    s = fields(Service)
    assert_type(await client.services.list(), ListResult[Service])
    assert_type(await client.services.list(Query().top(5)), ListResult[Service])
    partial = await client.services.list(Query().select(s.id, s.termination_date))
    assert_type(partial, ListResult[PartialService])
    assert_type(await client.services.get(1), Service)
    assert_type(await client.services.get(1, Query().select(s.name)), PartialService)
    assert_type(await client.services.get_product(1), Product)
    product = await client.services.get_product(1, Query().select(fields(Product).type))
    assert_type(product, PartialProduct)

    first = partial[0]
    assert_type(first.termination_date, datetime | UnsetType | None)
    if first.termination_date is not UNSET and first.termination_date is not None:
        assert_type(first.termination_date, datetime)
        first.termination_date.astimezone(UTC)
    if first.name is not UNSET:
        assert_type(first.name, str)


async def walk(client: FlinkeyClient) -> None:
    """iterate() returns a Pager of Service, or of PartialService after select()."""
    s = fields(Service)
    assert_type(client.services.iterate(), Pager[Service])
    assert_type(client.services.iterate(Query().top(5), page_size=50), Pager[Service])
    pager = client.services.iterate(
        Query().select(s.id), max_items=10, customer_id=2, timeout=5, max_retries=0
    )
    assert_type(pager, Pager[PartialService])
    async for service in client.services.iterate(Query().filter(s.id > 1)):
        assert_type(service, Service)
    async for partial in pager:
        assert_type(partial, PartialService)
    async for page in client.services.iterate().pages():
        assert_type(page, list[Service])
    async for partial_page in pager.pages():
        assert_type(partial_page, list[PartialService])
    assert_type(pager.page_size, int)
    assert_type(pager.max_items, int | None)
    client.services.iterate(page_size="100")  # type: ignore[call-overload]
    _wrong: Pager[Service] = client.services.iterate(Query().select(s.id))  # type: ignore[assignment]
