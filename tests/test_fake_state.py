"""The fake's pairing and installation state machine: flinkey's documented answers, exactly."""

from __future__ import annotations

from typing import Any

import pytest
from _fake_http import call

from flinkey_async import BadRequestError, ConflictError, FlinkeyClient, NotFoundError
from flinkey_async._resources.cars import MSG_CAR_NOT_FOUND
from flinkey_async._resources.services import MSG_PRODUCT_NOT_FOUND, MSG_SERVICE_NOT_FOUND
from flinkey_async.testing import FakeFlinkey
from flinkey_async.testing._machine import (
    MSG_ALREADY_INSTALLED,
    MSG_NO_CAR_ID,
    MSG_NO_PRODUCT_REF,
    MSG_NO_SERVICE,
    MSG_NO_SERVICE_ID,
    MSG_NOT_INSTALLED,
    MSG_PAIR_NO_PRODUCT_REF,
    MSG_PRODUCT_PAIRED,
    MSG_PRODUCT_REF_NOT_FOUND,
    MSG_SAME_TYPE,
    MSG_SERVICE_PAIRED,
    MSG_UNINSTALL_NO_CAR_ID,
    MSG_UNINSTALL_NO_PRODUCT_REF,
)
from flinkey_async.testing._special import MSG_NO_PAIRED_SERVICE

# Seed: services 101-103 are paired with 501-503; 104 and 105 and box 504 are free. Car 1001
# holds box 501 and IQ 502, car 1002 box 503, car 1003 nothing.


async def test_pair_install_uninstall_unpair_round_trip(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """Each step changes the state the next one needs; unpair and uninstall undo them."""
    data = fake.store.customer(1)
    await client.pairings.pair(service_id=105, product_id=504)
    assert data.services[105]["productId"] == 504
    assert (await client.products.get_service(504)).id == 105
    assert (await client.services.get_product(105)).id == 504

    await client.installations.install(car_id=1003, serial_number="SN-100504")
    assert data.installed[504] == 1003
    await client.installations.uninstall(car_id=1003, unique_id="BOX-0504")
    assert 504 not in data.installed

    await client.pairings.unpair(service_id=105, product_id=504)
    assert data.services[105]["productId"] is None
    with pytest.raises(NotFoundError) as caught:
        await client.products.get_service(504)
    assert caught.value.message == MSG_NO_PAIRED_SERVICE
    with pytest.raises(NotFoundError) as caught:
        await client.services.get_product(105)
    assert caught.value.message == MSG_PRODUCT_NOT_FOUND


async def test_an_uninstalled_product_installs_again(client: FlinkeyClient) -> None:
    """Uninstalling frees both the product and the car's slot for its type."""
    await client.installations.uninstall(car_id=1002, product_id=503)
    await client.installations.install(car_id=1003, product_id=503)
    await client.pairings.pair(service_id=105, product_id=504)
    await client.installations.install(car_id=1002, product_id=504)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "pairings", {"serviceId": 105, "productId": 504}),
        ("DELETE", "pairings", {"serviceId": 101, "productId": 501}),
        ("DELETE", "installations", {"carId": 1002, "productId": 503}),
        ("PUT", "installations", {"carId": 1003, "productId": 503}),
    ],
)
async def test_success_is_204_with_an_empty_body(
    fake: FakeFlinkey, method: str, path: str, body: dict[str, Any]
) -> None:
    """Writes answer 204 No Content, with no body and no Content-Type."""
    if path == "installations" and method == "PUT":
        await call(fake, "DELETE", "installations", json={"carId": 1002, "productId": 503})
    answer = await call(fake, method, path, json=body)
    assert (answer.status, answer.body) == (204, b"")
    assert "Content-Type" not in answer.headers


async def test_ids_may_arrive_as_numeric_strings(fake: FakeFlinkey) -> None:
    """flinkey's own web component sends {"serviceId": "12"}; the fake accepts it, as flinkey."""
    pair = await call(fake, "PUT", "pairings", json={"serviceId": "105", "productId": "504"})
    install = await call(fake, "PUT", "installations", json={"carId": "1003", "productId": "504"})
    assert (pair.status, install.status) == (204, 204)
    assert fake.store.customer(1).installed[504] == 1003


