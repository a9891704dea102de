"""One contract over every route in the registry: a new resource is tested by declaring it.

For each read route: the typed call returns the model (or the partial model after ``select()``)
for exactly what the server sends; iterate() walks the same items across pages; count() agrees;
get_many() keeps input order; the documented 404 keeps its text; Customer-ID is sent exactly on
customer-scoped routes. Writes: a pair → install → uninstall → unpair round trip.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from flinkey_async import (
    UNSET,
    BadRequestError,
    F,
    FlinkeyClient,
    NotFoundError,
    Query,
    Secret,
)
from flinkey_async._endpoint import Route
from flinkey_async._model import wire_names
from flinkey_async._registry import RESOURCES, ROUTES
from flinkey_async._resources.brands import MSG_INVALID_BRAND
from flinkey_async.testing import SDK_KEY, FakeFlinkey

ATTRIBUTE = {resource: name for name, resource in RESOURCES.items()}
# The seed rows each route is exercised with (the parent of a nested route, the item of a get).
PARENTS: dict[str, int | str] = {
    "cars/{carId}/events": 1001,
    "cars/{carId}/assignments": 1001,
    "groups/{groupId}/cars": 6001,
    "brands/{brand}/keys": "BMW/Mini",
    "services/{serviceId}/products": 102,
    "products/{productId}/services": 501,
}
ITEMS: dict[str, list[int]] = {
    "cars/{carId}": [1003, 1001],
    "users/{userId}": [3002, 3001],
    "assignments/{assignmentId}": [4005, 4001],
    "events/{eventId}": [5002, 5001],
    "products/{productId}": [504, 501],
    "services/{serviceId}": [104, 101],
}
UNKNOWN = 999_999
READS = [r for r in ROUTES if r.kind != "write"]
WRITES = {f"{r.method} {r.template}" for r in ROUTES if r.kind == "write"}


def _id(route: Route) -> str:
    return f"{route.method} {route.template}"


def _call(client: FlinkeyClient, route: Route) -> Any:
    """The SDK's callable for a route: a collection, a lookup, or a single nested read."""
    resource = getattr(client, _attribute(route))
    if route.name in ("list", "get"):
        return resource
    member = getattr(resource, route.name)
    return member if route.kind == "one" else member(PARENTS[route.template])


def _attribute(route: Route) -> str:
    assert route.owner is not None
    return ATTRIBUTE[route.owner]


def _first_field(model: type[Any]) -> str:
    return next(iter(wire_names(model)))


def test_every_route_is_exercised() -> None:
    """A new route fails here until it has seed rows to be tested with."""
    nested = {r.template for r in READS if r.template.count("/") == 2}
    gets = {r.template for r in READS if r.kind == "get"}
    assert nested == set(PARENTS)
    assert gets == set(ITEMS)
    assert {
        "PUT installations",
        "DELETE installations",
        "PUT pairings",
        "DELETE pairings",
        "POST sdk/token",
    } == WRITES


LISTS = [r for r in READS if r.kind == "list"]


