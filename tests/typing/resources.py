"""Type-checked (never run) use of every resource kind: ``mypy --strict tests/typing``."""

from __future__ import annotations

from typing import Any, assert_type

from flinkey_async import FlinkeyClient, ListResult, Pager, Query, Secret, fields
from flinkey_async._collection import Collection, PlainCollection
from flinkey_async.models import (
    Assignment,
    Car,
    CarFields,
    Customer,
    Event,
    EventType,
    Group,
    Key,
    KeyForm,
    PartialCar,
    PartialCustomer,
    PartialEvent,
    PartialKey,
    PartialKeyForm,
    PartialProduct,
    Product,
    Service,
    UnsetType,
    User,
    UserData,
)


async def collections(client: FlinkeyClient) -> None:
    """A collection: list/iterate/count; select() makes the items partial."""
    c = fields(Car)
    assert_type(c, CarFields)
    assert_type(await client.cars.list(), ListResult[Car])
    assert_type(await client.cars.list(Query().select(c.id, c.name)), ListResult[PartialCar])
    assert_type(client.cars.iterate(Query().top(5)), Pager[Car])
    assert_type(client.cars.iterate(Query().select(c.vin), page_size=500), Pager[PartialCar])
    assert_type(await client.cars.count(Query().filter(c.brand == "BMW")), int)
    assert_type(await client.customers.list(), ListResult[Customer])
    assert_type(
        await client.customers.list(Query().select(fields(Customer).id)),
        ListResult[PartialCustomer],
    )
    assert_type(client.customers.iterate(), Pager[Customer])
    assert_type(await client.users.list(), ListResult[User])
    assert_type(await client.products.list(), ListResult[Product])
    assert_type(await client.brands.list(), ListResult[str])
    assert_type(await client.groups.list(), ListResult[Group])
    assert_type(
        await client.services.list(customer_id=2, timeout=5.0, max_retries=0), ListResult[Service]
    )


async def lookups(client: FlinkeyClient) -> None:
    """get() and get_many(): a model, or a partial one after select()."""
    assert_type(await client.cars.get(1), Car)
    assert_type(await client.cars.get(1, Query().select(fields(Car).vin)), PartialCar)
    assert_type(await client.cars.get_many([1, 2], concurrency=4, timeout=10), list[Car])
    assert_type(await client.cars.get_many([1], return_exceptions=True), list[Car | Exception])
    assert_type(await client.users.get(1), User)
    assert_type((await client.users.get(1)).user_data, UserData)
    assert_type(await client.users.get_many([1, 2]), list[User])
    assert_type(await client.products.get(1), Product)
    assert_type(await client.products.get_many([1, 2]), list[Product])
    assert_type(await client.assignments.get(1), Assignment)
    assert_type(await client.events.get(1), Event)
    assert_type((await client.events.get(1)).type, EventType)


async def nested(client: FlinkeyClient) -> None:
    """Nested collections are bound to a parent key; single nested reads take the parent id."""
    events = client.cars.events(7)
    assert_type(events, Collection[Event, PartialEvent])
    assert_type(await events.list(Query().top(20)), ListResult[Event])
    assert_type(await events.list(Query().select(fields(Event).type)), ListResult[PartialEvent])
    assert_type(events.iterate(), Pager[Event])
    assert_type(await events.count(), int)
    assert_type(await client.cars.assignments(7).list(), ListResult[Assignment])
    assert_type(client.groups.cars(3), PlainCollection[Car])
    assert_type(await client.groups.cars(3).list(), ListResult[Car])
    keys = client.brands.keys("BMW/Mini")
    assert_type(await keys.list(), ListResult[Key])
    assert_type((await keys.list())[0].key_form, KeyForm)
    partial_keys = await keys.list(Query().select(fields(Key).box_name))
    assert_type(partial_keys[0].key_form, PartialKeyForm | UnsetType)
    assert_type(partial_keys, ListResult[PartialKey])
    assert_type(await client.services.get_product(1), Product)
    assert_type(
        await client.services.get_product(1, Query().select(fields(Product).id)), PartialProduct
    )
    assert_type(await client.products.get_service(1), Service)


async def writes(client: FlinkeyClient) -> None:
    """Writes return None (204) or the issued secret."""
    assert_type(await client.installations.install(car_id=1, product_id=501), None)
    assert_type(await client.installations.uninstall(car_id=1, serial_number="SN-1"), None)
    assert_type(await client.pairings.pair(service_id=101, unique_id="BOX-1"), None)
    assert_type(await client.pairings.unpair(service_id=101, product_id=501, timeout=5), None)
    assert_type(await client.sdk.token(user_id=1, sdk_key="k"), Secret)
    assert_type(await client.request("GET", "groups/7/cars", customer_scoped=True), Any)
    assert_type(client.for_customer(2), FlinkeyClient)


async def mistakes(client: FlinkeyClient) -> None:
    """What mypy refuses before anything runs."""
    await client.cars.list(timeot=5)  # type: ignore[call-overload]
    await client.cars.get("7")  # type: ignore[call-overload]
    await client.brands.keys(7).list()  # type: ignore[arg-type]
    await client.cars.events("7").list()  # type: ignore[arg-type]
    await client.customers.get(1)  # type: ignore[attr-defined]
    await client.groups.list(Query())  # type: ignore[call-arg, arg-type]
    await client.events.list()  # type: ignore[attr-defined]
    await client.installations.install(car_id=1, product_id="501")  # type: ignore[arg-type]
    _wrong: ListResult[Car] = await client.cars.list(Query().select(fields(Car).id))  # type: ignore[assignment]
