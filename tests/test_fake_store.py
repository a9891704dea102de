"""The fake's store (generic tables, bulk rows, old aliases), its seed data, and its request log."""

from __future__ import annotations

import time

import pytest

from flinkey_async import FlinkeyClient, Query
from flinkey_async._registry import ROUTES
from flinkey_async.models import (
    Car,
    Customer,
    Event,
    Key,
    KeyForm,
    PartialCar,
    Product,
    ProductType,
    Service,
)
from flinkey_async.testing import (
    DEFAULT_MAX_REQUESTS,
    CustomerData,
    FakeFlinkey,
    FakeStore,
    RequestLog,
    seeded_store,
)
from flinkey_async.testing._rows import GENERATORS
from flinkey_async.testing._store import TABLES


def test_tables_come_from_the_registry() -> None:
    """Every modelled route has a table, a row generator, and per customer an attribute."""
    assert {name: spec.scoped for name, spec in TABLES.items()} == {
        "customers": False,
        "cars": True,
        "assignments": True,
        "events": True,
        "users": True,
        "products": True,
        "services": True,
        "groups": True,
        "keys": False,
    }
    assert set(GENERATORS) == set(TABLES)
    data = CustomerData()
    assert all(getattr(data, name) is data.tables[name] for name in data.tables)
    assert {r.template.rsplit("/", 1)[-1] for r in ROUTES if r.kind == "list"} <= {
        *TABLES, "brands"
    }  # fmt: skip


def test_add_finds_the_table_from_the_model() -> None:
    """A model goes to its table in wire form; a dict needs table= (a model or a name)."""
    data = FakeStore().customer(7)
    row = data.add(Car(id=1, name="Golf", license_plate="B-X 1"))
    assert row == {"id": 1, "name": "Golf", "description": None, "vin": None,
                   "licensePlate": "B-X 1", "brand": None, "model": None}  # fmt: skip
    data.add({"id": 2, "name": "Polo"}, table=PartialCar)
    data.add({"id": 3, "name": "Up"}, table="cars")
    assert list(data.table(Car)) == [1, 2, 3]
    assert data.table("cars") is data.cars is data.table(PartialCar)
    with pytest.raises(TypeError, match="table="):
        data.add({"id": 4, "name": "Id.3"})


def test_tables_live_where_flinkey_scopes_them() -> None:
    """Keys and customer names are global; cars belong to a customer."""
    store = FakeStore()
    key = Key(id=1, brand="Audi", key_form=KeyForm(id=1, name="k", image_url="u"))
    with pytest.raises(KeyError, match="belongs to the store itself"):
        store.customer(1).add(key)
    with pytest.raises(KeyError, match=r"belongs to store.customer\(id\)"):
        store.add(Car(id=1, name="Golf"))
    with pytest.raises(KeyError, match="no table for"):
        store.table(str)
    store.add(key)
    store.add(Customer(id=9, name="Nine"))
    assert store.keys[1]["keyForm"] == {"id": 1, "name": "k", "imageUrl": "u"}
    assert store.customer_row(9) == {"id": 9, "name": "Nine"}
    assert store.customer_row(10) == {"id": 10, "name": "Customer 10"}


def test_add_many_generates_rows_with_given_values() -> None:
    """Counted rows get ids after the largest one and the values given (attribute or wire)."""
    data = seeded_store().customer(1)
    ids = data.add_many(Event, 3, car_id=1002)
    assert ids == [5006, 5007, 5008]
    assert {data.events[i]["carId"] for i in ids} == {1002}
    assert data.add_many("events", 2, start_id=90, userId=3002) == [90, 91]
    assert data.events[90]["userId"] == 3002
    with pytest.raises(TypeError, match="no field 'colour'"):
        data.add_many(Car, 1, colour="red")


def test_add_many_takes_models_and_dicts() -> None:
    """Given rows are stored as given; the ids come back in order."""
    data = CustomerData()
    rows = [Car(id=5, name="A"), {"id": 6, "name": "B"}]
    assert data.add_many(Car, rows) == [5, 6]
    assert data.cars[6] == {"id": 6, "name": "B"}
    with pytest.raises(TypeError, match="generated rows only"):
        data.add_many(Car, rows, brand="VW")


def test_add_many_is_fast_enough_for_paging_tests() -> None:
    """200,000 generated rows take well under the time a test can spare."""
    data = CustomerData()
    started = time.perf_counter()
    data.add_many(Event, 100_000)
    data.add_many_services(100_000)
    assert time.perf_counter() - started < 5
    assert len(data.events) == len(data.services) == 100_000