@pytest.mark.parametrize("route", LISTS, ids=_id)
async def test_list_returns_what_the_server_sends(
    route: Route, client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """list() structures every row the raw endpoint returns, in order, into the model."""
    segments = [_fill(route).get(part.strip("{}"), part) for part in route.template.split("/")]
    raw = await client.request("GET", segments, customer_scoped=route.scoped)
    items = await _call(client, route).list()
    assert len(items) == len(raw) > 0
    assert all(type(item) is route.model for item in items)
    if attrs.has(route.model):
        assert [item.id for item in items] == [row["id"] for row in raw]
    else:
        assert list(items) == raw
    sent = fake.api_requests()[-1]
    assert ("Customer-ID" in sent.headers) is route.scoped


def _fill(route: Route) -> dict[str, str]:
    if "{" not in route.template:
        return {}
    name = route.template.split("{")[1].split("}")[0]
    return {name: str(PARENTS.get(route.template, ""))}


ODATA_LISTS = [r for r in LISTS if r.odata and attrs.has(r.model)]


@pytest.mark.parametrize("route", ODATA_LISTS, ids=_id)
async def test_select_iterate_and_count(route: Route, client: FlinkeyClient) -> None:
    """select() gives partial models; iterate() across pages and count() agree with list()."""
    collection = _call(client, route)
    everything = await collection.list(Query().top(1_000))
    field = _first_field(route.model)
    partial = await collection.list(Query().select(F(field)))
    assert all(type(item) is route.partial for item in partial)
    others = [n for n, w in wire_names(route.partial).items() if w != field]
    assert all(getattr(item, name) is UNSET for item in partial for name in others)
    walked = [item async for item in collection.iterate(page_size=2)]
    assert walked == list(everything)
    assert await collection.count() == len(everything)
    counted = await collection.list(Query().top(1).count())
    assert counted.total_count == len(everything)


GETS = [r for r in READS if r.kind == "get"]


@pytest.mark.parametrize("route", GETS, ids=_id)
async def test_get_get_many_and_the_documented_404(
    route: Route, client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """get() and get_many() return the model; an unknown id is NotFoundError with its text."""
    lookup = _call(client, route)
    ids = ITEMS[route.template]
    item = await lookup.get(ids[0])
    assert type(item) is route.model
    assert item.id == ids[0]
    assert fake.api_requests()[-1].path == f"/v3/{route.template.split('/')[0]}/{ids[0]}"
    assert ("Customer-ID" in fake.api_requests()[-1].headers) is route.scoped
    field = _first_field(route.model)
    partial = await lookup.get(ids[1], Query().select(F(field)))
    assert type(partial) is route.partial
    assert [x.id for x in await lookup.get_many([ids[1], ids[0], ids[1]])] == [
        ids[1],
        ids[0],
        ids[1],
    ]
    with pytest.raises(NotFoundError) as info:
        await lookup.get(UNKNOWN)
    if route.not_found:
        assert info.value.message == route.not_found


ONES = [r for r in READS if r.kind == "one"]


@pytest.mark.parametrize("route", ONES, ids=_id)
async def test_single_nested_read(route: Route, client: FlinkeyClient) -> None:
    """A single nested read returns one model (partial after select); unknown parent: 404."""
    read = _call(client, route)
    parent = PARENTS[route.template]
    assert type(await read(parent)) is route.model
    field = _first_field(route.model)
    assert type(await read(parent, Query().select(F(field)))) is route.partial
    with pytest.raises(NotFoundError) as info:
        await read(UNKNOWN)
    if route.parent_not_found:
        assert info.value.message == route.parent_not_found


NESTED = [r for r in LISTS if "{" in r.template]


@pytest.mark.parametrize("route", NESTED, ids=_id)
async def test_nested_list_of_an_unknown_parent(route: Route, client: FlinkeyClient) -> None:
    """An unknown parent is the parent's documented refusal, not an empty list."""
    resource = getattr(client, _attribute(route))
    by_name = isinstance(PARENTS[route.template], str)
    unknown = getattr(resource, route.name)("Nope" if by_name else UNKNOWN)
    if by_name:  # flinkey documents a 400 for an unknown brand
        with pytest.raises(BadRequestError, match=MSG_INVALID_BRAND):
            await unknown.list()
        return
    with pytest.raises(NotFoundError) as info:
        await unknown.list()
    if route.parent_not_found:
        assert info.value.message == route.parent_not_found


async def test_write_round_trip(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """Pair a box with a service, install it, uninstall it, unpair it: each one 204 and state."""
    await client.pairings.pair(service_id=105, serial_number="SN-100504")
    assert (await client.products.get_service(504)).id == 105
    await client.installations.install(car_id=1003, unique_id="BOX-0504")
    assert fake.store.customer(1).installed[504] == 1003
    await client.installations.uninstall(car_id=1003, product_id=504)
    assert 504 not in fake.store.customer(1).installed
    await client.pairings.unpair(service_id=105, product_id=504)
    with pytest.raises(NotFoundError):
        await client.products.get_service(504)
    writes = [r for r in fake.api_requests() if r.method != "GET"]
    assert [(r.method, r.path, r.body) for r in writes] == [
        ("PUT", "/v3/pairings", b'{"serviceId":105,"serialNumber":"SN-100504"}'),
        ("PUT", "/v3/installations", b'{"carId":1003,"uniqueId":"BOX-0504"}'),
        ("DELETE", "/v3/installations", b'{"carId":1003,"productId":504}'),
        ("DELETE", "/v3/pairings", b'{"serviceId":105,"productId":504}'),
    ]
    assert all(r.headers["Customer-ID"] == "1" for r in writes)


async def test_sdk_token_is_unscoped_and_secret(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """POST /sdk/token sends the customer in the body, no Customer-ID, and returns a Secret."""
    token = await client.sdk.token(user_id=3001, sdk_key=SDK_KEY)
    assert isinstance(token, Secret)
    assert token.reveal() not in repr(token)
    (sent,) = [r for r in fake.api_requests() if r.method == "POST"]
    assert "Customer-ID" not in sent.headers
    assert sent.headers["Content-Type"] == "application/json"
