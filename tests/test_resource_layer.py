"""The resource layer's machinery: options, customer scope, views, counts, request(), writes."""

from __future__ import annotations

import contextlib
import json
import socket

import aiohttp
import pytest

from flinkey_async import (
    APIError,
    FlinkeyClient,
    Query,
    ResponseDecodeError,
    ServerError,
    TransportError,
    fields,
)
from flinkey_async.models import InstallationRequest, Service
from flinkey_async.testing import FakeFlinkey, Fault

s = fields(Service)
SERVICES = "/v3/services"


async def test_unknown_option_is_refused_before_io(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """A misspelt per-call option is a TypeError naming the known ones (and a mypy error)."""
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'timeot' \(per-call options"):
        await client.services.list(timeot=5)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="'retries'"):
        await client.services.get_many([101], retries=1)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="timeout"):
        client.services.iterate(timeout=0)
    assert fake.requests == []


async def test_options_apply_to_every_call_kind(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """get_many takes timeout= and max_retries= like every other call."""
    fake.faults.add("/v3/services/101", Fault(503), times=None)
    with pytest.raises(ExceptionGroup) as info:
        await client.services.get_many([101, 102], max_retries=0, customer_id=1)
    assert [type(e) for e in info.value.exceptions] == [ServerError]
    assert fake.count("/v3/services/101") == 1  # no retry with max_retries=0


async def test_for_customer_shares_token_and_sends_its_customer(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """A view sends its Customer-ID by default, shares the token, and is not closed by aclose."""
    other = client.for_customer(2)
    assert other.customer_id == 2
    assert repr(other).endswith("customer_id=2)")
    assert [svc.id for svc in await other.services.list()] == [201]
    assert (await client.services.list())[0].id == 101
    assert [r.headers["Customer-ID"] for r in fake.api_requests()] == ["2", "1"]
    assert len(fake.token_requests()) == 1
    await other.aclose()  # a view does not own the session
    assert len(await client.services.list(customer_id=2)) == 1
    with pytest.raises(ValueError, match="customer_id"):
        client.for_customer(0)


async def test_list_carries_the_server_count(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """A count() query fills total_count; without it total_count is None."""
    active = Query().filter(s.is_terminated == False)  # noqa: E712
    page = await client.services.list(active.top(2).count())
    assert [svc.id for svc in page] == [101, 102]
    assert page.total_count == 4
    assert (await client.services.list()).total_count is None


async def test_count_sends_top_zero(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """count() asks for $count=true with $top=0 and returns the number."""
    assert await client.services.count() == 5
    assert await client.services.count(Query().filter(s.name.contains("Berlin"))) == 2
    assert fake.requests[-1].raw_query_string == (
        "$filter=contains(name,'Berlin')&$top=0&$count=true"
    )


async def test_count_without_server_count_is_a_decode_error(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """A server that ignores $count cannot be counted: ResponseDecodeError, not a guess."""
    fake.faults.add(SERVICES, Fault(200, body="[]", content_type="application/json"))
    with pytest.raises(ResponseDecodeError, match=r"no @odata\.count"):
        await client.services.count()


async def test_request_reads_any_endpoint(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """request() returns decoded JSON with the same auth, and encodes each path segment."""
    rows = await client.request("GET", "services", query=Query().select(s.id).top(2))
    assert rows == [{"id": 101}, {"id": 102}]
    assert fake.requests[-1].raw_path == "/v3/services?$select=id&$top=2"
    assert fake.requests[-1].headers["Customer-ID"] == "1"
    with pytest.raises(APIError) as info:
        await client.request("get", "brands/BMW Mini/keys")
    assert (info.value.status, info.value.message) == (400, "Invalid brand provided.")
    assert fake.requests[-1].raw_path == "/v3/brands/BMW%20Mini/keys"


async def test_request_without_customer_scope(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """customer_scoped=False sends no Customer-ID (and refuses a customer_id= option)."""
    with pytest.raises(APIError):
        await client.request("GET", "services", customer_scoped=False)
    assert "Customer-ID" not in fake.requests[-1].headers
    with pytest.raises(TypeError, match="does not scope this endpoint"):
        await client.request("GET", "customers", customer_scoped=False, customer_id=2)


@pytest.mark.parametrize(
    ("method", "query", "error"),
    [
        ("TRACE", None, ValueError),
        (7, None, TypeError),
        ("GET", "$filter=name eq 'x'", ValueError),
        ("GET", 5, TypeError),
    ],
)
async def test_request_checks_its_arguments(
    client: FlinkeyClient, fake: FakeFlinkey, method: object, query: object, error: type
) -> None:
    """A bad method or an unencoded query string fails before any I/O."""
    with pytest.raises(error):
        await client.request(method, "services", query=query)  # type: ignore[arg-type]
    assert fake.requests == []


async def test_write_sends_a_camelcase_json_body(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """A request model becomes camelCase JSON, None fields left out; an empty 2xx is None."""
    fake.faults.add(SERVICES, Fault(204, body=b""), method="PUT")
    body = InstallationRequest(car_id=5, serial_number="SN-1")
    assert await client.request("PUT", "services", json=body) is None
    (sent,) = fake.api_requests()
    assert sent.method == "PUT"
    assert sent.headers["Content-Type"] == "application/json"
    assert json.loads(sent.body) == {"carId": 5, "serialNumber": "SN-1"}


@pytest.mark.parametrize(
    ("fault", "attempts"),
    [
        (Fault(reset=True), 1),  # may have reached the server
        (Fault(500), 1),
        (Fault(502, headers={"Retry-After": "0"}), 1),  # a gateway may have passed it on
        (Fault(503), 1),  # no Retry-After: unknown whether it acted
        (Fault(503, headers={"Retry-After": "0"}), 2),  # refused without acting
        (Fault(429, headers={"Retry-After": "0"}), 2),
        (Fault(status=None, delay=0.3), 1),  # timed out after sending
    ],
)
async def test_a_write_is_never_sent_twice(fake: FakeFlinkey, fault: Fault, attempts: int) -> None:
    """Writes are resent only on a 429/503 with Retry-After (or when nothing was sent)."""
    fake.faults.add(SERVICES, fault, method="PUT")
    fake.faults.add(SERVICES, Fault(204, body=b""), method="PUT")
    async with fake.client(backoff_initial=0, read_timeout=0.1) as client:
        with contextlib.suppress(APIError, TransportError):
            await client.request("PUT", "services", json={"a": 1}, timeout=5)
    assert fake.count(SERVICES, method="PUT") == attempts


async def test_write_retried_when_nothing_was_sent() -> None:
    """A refused connection proves nothing was sent, so even a write is retried."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with FlinkeyClient(
        api_key="k",
        username="u",
        password="p",
        customer_id=1,
        base_url=f"http://127.0.0.1:{port}/v3",
        backoff_initial=0,
        max_retries=2,
    ) as client:
        with pytest.raises(TransportError) as info:
            await client.request("PUT", "services", json={})
    assert info.value.request_sent is False
    assert info.value.retries_taken == 2


@pytest.mark.parametrize("borrowed", [False, True])
async def test_no_hidden_resend_of_a_write_on_a_dropped_connection(
    fake: FakeFlinkey, borrowed: bool
) -> None:
    """aiohttp's own silent resend of PUT/DELETE on a reused connection is switched off."""
    fake.faults.add(SERVICES, Fault(reset=True), method="DELETE")
    session = aiohttp.ClientSession() if borrowed else None
    try:
        async with fake.client(session=session) as client:
            await client.services.list()  # a kept-alive connection to reuse
            with pytest.raises(TransportError):
                await client.request("DELETE", "services", json={"a": 1})
    finally:
        if session is not None:
            await session.close()
    assert fake.count(SERVICES, method="DELETE") == 1


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
async def test_a_number_json_cannot_hold_is_refused(
    client: FlinkeyClient, fake: FakeFlinkey, number: str
) -> None:
    """NaN, Infinity and an overflowing number are not JSON: a decode error, with either codec."""
    body = f'{{"id": 101, "name": "x", "isTerminated": false, "extra": {number}}}'
    fake.faults.add(f"{SERVICES}/101", Fault(200, body=body, content_type="application/json"))
    with pytest.raises(ResponseDecodeError):
        await client.services.get(101)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
async def test_a_json_body_with_nan_is_refused_before_io(
    client: FlinkeyClient, fake: FakeFlinkey, value: float
) -> None:
    """A caller's NaN or infinity in a JSON body is a ValueError before I/O, never sent as null."""
    body: dict[str, object] = {"a": [1, {"b": (2.5, value)}]}
    body["self"] = [body]  # a value holding itself does not make the check loop
    with pytest.raises(ValueError, match="cannot hold"):
        await client.request("PUT", "services", json=body)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("services/../customers", r"path\[1\] must not be '\.' or '\.\.'"),
        ("services/./101", r"path\[1\] must not be '\.' or '\.\.'"),
        (("services", ".."), r"path\[1\] must not be '\.' or '\.\.'"),
        ("services//101", r"path\[1\] must not be empty or blank"),
        ("services/ /101", r"path\[1\] must not be empty or blank"),
        ("services/1\n", r"path\[1\] must not contain control characters"),
    ],
)
async def test_request_refuses_dot_and_empty_segments(
    client: FlinkeyClient, fake: FakeFlinkey, path: object, message: str
) -> None:
    """A server resolves '..' (even percent-encoded): the call would reach another endpoint."""
    with pytest.raises(ValueError, match=message):
        await client.request("GET", path)  # type: ignore[arg-type]
    assert fake.requests == []


@pytest.mark.parametrize("brand", [".", ".."])
async def test_a_dot_brand_is_refused_before_io(
    client: FlinkeyClient, fake: FakeFlinkey, brand: str
) -> None:
    """brands.keys('..') would be /brands/../keys, which a server resolves to /keys."""
    with pytest.raises(ValueError, match=r"brand must not be '\.' or '\.\.'"):
        await client.brands.keys(brand).list()
    assert fake.requests == []
    assert {key.brand for key in await client.brands.keys("Audi").list()} == {"Audi"}
