"""Every registry route served by the fake: access rules, 404s, nesting, brands, OData shapes."""

from __future__ import annotations

import base64
import json
import re

import pytest
from _fake_http import call

from flinkey_async import (
    UNSET,
    BadRequestError,
    F,
    FlinkeyClient,
    NotFoundError,
    Query,
    UnknownManagerError,
)
from flinkey_async._endpoint import Route
from flinkey_async._errors import MSG_INVALID_API_KEY, MSG_INVALID_TOKEN, MSG_UNKNOWN_MANAGER
from flinkey_async._registry import ROUTES
from flinkey_async._resources.cars import MSG_CAR_NOT_FOUND
from flinkey_async.models import (
    Car,
    Key,
    KeyForm,
    PartialKey,
    PartialKeyForm,
    PartialUser,
    PartialUserData,
)
from flinkey_async.testing import SDK_KEY, FakeFlinkey, Fault
from flinkey_async.testing._handlers import assumed_not_found, handler_of
from flinkey_async.testing._special import (
    MSG_GROUP_NOT_FOUND,
    MSG_INVALID_BRAND,
    MSG_INVALID_SDK_REQUEST,
    MSG_PRODUCT_UNKNOWN,
)
from flinkey_async.testing._wire import MSG_BAD_CUSTOMER_ID

GETS = [route for route in ROUTES if route.kind == "get"]
SEEDED = {"cars": 1002, "users": 3002, "assignments": 4003, "events": 5004, "products": 502,
          "services": 104}  # fmt: skip


def test_every_registry_route_has_a_handler() -> None:
    """No route falls back to the fake's 501 (a new SDK route needs a handler or a kind)."""
    assert [r.template for r in ROUTES if handler_of(r) is None] == []


@pytest.mark.parametrize("route", GETS, ids=[route.template for route in GETS])
async def test_get_by_id_and_its_404(client: FlinkeyClient, route: Route) -> None:
    """Each lookup returns its model; an unknown id is 404 with the declared (or assumed) text."""
    assert route.owner is not None
    lookup = getattr(client, route.owner.path)
    item = await lookup.get(SEEDED[route.owner.path])
    assert (type(item), item.id) == (route.model, SEEDED[route.owner.path])
    with pytest.raises(NotFoundError) as caught:
        await lookup.get(999_999)
    key = route.template.partition("{")[2].rstrip("}")
    assert caught.value.message == (route.not_found or assumed_not_found(key, scoped=True))


def test_assumed_texts_read_like_flinkeys() -> None:
    """Where flinkey documents no 404 text, the fake words one like the documented ones."""
    assert assumed_not_found("userId", scoped=True) == (
        "Unable to find a user for the given userId which is assigned to the given customerId."
    )
    assert assumed_not_found("eventId", scoped=False) == (
        "Unable to find an event for the given eventId."
    )


async def test_unscoped_endpoints_need_no_customer(fake: FakeFlinkey) -> None:
    """customers, brands, keys and sdk/token work on a client without customer_id."""
    async with fake.client(customer_id=None) as client:
        customers = await client.customers.list()
        brands = await client.brands.list()
        keys = await client.brands.keys("Audi").list()
        token = await client.sdk.token(user_id=3101, sdk_key=SDK_KEY, customer_id=2)
    assert [(c.id, c.name) for c in customers] == [(1, "Acme Car Rental"), (2, "Beta Mobility")]
    assert brands == ["Audi", "BMW/Mini", "Land Rover", "Mercedes-Benz", "Volkswagen"]
    assert [key.id for key in keys] == [7001]
    assert token.reveal().count(".") == 2
    assert all("Customer-ID" not in r.headers for r in fake.api_requests())


@pytest.mark.parametrize("path", ["customers", "brands", "brands/Audi/keys"])
@pytest.mark.parametrize("header", ["garbage", "²", "9" * 5000, "3"])
async def test_unscoped_endpoints_ignore_a_customer_id(
    fake: FakeFlinkey, path: str, header: str
) -> None:
    """A Customer-ID sent anyway, valid or not, changes nothing."""
    answer = await call(fake, "GET", path, customer=header)
    assert answer.status == 200


@pytest.mark.parametrize(
    ("header", "status", "message"),
    [
        (None, 400, MSG_BAD_CUSTOMER_ID),
        ("", 400, MSG_BAD_CUSTOMER_ID),
        ("abc", 400, MSG_BAD_CUSTOMER_ID),
        ("-1", 400, MSG_BAD_CUSTOMER_ID),
        ("2147483648", 400, MSG_BAD_CUSTOMER_ID),
        ("3", 404, MSG_UNKNOWN_MANAGER),
        ("0", 404, MSG_UNKNOWN_MANAGER),
    ],
)
async def test_scoped_endpoints_check_the_customer(
    fake: FakeFlinkey, header: str | None, status: int, message: str
) -> None:
    """A missing or malformed Customer-ID is 400; one the manager may not act for is 404."""
    answer = await call(fake, "GET", "cars", customer=header)
    assert (answer.status, answer.text) == (status, message)