INSTALL_ERRORS: list[tuple[dict[str, Any], int, str]] = [
    ({"productId": 504}, 400, MSG_NO_CAR_ID),
    ({"carId": None, "productId": 504}, 400, MSG_NO_CAR_ID),
    ({"carId": "abc", "productId": 504}, 400, MSG_NO_CAR_ID),
    ({"carId": 0, "productId": 504}, 400, MSG_NO_CAR_ID),
    ({"carId": True, "productId": 504}, 400, MSG_NO_CAR_ID),
    ({"carId": 2**31, "productId": 504}, 400, MSG_NO_CAR_ID),
    ({"carId": "9" * 5000, "productId": 504}, 400, MSG_NO_CAR_ID),
    ({"carId": 1003}, 400, MSG_NO_PRODUCT_REF),
    ({"carId": 1003, "productId": None, "uniqueId": None}, 400, MSG_NO_PRODUCT_REF),
    ({"carId": 1003, "productId": 504, "serialNumber": "SN-100504"}, 400, MSG_NO_PRODUCT_REF),
    ({"carId": 1003, "productId": "x"}, 400, MSG_NO_PRODUCT_REF),
    ({"carId": 1003, "serialNumber": " "}, 400, MSG_NO_PRODUCT_REF),
    ({"carId": 1003, "uniqueId": 504}, 400, MSG_NO_PRODUCT_REF),
    ({"carId": 9999, "productId": 504}, 404, MSG_CAR_NOT_FOUND),
    ({"carId": 2001, "productId": 504}, 404, MSG_CAR_NOT_FOUND),  # customer 2's car
    ({"carId": 1003, "productId": 9999}, 404, MSG_PRODUCT_REF_NOT_FOUND),
    ({"carId": 1003, "productId": 601}, 404, MSG_PRODUCT_REF_NOT_FOUND),  # customer 2's box
    ({"carId": 1003, "serialNumber": "SN-nope"}, 404, MSG_PRODUCT_REF_NOT_FOUND),
    ({"carId": 1003, "uniqueId": "box-0504"}, 404, MSG_PRODUCT_REF_NOT_FOUND),
    ({"carId": 1003, "productId": 504}, 409, MSG_NO_SERVICE),
    ({"carId": 1003, "productId": 501}, 409, MSG_ALREADY_INSTALLED),
    ({"carId": 1001, "uniqueId": "BOX-0501"}, 409, MSG_ALREADY_INSTALLED),  # even into its car
]


@pytest.mark.parametrize(("body", "status", "message"), INSTALL_ERRORS)
async def test_install_errors(
    fake: FakeFlinkey, body: dict[str, Any], status: int, message: str
) -> None:
    """PUT /installations answers each documented 400/404/409 with its exact text."""
    before = dict(fake.store.customer(1).installed)
    answer = await call(fake, "PUT", "installations", json=body)
    assert (answer.status, answer.text) == (status, message)
    assert fake.store.customer(1).installed == before


async def test_a_car_holds_one_product_per_type(client: FlinkeyClient) -> None:
    """A second box in car 1001 is a 409 ConflictError with flinkey's text; an IQ is too."""
    await client.pairings.pair(service_id=105, product_id=504)
    with pytest.raises(ConflictError) as caught:
        await client.installations.install(car_id=1001, product_id=504)
    assert (caught.value.status, caught.value.message) == (409, MSG_SAME_TYPE)
    await client.installations.install(car_id=1003, product_id=504)  # the empty car takes it


async def test_sdk_errors_keep_the_servers_text(client: FlinkeyClient) -> None:
    """Through the SDK: 409 is ConflictError, 404 NotFoundError, each with the exact text."""
    with pytest.raises(ConflictError) as conflict:
        await client.installations.install(car_id=1003, product_id=504)
    assert conflict.value.message == MSG_NO_SERVICE
    with pytest.raises(NotFoundError) as missing:
        await client.installations.install(car_id=4242, product_id=504)
    assert missing.value.message == MSG_CAR_NOT_FOUND


UNINSTALL_ERRORS: list[tuple[dict[str, Any], int, str]] = [
    ({"productId": 501}, 400, MSG_UNINSTALL_NO_CAR_ID),
    ({"carId": 1001}, 400, MSG_UNINSTALL_NO_PRODUCT_REF),
    ({"carId": 9999, "productId": 501}, 404, MSG_CAR_NOT_FOUND),
    ({"carId": 1001, "productId": 9999}, 404, MSG_PRODUCT_REF_NOT_FOUND),
    ({"carId": 1002, "productId": 501}, 409, MSG_NOT_INSTALLED),  # installed elsewhere
    ({"carId": 1003, "productId": 504}, 409, MSG_NOT_INSTALLED),  # installed nowhere
]


@pytest.mark.parametrize(("body", "status", "message"), UNINSTALL_ERRORS)
async def test_uninstall_errors(
    fake: FakeFlinkey, body: dict[str, Any], status: int, message: str
) -> None:
    """DELETE /installations: the install texts where they fit, the fake's own otherwise."""
    answer = await call(fake, "DELETE", "installations", json=body)
    assert (answer.status, answer.text) == (status, message)
    assert fake.store.customer(1).installed == {501: 1001, 502: 1001, 503: 1002}