async def test_bulk_rows_page_through_the_sdk(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """Generated events list, count and page like seeded ones."""
    fake.store.customer(1).add_many(Event, 2_500, car_id=1003, start_id=100_000)
    events = client.cars.events(1003)
    assert await events.count() == 2_500
    seen = [event.id async for event in events.iterate(Query().skip(10), page_size=1_000)]
    assert seen == list(range(100_010, 102_500))


def test_the_old_aliases_keep_working() -> None:
    """services/products tables, add_service, add_product, add_many_services, product_of."""
    data = seeded_store().customer(1)
    data.services[101]["name"] = "Renamed"
    assert data.table(Service)[101]["name"] == "Renamed"
    data.add_service(Service(id=190, name="New", is_terminated=False, product_id=504))
    product = Product(id=590, unique_id="U", serial_number="S", sap_number="P",
                      type=ProductType.FLINKEY_IQ)  # fmt: skip
    assert data.add_product(product)["type"] == "flinkey IQ"
    assert data.product_of(190) == data.products[504]
    assert data.product_of(105) is None
    data.add_many_services(2, start_id=7)
    assert data.services[7] == {"id": 7, "name": "Service 7", "productId": None,
                                "isTerminated": True, "terminationDate": "2025-06-30T00:00:00Z",
                                "terminationCause": "Contract ended"}  # fmt: skip
    data.services = {}
    assert data.tables["services"] == {}


SEED_IDS = {
    1: {
        "cars": [1001, 1002, 1003],
        "users": [3001, 3002, 3003],
        "assignments": [4001, 4002, 4003, 4004, 4005],
        "events": [5001, 5002, 5003, 5004, 5005],
        "groups": [6001, 6002, 6003],
        "products": [501, 502, 503, 504],
        "services": [101, 102, 103, 104, 105],
    },
    2: {
        "cars": [2001],
        "users": [3101],
        "assignments": [4101],
        "events": [5101],
        "groups": [6101],
        "products": [601],
        "services": [201],
    },
}


def test_the_seed_covers_every_resource_for_both_customers() -> None:
    """The ids contract tests rely on, per customer and table, plus the global tables."""
    store = seeded_store()
    assert {c: {t: list(store.customer(c).tables[t]) for t in SEED_IDS[c]} for c in SEED_IDS} == (
        SEED_IDS
    )
    assert list(store.table(Customer)) == [1, 2]
    assert list(store.keys) == [7001, 7002, 7003, 7004, 7005]
    assert store.brands == ["Audi", "BMW/Mini", "Land Rover", "Mercedes-Benz", "Volkswagen"]
    assert store.customer(1).group_cars == {6001: [1001, 1002], 6002: [1003], 6003: []}
    assert store.customer(1).installed == {501: 1001, 502: 1001, 503: 1002}
    assert store.customer(2).installed == {601: 2001}


def test_the_seed_has_the_edge_cases_clients_must_read() -> None:
    """Nulls, both event types, positions or none, local and UTC times, open-ended access."""
    data = seeded_store().customer(1)
    assert [k for k, v in data.cars[1003].items() if v is None] == [
        "description", "vin", "licensePlate", "brand", "model",
    ]  # fmt: skip
    assert data.users[3002]["userData"] == {"firstName": "Bob", "lastName": None}
    events = list(data.events.values())
    assert {e["type"] for e in events} == {"CarOpened", "CarClosed"}
    assert {e["latitude"] is None for e in events} == {True, False}
    assert all(e["utcDateTime"].endswith("Z") and "+" not in e["dateTime"] for e in events)
    assert data.events[5004]["dateTime"] == "2025-07-01T10:00:00"  # summer: UTC+2
    assert data.events[5004]["utcDateTime"] == "2025-07-01T08:00:00Z"
    assert {a["end"] is None for a in data.assignments.values()} == {True, False}
    assert data.assignments[4005]["userId"] is None


def test_the_seeds_pairings_are_consistent() -> None:
    """Every paired service names a product of its customer; every installed product is paired."""
    store = seeded_store()
    for customer in (1, 2):
        data = store.customer(customer)
        paired = [s["productId"] for s in data.services.values() if s["productId"] is not None]
        assert len(paired) == len(set(paired))
        assert all(product in data.products for product in paired)
        assert all(data.service_of(product) for product in data.installed)
        assert all(car in data.cars for car in data.installed.values())


def test_the_seeds_services_and_products_are_unchanged() -> None:
    """The rows older tests pin."""
    data = seeded_store().customer(1)
    assert data.services[104]["terminationDate"] == "2025-12-31T12:00:00+00:00"
    assert data.products[502]["dongleTerminationTimeStamp"] == "2026-03-31T23:59:00+00:00"


async def test_the_request_log_is_a_ring_buffer() -> None:
    """Only the last max_requests are kept; total counts them all; it reads like a list."""
    async with FakeFlinkey(max_requests=3) as fake, fake.client() as client:
        for _ in range(4):
            await client.cars.list()
        assert len(fake.requests) == 3
        assert fake.requests.total == 5  # one token request and four calls
        assert fake.count("/v3/cars") == 3
        assert fake.token_requests() == []  # dropped: it was the oldest
        assert fake.requests[-1].path == "/v3/cars"
        fake.requests.clear()
        assert fake.requests == []
        assert repr(fake.requests) == "RequestLog(0 of max 3, total 5)"


def test_the_request_log_defaults_and_checks() -> None:
    """The default size is 10,000; a size must be a positive int."""
    assert DEFAULT_MAX_REQUESTS == 10_000
    assert FakeFlinkey().requests.maxlen == DEFAULT_MAX_REQUESTS
    assert RequestLog() == []
    assert RequestLog() != [1]
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="max_requests"):
            FakeFlinkey(max_requests=bad)  # type: ignore[arg-type]