async def test_customers_are_those_of_the_manager(fake: FakeFlinkey) -> None:
    """GET /customers lists the manager's customers; another customer's data is refused."""
    fake.customers = {2}
    async with fake.client() as client:
        assert [c.id for c in await client.customers.list()] == [2]
        with pytest.raises(UnknownManagerError):
            await client.cars.list(customer_id=1)
        assert [car.id for car in await client.cars.list()] == [2001]


async def test_the_access_checks_come_in_order(fake: FakeFlinkey) -> None:
    """API key, then token, then manager: each refusal in flinkey's documented shape."""
    key = await call(fake, "GET", "brands", headers={"flinkey-API-Key": "wrong"})
    assert (key.status, json.loads(key.body)) == (
        401, {"statusCode": 401, "message": MSG_INVALID_API_KEY},
    )  # fmt: skip
    token = await call(fake, "GET", "customers", headers={"Authorization": "Bearer nope"})
    assert json.loads(token.body) == {"statusCode": 401, "message": MSG_INVALID_TOKEN}
    fake.manager_known = False
    for path in ("customers", "cars", "brands"):
        manager = await call(fake, "GET", path)
        assert (manager.status, manager.text) == (404, MSG_UNKNOWN_MANAGER)


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("cars/999/events", 404, MSG_CAR_NOT_FOUND),
        ("cars/999/assignments", 404, MSG_CAR_NOT_FOUND),
        ("cars/2001/events", 404, MSG_CAR_NOT_FOUND),  # customer 2's car
        ("groups/999/cars", 404, MSG_GROUP_NOT_FOUND),
        ("products/999/services", 404, MSG_PRODUCT_UNKNOWN),
        ("brands/Opel/keys", 400, MSG_INVALID_BRAND),
        ("brands/BMW/keys", 400, MSG_INVALID_BRAND),  # "BMW/Mini" is one brand
    ],
)
async def test_an_unknown_parent(fake: FakeFlinkey, path: str, status: int, message: str) -> None:
    """A nested list below an unknown parent is the parent's 404 (a brand: flinkey's 400)."""
    answer = await call(fake, "GET", path)
    assert (answer.status, answer.text) == (status, message)


async def test_nested_lists_hold_the_parents_rows(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """Events, assignments and group members of one parent, each in the server's order."""
    assert [e.id for e in await client.cars.events(1001).list()] == [5001, 5002, 5003]
    assert fake.requests[-1].raw_query_string == "$top=100"  # the SDK's documented default
    assert [a.id for a in await client.cars.assignments(1002).list()] == [4003, 4005]
    assert await client.cars.events(1003).list() == []
    assert [c.id for c in await client.groups.cars(6001).list()] == [1001, 1002]
    assert await client.groups.cars(6003).list() == []


async def test_groups_ignore_query_options(fake: FakeFlinkey) -> None:
    """flinkey documents no OData for groups: a server without it ignores $top and $filter."""
    answer = await call(fake, "GET", "groups?$top=1&$filter=nonsense")
    assert [row["id"] for row in json.loads(answer.body)] == [6001, 6002, 6003]


@pytest.mark.parametrize(
    ("brand", "raw_path", "ids"),
    [
        ("BMW/Mini", "/v3/brands/BMW%2FMini/keys", [7002, 7003]),
        ("Land Rover", "/v3/brands/Land%20Rover/keys", [7004]),
        ("bmw/mini", "/v3/brands/bmw%2Fmini/keys", [7002, 7003]),
        ("Volkswagen", "/v3/brands/Volkswagen/keys", []),
    ],
)
async def test_a_brand_is_one_path_segment(
    client: FlinkeyClient, fake: FakeFlinkey, brand: str, raw_path: str, ids: list[int]
) -> None:
    """The brand travels percent-encoded and reaches the handler decoded, matched ignoring case."""
    keys = await client.brands.keys(brand).list()
    assert fake.requests[-1].path == raw_path
    assert [key.id for key in keys] == ids


async def test_keys_with_nested_select_and_expand(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """flinkey's web component query, and a path select, give partial keys with partial forms."""
    image = "https://static.example.com/keyforms/12.png"
    expanded = Query().select(F("boxName")).expand(F("keyForm"), Query().select(F("imageUrl")))
    keys = await client.brands.keys("BMW/Mini").list(expanded)
    assert fake.requests[-1].raw_query_string == "$select=boxName&$expand=keyForm($select=imageUrl)"
    assert keys[0] == PartialKey(box_name="flinkey Box M", key_form=PartialKeyForm(image_url=image))
    by_path = await client.brands.keys("BMW/Mini").list(Query().select(F("keyForm/imageUrl")))
    assert by_path[0] == PartialKey(key_form=PartialKeyForm(image_url=image))
    full = await client.brands.keys("BMW/Mini").list(Query().filter(F("keyForm/id") == 13))
    assert full == [Key(7003, "BMW/Mini", KeyForm(13, "Mini key fob", image.replace("12", "13")))]


async def test_a_path_through_a_plain_property_is_400(client: FlinkeyClient) -> None:
    """keyForm has parts; boxName has none."""
    message = "'boxName' on type 'Flinkey.Key' has no properties"
    with pytest.raises(BadRequestError, match=re.escape(message)):
        await client.brands.keys("Audi").list(Query().select(F("boxName/x")))


async def test_users_filter_and_select_on_user_data(client: FlinkeyClient) -> None:
    """userData/firstName filters and selects like any nested property."""
    users = await client.users.list(Query().filter(F("userData/lastName") == None))  # noqa: E711
    assert [u.id for u in users] == [3002, 3003]
    picked = await client.users.list(Query().select(F("userData/firstName")).top(1))
    assert picked[0] == PartialUser(user_data=PartialUserData(first_name="Alice"))
    assert picked[0].id is UNSET


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("$orderby=$this%20desc&$top=2", ["Volkswagen", "Mercedes-Benz"]),
        ("$skip=3", ["Mercedes-Benz", "Volkswagen"]),
        ("$count=true&$top=1", {"@odata.count": 5, "value": ["Audi"]}),
    ],
)
async def test_brands_are_strings_with_paging_and_order(
    client: FlinkeyClient, query: str, expected: object
) -> None:
    """GET /brands is a JSON array of strings; $orderby=$this, $top, $skip, $count apply."""
    assert await client.request("GET", "brands", query=query, customer_scoped=False) == expected


