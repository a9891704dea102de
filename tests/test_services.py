"""The three Services endpoints, end to end over loopback HTTP against the fake server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flinkey_async import (
    FlinkeyClient,
    NotFoundError,
    Product,
    ProductType,
    ResponseDecodeError,
    Service,
)
from flinkey_async._resources.services import (
    MSG_PRODUCT_NOT_FOUND,
    MSG_PRODUCT_SERVICE_NOT_FOUND,
    MSG_SERVICE_NOT_FOUND,
)
from flinkey_async.testing import FakeFlinkey, Fault


async def test_list_returns_every_service_of_the_customer(client: FlinkeyClient) -> None:
    """GET /services structures each wire object into a Service."""
    services = await client.services.list()
    assert services[3] == Service(
        id=104,
        name="Rental Munich",
        is_terminated=True,
        termination_date=datetime(2025, 12, 31, 12, 0, tzinfo=UTC),
        termination_cause="Contract ended",
        product_id=None,
    )
    assert [s.name for s in services][2] == "O'Brien & Sons + Co"


async def test_get_returns_one_service(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """GET /services/{id} is requested at the documented path and returns a Service."""
    service = await client.services.get(101)
    assert service == Service(id=101, name="Fleet Berlin 01", is_terminated=False, product_id=501)
    assert fake.api_requests()[-1].raw_path == "/v3/services/101"


async def test_get_product_returns_the_paired_product(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """GET /services/{id}/products returns the Product with its dongle timestamp."""
    product = await client.services.get_product(102)
    assert product == Product(
        id=502,
        unique_id="IQ-0502",
        serial_number="SN-100502",
        sap_number="SAP-2",
        type=ProductType.FLINKEY_IQ,
        dongle_termination_timestamp=datetime(2026, 3, 31, 23, 59, tzinfo=UTC),
    )
    assert fake.api_requests()[-1].raw_path == "/v3/services/102/products"


@pytest.mark.parametrize(
    ("call", "service_id", "message"),
    [
        ("get", 999, MSG_SERVICE_NOT_FOUND),
        ("get_product", 999, MSG_PRODUCT_SERVICE_NOT_FOUND),
        ("get_product", 105, MSG_PRODUCT_NOT_FOUND),
        ("get", 201, MSG_SERVICE_NOT_FOUND),  # customer 2's service is not customer 1's
    ],
)
async def test_documented_404s_raise_not_found(
    client: FlinkeyClient, call: str, service_id: int, message: str
) -> None:
    """Each documented 404 text maps to NotFoundError with status, message and excerpt."""
    with pytest.raises(NotFoundError) as info:
        await getattr(client.services, call)(service_id)
    err = info.value
    assert (err.status, err.message, err.body_excerpt) == (404, message, message)
    assert err.method == "GET"
    assert err.url is not None
    assert err.url.endswith(
        f"/v3/services/{service_id}" + ("/products" if call == "get_product" else "")
    )


async def test_customer_id_can_be_overridden_per_call(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """customer_id= on a call sends that Customer-ID and sees that customer's data."""
    services = await client.services.list(customer_id=2)
    assert [s.id for s in services] == [201]
    assert fake.api_requests()[-1].headers["Customer-ID"] == "2"
    await client.services.list()
    assert fake.api_requests()[-1].headers["Customer-ID"] == "1"


async def test_unknown_product_type_is_kept(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """A product type flinkey adds later is kept as an open-enum member, not refused."""
    fake.store.customer(1).products[501]["type"] = "flinkey Go"
    product = await client.services.get_product(101)
    assert product.type == "flinkey Go"
    assert isinstance(product.type, ProductType)
    assert not product.type.is_known
    assert ProductType.FLINKEY_BOX.is_known


async def test_missing_product_id_and_unknown_fields(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """A Service without productId (newer docs) and with extra fields still structures."""
    row = fake.store.customer(1).services[101]
    del row["productId"]
    row["brandNewField"] = {"nested": [1, 2]}
    service = await client.services.get(101)
    assert service.product_id is None
    assert service.name == "Fleet Berlin 01"


async def test_offsetless_datetime_is_read_as_utc(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """A date-time without an offset becomes an aware UTC datetime."""
    fake.store.customer(1).services[104]["terminationDate"] = "2025-12-31T12:00:00.1234567"
    service = await client.services.get(104)
    assert service.termination_date == datetime(2025, 12, 31, 12, 0, 0, 123456, tzinfo=UTC)


async def test_non_json_200_body_raises_decode_error(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """A 200 whose body is not JSON raises ResponseDecodeError with status and excerpt."""
    fake.faults.add(
        "/v3/services", Fault(status=200, body="<html>maintenance</html>", content_type="text/html")
    )
    with pytest.raises(ResponseDecodeError) as info:
        await client.services.list()
    assert info.value.status == 200
    assert info.value.body_excerpt == "<html>maintenance</html>"
    assert "not valid JSON" in info.value.message


async def test_wrong_shape_names_the_json_path(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """A wrongly typed field raises ResponseDecodeError naming the wire path."""
    fake.store.customer(1).services[104]["isTerminated"] = "yes"
    with pytest.raises(ResponseDecodeError) as info:
        await client.services.list()
    assert info.value.json_path == "$[3].isTerminated"
    assert info.value.message == (
        "unexpected response body at $[3].isTerminated: expected true or false, got a string"
    )


async def test_single_service_must_be_an_object(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """The single-service answer is an object; a list there is a decode error, not a guess."""
    fake.faults.add(
        "/v3/services/101", Fault(status=200, body="[]", content_type="application/json")
    )
    with pytest.raises(ResponseDecodeError) as info:
        await client.services.get(101)
    assert info.value.json_path == "$"
    assert "expected an object, got an array" in info.value.message


@pytest.mark.parametrize(
    ("bad", "exc"),
    [
        (0, ValueError),
        (-5, ValueError),
        (2**31, ValueError),
        (True, TypeError),
        ("101", TypeError),
        (101.0, TypeError),
        (None, TypeError),
    ],
)
async def test_invalid_ids_are_refused_before_io(
    client: FlinkeyClient, fake: FakeFlinkey, bad: object, exc: type[Exception]
) -> None:
    """An id that is not a positive int32 raises before any request is sent."""
    for call in (client.services.get, client.services.get_product):
        with pytest.raises(exc, match="service_id"):
            await call(bad)  # type: ignore[arg-type]
    if bad is not None:  # customer_id=None means "the client's default"
        with pytest.raises(exc, match="customer_id"):
            await client.services.list(customer_id=bad)  # type: ignore[arg-type]
    assert fake.requests == []