PAIRING_ERRORS: list[tuple[str, dict[str, Any], int, str]] = [
    ("PUT", {"productId": 504}, 400, MSG_NO_SERVICE_ID),
    ("PUT", {"serviceId": "", "productId": 504}, 400, MSG_NO_SERVICE_ID),
    ("PUT", {"serviceId": 105}, 400, MSG_PAIR_NO_PRODUCT_REF),
    (
        "PUT",
        {"serviceId": 105, "productId": 504, "uniqueId": "BOX-0504"},
        400,
        MSG_PAIR_NO_PRODUCT_REF,
    ),
    ("PUT", {"serviceId": 999, "productId": 504}, 404, MSG_SERVICE_NOT_FOUND),
    ("PUT", {"serviceId": 201, "productId": 504}, 404, MSG_SERVICE_NOT_FOUND),
    ("PUT", {"serviceId": 105, "serialNumber": "SN-0"}, 404, MSG_PRODUCT_REF_NOT_FOUND),
    ("PUT", {"serviceId": 101, "productId": 504}, 409, MSG_SERVICE_PAIRED),
    ("PUT", {"serviceId": 105, "productId": 501}, 409, MSG_PRODUCT_PAIRED),
    ("DELETE", {"serviceId": 105, "productId": 504}, 404, MSG_PRODUCT_NOT_FOUND),
    ("DELETE", {"serviceId": 101, "productId": 502}, 404, MSG_PRODUCT_NOT_FOUND),
    ("DELETE", {"serviceId": 101}, 400, MSG_PAIR_NO_PRODUCT_REF),
]


@pytest.mark.parametrize(("method", "body", "status", "message"), PAIRING_ERRORS)
async def test_pairing_errors(
    fake: FakeFlinkey, method: str, body: dict[str, Any], status: int, message: str
) -> None:
    """PUT/DELETE /pairings (flinkey documents no errors): one to one, by the fake's rules."""
    answer = await call(fake, method, "pairings", json=body)
    assert (answer.status, answer.text) == (status, message)
    paired = {s["id"]: s["productId"] for s in fake.store.customer(1).services.values()}
    assert paired == {101: 501, 102: 502, 103: 503, 104: None, 105: None}


async def test_pairing_the_same_pair_again_is_a_no_op(client: FlinkeyClient) -> None:
    """A repeated PUT /pairings of an existing pair answers 204 and changes nothing."""
    await client.pairings.pair(service_id=101, product_id=501)
    assert (await client.products.get_service(501)).id == 101


async def test_unpairing_leaves_an_installed_product_installed(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """Unpairing does not uninstall; installing it elsewhere then lacks a service."""
    await client.pairings.unpair(service_id=103, product_id=503)
    assert fake.store.customer(1).installed[503] == 1002
    await client.installations.uninstall(car_id=1002, product_id=503)
    with pytest.raises(ConflictError, match=MSG_NO_SERVICE):
        await client.installations.install(car_id=1002, product_id=503)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'{"carId": 1003, "productId": 504}', {}),
        (b'{"carId": 1003, "productId": 504}', {"Content-Type": "text/plain"}),
        (b"carId=1003", {"Content-Type": "application/x-www-form-urlencoded"}),
    ],
)
async def test_a_body_without_json_content_type_is_415(
    fake: FakeFlinkey, body: bytes, headers: dict[str, str]
) -> None:
    """Writes need Content-Type: application/json; else flinkey's 415 problem JSON."""
    answer = await call(fake, "PUT", "installations", body=body, headers=headers)
    assert answer.status == 415
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert b'"title": "Unsupported Media Type", "status": "415"' in answer.body


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1, 2]", b'"text"', b"[" * 100_000, b'{"carId": 1' + b"0" * 5000 + b"}"],
    ids=["empty", "not-json", "array", "string", "deep", "long-number"],
)
async def test_a_malformed_body_is_a_400_problem(fake: FakeFlinkey, body: bytes) -> None:
    """A body that is not a JSON object is ASP.NET Core's 400 validation problem, not a 500."""
    answer = await call(
        fake, "PUT", "pairings", body=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status == 400
    assert b'"title": "One or more validation errors occurred."' in answer.body


async def test_writes_act_for_the_customer_of_the_header(fake: FakeFlinkey) -> None:
    """Customer 2 installs its own box; customer 1's data is untouched."""
    await call(
        fake, "DELETE", "installations", customer="2", json={"carId": 2001, "productId": 601}
    )
    assert fake.store.customer(2).installed == {}
    assert fake.store.customer(1).installed == {501: 1001, 502: 1001, 503: 1002}
    with pytest.raises(BadRequestError):
        async with fake.client(customer_id=2) as client:
            await client.request("PUT", "installations", json={"carId": 2001})