async def test_cars_with_nulls_round_trip(client: FlinkeyClient) -> None:
    """The seed's bare car has every nullable field null."""
    assert await client.cars.get(1003) == Car(id=1003, name="Spare van")


async def test_sdk_token_is_jwt_like(client: FlinkeyClient) -> None:
    """The id_token has three base64url parts; its payload names the user and the customer."""
    token = (await client.sdk.token(user_id=3001, sdk_key=SDK_KEY)).reveal()
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert (claims["sub"], claims["customerId"]) == ("3001", 1)


@pytest.mark.parametrize(
    "body",
    [
        {"customerId": 1, "userId": 3001, "sdkKey": "wrong"},
        {"customerId": 1, "userId": 3101, "sdkKey": SDK_KEY},  # customer 2's user
        {"customerId": 3, "userId": 3001, "sdkKey": SDK_KEY},  # not the manager's customer
        {"customerId": 1, "userId": 999, "sdkKey": SDK_KEY},
        {"customerId": 1, "sdkKey": SDK_KEY},
        {"userId": 3001, "sdkKey": SDK_KEY},
        {"customerId": 1, "userId": 3001},
        {"customerId": True, "userId": 3001, "sdkKey": SDK_KEY},
    ],
)
async def test_sdk_token_refuses_a_wrong_combination(fake: FakeFlinkey, body: object) -> None:
    """Any mismatch of customer, SDK key and user is flinkey's one 400 text."""
    answer = await call(fake, "POST", "sdk/token", customer=None, json=body)
    assert (answer.status, answer.text) == (400, MSG_INVALID_SDK_REQUEST)


async def test_sdk_token_takes_numeric_strings_and_a_configured_key(fake: FakeFlinkey) -> None:
    """The SDK key is settable on the fake; ids may arrive as strings."""
    fake.sdk_key = "portal-key"
    body = {"customerId": "2", "userId": "3101", "sdkKey": "portal-key"}
    answer = await call(fake, "POST", "sdk/token", customer=None, json=body)
    assert answer.status == 200
    assert set(json.loads(answer.body)) == {"id_token"}


async def test_an_unknown_path_is_a_plain_404(fake: FakeFlinkey) -> None:
    """Paths flinkey does not document are not served."""
    assert (await call(fake, "GET", "managers")).status == 404


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b"Internal server error."),
        (429, b"Too Many Requests."),
        (503, b"Service Unavailable."),
        (204, b""),
        (599, b""),
    ],
)
def test_a_fault_without_a_body_says_what_its_status_means(status: int, body: bytes) -> None:
    """Fault(429) no longer carries the 500's "Internal server error." text."""
    assert Fault(status).body == body
    assert Fault(status, body="custom").body == "custom"
