"""The fake server's editable in-memory data: wire-shaped rows in tables named by the registry.

Per-customer tables (cars, services, ...) live in ``store.customer(id)``; global ones (the
manager's customers, the keyfob catalogue) in the store itself. A row is a JSON object as flinkey
would send it; ``add`` takes a model (unstructured to its wire form) or a wire dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar, Final

import attrs

from .._convert import unstructure
from .._model import wire_names
from .._registry import ROUTES
from ..models import Product, Service
from ._rows import GENERATORS

JSON = dict[str, Any]
Table = dict[int, JSON]
"""Rows by id, in the order the server lists them."""


@attrs.frozen
class TableSpec:
    """One table: its name (the last literal segment of its paths), model, and scope."""

    name: str
    model: type[Any]
    scoped: bool


def _table_specs() -> dict[str, TableSpec]:
    specs: dict[str, TableSpec] = {}
    for route in ROUTES:
        if route.kind == "write" or route.model is None or not attrs.has(route.model):
            continue
        name = [part for part in route.template.split("/") if not part.startswith("{")][-1]
        specs.setdefault(name, TableSpec(name, route.model, route.scoped))
    return specs


TABLES: Final = _table_specs()
"""Every table of the fake, read from the SDK's route registry."""
MODEL_TABLES: Final = {
    model: spec.name
    for route in ROUTES
    for spec in TABLES.values()
    for model in (route.model, route.partial)
    if model is not None and route.model is spec.model
}
"""The table of each model and partial model."""


class _View:
    """A table as an attribute: ``data.cars`` reads and ``data.services = {...}`` replaces it."""

    name: str

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    def __get__(self, obj: Tables, owner: type[Any]) -> Table:
        return obj.tables[self.name]

    def __set__(self, obj: Tables, value: Table) -> None:
        obj.tables[self.name] = value


@attrs.define
class Tables:
    """Tables of one scope, and the generic ways to fill and read them."""

    scoped: ClassVar[bool]
    tables: dict[str, Table] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.tables = {n: {} for n, spec in TABLES.items() if spec.scoped is self.scoped}

    def table(self, what: type[Any] | str) -> Table:
        """Return a table by model class (``Car``, ``PartialCar``) or by name (``"cars"``)."""
        return self.tables[self._name(what)]

    def add(self, item: Any, *, table: type[Any] | str | None = None) -> JSON:
        """Store a model or a wire dict (``table=`` names the table of a dict); return the row."""
        if table is None and not attrs.has(type(item)):
            raise TypeError("a wire dict needs table= (a model class or a table name)")
        row = dict(item) if isinstance(item, Mapping) else unstructure(item)
        self.table(type(item) if table is None else table)[row["id"]] = row
        return row

    def add_many(
        self,
        what: type[Any] | str,
        rows: Iterable[Any] | int,
        *,
        start_id: int | None = None,
        **values: Any,
    ) -> list[int]:
        """Add rows (models or wire dicts), or generate ``rows`` of them; return their ids.

        Generated ids start at ``start_id`` (default: after the largest id of the table);
        ``values`` (attribute or wire names: ``car_id=1002``) are set on every generated row.
        """
        name = self._name(what)
        table = self.tables[name]
        if not isinstance(rows, int):
            if values:
                raise TypeError("field values apply to generated rows only (give a count)")
            return [self.add(row, table=name)["id"] for row in rows]
        first = max(table, default=0) + 1 if start_id is None else start_id
        ids = range(first, first + rows)
        generate = GENERATORS[name]
        fixed = _wire_values(TABLES[name].model, values)
        for row_id in ids:
            row = generate(row_id)
            if fixed:
                row.update(fixed)
            table[row_id] = row
        return list(ids)

    def _name(self, what: type[Any] | str) -> str:
        name = what if isinstance(what, str) else MODEL_TABLES.get(what)
        spec = TABLES.get(name) if name is not None else None
        if spec is None:
            raise KeyError(f"no table for {what!r}; tables: {', '.join(sorted(TABLES))}")
        if spec.scoped is not self.scoped:
            where = "store.customer(id)" if spec.scoped else "the store itself"
            raise KeyError(f"the {spec.name} table belongs to {where}")
        return spec.name


def _wire_values(model: type[Any], values: Mapping[str, Any]) -> JSON:
    names = wire_names(model)
    unknown = set(values) - set(names) - set(names.values())
    if unknown:
        raise TypeError(f"{model.__name__} has no field {min(unknown)!r}")
    return {names.get(key, key): value for key, value in values.items()}


@attrs.define
class CustomerData(Tables):
    """One customer's tables, and the state flinkey keeps beside them.

    ``installed`` maps a product id to the car it is installed in; ``group_cars`` a group id
    to its member car ids; a pairing is a service row's ``productId``.
    """

    scoped: ClassVar[bool] = True
    installed: dict[int, int] = attrs.Factory(dict)
    group_cars: dict[int, list[int]] = attrs.Factory(dict)

    assignments = _View()
    cars = _View()
    events = _View()
    groups = _View()
    products = _View()
    services = _View()
    users = _View()

    def add_service(self, service: Service | JSON) -> JSON:
        """Store a service (a model or a wire dict) and return its wire form."""
        return self.add(service, table="services")

    def add_product(self, product: Product | JSON) -> JSON:
        """Store a product (a model or a wire dict) and return its wire form."""
        return self.add(product, table="products")

    def add_many_services(self, count: int, *, start_id: int = 100_000) -> None:
        """Add count generated services (for paging and benchmarks)."""
        self.add_many("services", count, start_id=start_id)

    def product_of(self, service_id: int) -> JSON | None:
        """Return the product a service is paired with, if any."""
        product_id = self.services[service_id].get("productId")
        return None if product_id is None else self.products.get(product_id)

    def service_of(self, product_id: int) -> JSON | None:
        """Return the service a product is paired with, if any."""
        return next((s for s in self.services.values() if s.get("productId") == product_id), None)


@attrs.define
class FakeStore(Tables):
    """All data: each customer's tables (``customer(id)``) and the global ones.

    Global tables: ``customers`` rows (the names ``GET /customers`` lists; which customers the
    API manager may act for is ``FakeFlinkey.customers``) and the keyfob catalogue (``keys``,
    and ``brands``, the names ``GET /brands`` lists, in that order).
    """

    scoped: ClassVar[bool] = False
    customers: dict[int, CustomerData] = attrs.Factory(dict)
    brands: list[str] = attrs.Factory(list)

    keys = _View()

    def customer(self, customer_id: int) -> CustomerData:
        """Return (creating if needed) a customer's data."""
        return self.customers.setdefault(customer_id, CustomerData())

    def customer_row(self, customer_id: int) -> JSON:
        """Return the ``GET /customers`` row of a customer (a generated name if none is stored)."""
        row = self.tables["customers"].get(customer_id)
        return row if row is not None else GENERATORS["customers"](customer_id)

    def __iter__(self) -> Iterator[int]:
        return iter(self.customers)
