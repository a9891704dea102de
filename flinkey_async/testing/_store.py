"""The fake server's editable in-memory data: wire-shaped JSON objects per customer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import attrs

from .._convert import unstructure
from ..models import Product, ProductType, Service

JSON = dict[str, Any]


@attrs.define
class CustomerData:
    """One customer's services and products, as flinkey would serialise them."""

    services: dict[int, JSON] = attrs.Factory(dict)
    products: dict[int, JSON] = attrs.Factory(dict)

    def add_service(self, service: Service | JSON) -> JSON:
        """Store a service (a model or a wire dict) and return its wire form."""
        row = unstructure(service) if isinstance(service, Service) else dict(service)
        self.services[row["id"]] = row
        return row

    def add_product(self, product: Product | JSON) -> JSON:
        """Store a product (a model or a wire dict) and return its wire form."""
        row = unstructure(product) if isinstance(product, Product) else dict(product)
        self.products[row["id"]] = row
        return row

    def product_of(self, service_id: int) -> JSON | None:
        """Return the product a service is paired with, if any."""
        product_id = self.services[service_id].get("productId")
        return None if product_id is None else self.products.get(product_id)

    def add_many_services(self, count: int, *, start_id: int = 100_000) -> None:
        """Add count generated services (for paging and benchmarks)."""
        for offset in range(count):
            sid = start_id + offset
            self.services[sid] = {
                "id": sid,
                "name": f"Service {sid}",
                "productId": None,
                "isTerminated": sid % 7 == 0,
                "terminationDate": "2025-06-30T00:00:00Z" if sid % 7 == 0 else None,
                "terminationCause": "Contract ended" if sid % 7 == 0 else None,
            }


@attrs.define
class FakeStore:
    """All customers' data, keyed by customer id."""

    customers: dict[int, CustomerData] = attrs.Factory(dict)

    def customer(self, customer_id: int) -> CustomerData:
        """Return (creating if needed) a customer's data."""
        return self.customers.setdefault(customer_id, CustomerData())

    def __iter__(self) -> Iterator[int]:
        return iter(self.customers)


def seeded_store() -> FakeStore:
    """Return the demo data set: two customers, services of every shape, boxes and IQs."""
    store = FakeStore()
    acme = store.customer(1)
    for product in (
        Product(
            id=501,
            unique_id="BOX-0501",
            serial_number="SN-100501",
            sap_number="SAP-1",
            type=ProductType.FLINKEY_BOX,
        ),
        Product(
            id=502,
            unique_id="IQ-0502",
            serial_number="SN-100502",
            sap_number="SAP-2",
            type=ProductType.FLINKEY_IQ,
            dongle_termination_timestamp=datetime(2026, 3, 31, 23, 59, tzinfo=UTC),
        ),
        Product(
            id=503,
            unique_id="BOX-0503",
            serial_number="SN-100503",
            sap_number="SAP-1",
            type=ProductType.FLINKEY_BOX,
        ),
    ):
        acme.add_product(product)
    for service in (
        Service(id=101, name="Fleet Berlin 01", is_terminated=False, product_id=501),
        Service(id=102, name="Fleet Berlin 02", is_terminated=False, product_id=502),
        Service(id=103, name="O'Brien & Sons + Co", is_terminated=False, product_id=503),
        Service(
            id=104,
            name="Rental Munich",
            is_terminated=True,
            termination_date=datetime(2025, 12, 31, 12, 0, tzinfo=UTC),
            termination_cause="Contract ended",
        ),
        Service(id=105, name="Car sharing Köln", is_terminated=False),
    ):
        acme.add_service(service)
    other = store.customer(2)
    other.add_product(
        Product(
            id=601,
            unique_id="BOX-0601",
            serial_number="SN-200601",
            sap_number="SAP-1",
            type=ProductType.FLINKEY_BOX,
        )
    )
    other.add_service(
        Service(id=201, name="Other customer's service", is_terminated=False, product_id=601)
    )
    return store
