"""services.get_many through the fake server: order, bounds, failures, duplicates, cancellation."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from aiohttp import web

from flinkey_async import (
    BulkFetchError,
    FlinkeyClient,
    NotFoundError,
    ServerError,
    Service,
    TokenRequestError,
)
from flinkey_async.testing import FakeFlinkey, Fault

BASE = 100_000


def _path(service_id: int) -> str:
    return f"/v3/services/{service_id}"


def _bulk_workers() -> list[asyncio.Task[Any]]:
    return [
        task
        for task in asyncio.all_tasks()
        if "fetch_many" in getattr(task.get_coro(), "__qualname__", "")
    ]


@pytest.fixture
def many(fake: FakeFlinkey) -> list[int]:
    """Forty generated services for customer 1; returns their ids."""
    fake.store.customer(1).add_many_services(40, start_id=BASE)
    return list(range(BASE, BASE + 40))


async def test_results_keep_input_order_when_answers_arrive_out_of_order(
    fake: FakeFlinkey, client: FlinkeyClient, many: list[int]
) -> None:
    """Early ids answered late still come back at their input positions."""
    ids = many[:12][::-1]
    for rank, service_id in enumerate(ids[:6]):
        fake.faults.add(_path(service_id), Fault(status=None, delay=0.06 - rank * 0.01))
    services = await client.services.get_many(ids, concurrency=12)
    assert [s.id for s in services] == ids
    assert all(isinstance(s, Service) for s in services)


async def test_concurrency_is_bounded_and_reached(
    fake: FakeFlinkey, client: FlinkeyClient, many: list[int]
) -> None:
    """Never more than `concurrency` requests are in flight, and the bound is used fully."""
    fake.faults.add("*", Fault(status=None, delay=0.01), times=None)
    services = await client.services.get_many(many, concurrency=5)
    assert len(services) == len(many)
    assert fake.max_in_flight == 5
    assert len(fake.api_requests()) == len(many)


async def test_connection_pool_limit_bounds_concurrency(fake: FakeFlinkey, many: list[int]) -> None:
    """The client's limit= caps requests in flight even when concurrency is higher."""
    fake.faults.add("*", Fault(status=None, delay=0.01), times=None)
    async with fake.client(limit=3) as flinkey:
        await flinkey.services.get_many(many, concurrency=20)
    assert fake.max_in_flight == 3


async def test_limit_per_host_bounds_concurrency(fake: FakeFlinkey, many: list[int]) -> None:
    """The client's limit_per_host= caps requests in flight to the one API host."""
    fake.faults.add("*", Fault(status=None, delay=0.01), times=None)
    async with fake.client(limit_per_host=2) as flinkey:
        await flinkey.services.get_many(many[:10], concurrency=10)
    assert fake.max_in_flight == 2


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"limit": -1}, ValueError),
        ({"limit_per_host": -5}, ValueError),
        ({"limit": True}, TypeError),
        ({"limit_per_host": 2.0}, TypeError),
    ],
)
def test_pool_limits_are_validated(options: dict[str, Any], error: type[Exception]) -> None:
    """Bad connection-pool limits are refused when the client is built."""
    with pytest.raises(error):
        FlinkeyClient(api_key="k", username="u", password="p", **options)


async def test_one_failure_keeps_the_others(
    fake: FakeFlinkey, client: FlinkeyClient, many: list[int]
) -> None:
    """A 404 and a 500 are reported together; every other service is still returned."""
    fake.faults.add(_path(many[3]), Fault(status=500))
    ids = [*many[:6], 999_999]
    with pytest.raises(BulkFetchError) as caught:
        await client.services.get_many(ids, concurrency=3)
    group = caught.value
    assert group.ids == tuple(ids)
    assert [type(e) for e in group.exceptions] == [ServerError, NotFoundError]
    assert group.results[3] is group.exceptions[0]
    assert group.results[6] is group.exceptions[1]
    kept = [r.id for r in group.results if isinstance(r, Service)]
    assert kept == [*many[:3], *many[4:6]]
    assert "while fetching service 999999" in group.exceptions[1].__notes__
    assert "2 of 7 service fetches failed" in str(group)


async def test_failures_can_be_caught_with_except_star(
    client: FlinkeyClient, many: list[int]
) -> None:
    """`except* NotFoundError` picks the missing ids out of the group."""
    missing: list[BaseException] = []
    try:
        await client.services.get_many([many[0], 999_998, 999_999])
    except* NotFoundError as group:
        missing.extend(group.exceptions)
    assert len(missing) == 2


async def test_return_exceptions_gives_the_aligned_list(
    client: FlinkeyClient, many: list[int]
) -> None:
    """With return_exceptions=True the outcomes come back in place, nothing is raised."""
    results = await client.services.get_many([many[0], 999_999, many[1]], return_exceptions=True)
    assert isinstance(results[0], Service)
    assert results[0].id == many[0]
    assert isinstance(results[1], NotFoundError)
    assert isinstance(results[2], Service)


@pytest.mark.parametrize(
    ("ids", "error", "fragment"),
    [
        ([101, True], TypeError, "service_ids[1]"),
        ([101, 0], ValueError, "service_ids[1]"),
        ([101, 2**31], ValueError, "service_ids[1]"),
        (["101"], TypeError, "service_ids[0]"),
        ([101, None], TypeError, "service_ids[1]"),
        (101, TypeError, "iterable"),
        ("101", TypeError, "iterable"),
        (b"\x01", TypeError, "iterable"),
    ],
)
async def test_invalid_ids_are_refused_before_any_request(
    fake: FakeFlinkey, client: FlinkeyClient, ids: Any, error: type[Exception], fragment: str
) -> None:
    """Every id is checked like get()'s before the first request (not even a token one)."""
    with pytest.raises(error, match=fragment.replace("[", r"\[")):
        await client.services.get_many(ids)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("concurrency", "error"), [(0, ValueError), (True, TypeError), (2.5, TypeError)]
)
async def test_invalid_concurrency_is_refused_before_any_request(
    fake: FakeFlinkey, client: FlinkeyClient, concurrency: Any, error: type[Exception]
) -> None:
    """concurrency must be a positive int."""
    with pytest.raises(error):
        await client.services.get_many([101], concurrency=concurrency)
    assert fake.requests == []


async def test_missing_customer_id_is_refused_before_any_request(fake: FakeFlinkey) -> None:
    """With no customer id on the client or the call, nothing is sent."""
    async with fake.client(customer_id=None) as flinkey:
        with pytest.raises(ValueError, match="customer_id"):
            await flinkey.services.get_many([101])
        with pytest.raises(ValueError, match="customer_id"):
            await flinkey.services.get_many([101], customer_id=0)
    assert fake.requests == []


async def test_customer_id_is_sent(fake: FakeFlinkey) -> None:
    """customer_id= on the call chooses the Customer-ID header of every request."""
    async with fake.client(customer_id=None) as flinkey:
        services = await flinkey.services.get_many([101, 102], customer_id=1)
    assert [s.id for s in services] == [101, 102]
    assert {r.headers["Customer-ID"] for r in fake.api_requests()} == {"1"}


async def test_duplicates_are_fetched_once(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """A repeated id costs one request and fills every position it appears at."""
    services = await client.services.get_many(iter([102, 101, 102, 102]))
    assert [s.id for s in services] == [102, 101, 102, 102]
    assert services[0] is services[2] is services[3]
    assert sorted(r.path for r in fake.api_requests()) == [_path(101), _path(102)]


async def test_duplicate_failure_is_reported_once(client: FlinkeyClient) -> None:
    """A failing id given twice is one exception in the group, at both positions."""
    with pytest.raises(BulkFetchError) as caught:
        await client.services.get_many([999_999, 101, 999_999])
    assert len(caught.value.exceptions) == 1
    assert caught.value.results[0] is caught.value.results[2] is caught.value.exceptions[0]


async def test_empty_input_sends_nothing(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """No ids: an empty list and no request at all."""
    assert await client.services.get_many([]) == []
    assert await client.services.get_many((), return_exceptions=True) == []
    assert fake.requests == []


class _Gate:
    """A scripted fault that holds every request until released, counting arrivals."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.arrived = 0
        self.all_arrived = asyncio.Event()
        self.release = asyncio.Event()

    async def apply(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.arrived += 1
        if self.arrived >= self.expected:
            self.all_arrived.set()
        await self.release.wait()
        return cast(web.StreamResponse, await handler(request))


async def test_caller_cancellation_cancels_every_fetch(
    fake: FakeFlinkey, client: FlinkeyClient, many: list[int]
) -> None:
    """Cancelling get_many stops its fetches: no worker task is left running."""
    gate = _Gate(expected=8)
    fake.faults.add("*", cast(Fault, gate), times=None)
    call = asyncio.create_task(client.services.get_many(many, concurrency=8))
    await gate.all_arrived.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert _bulk_workers() == []
    gate.release.set()
    assert len(fake.api_requests()) == 8


async def test_timeout_around_the_call_cancels_cleanly(
    fake: FakeFlinkey, client: FlinkeyClient, many: list[int]
) -> None:
    """asyncio.timeout around get_many raises TimeoutError and leaves nothing behind."""
    gate = _Gate(expected=4)
    fake.faults.add("*", cast(Fault, gate), times=None)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.1):
            await client.services.get_many(many, concurrency=4)
    assert _bulk_workers() == []
    gate.release.set()
    assert 1 <= gate.arrived <= 4


async def test_a_shared_failure_carries_one_note_per_id(fake: FakeFlinkey) -> None:
    """A refused token fails every fetch with one error; each id gets its own copy and note."""
    ids = list(range(BASE, BASE + 200))
    async with fake.client(password="wrong-password") as client:
        results = await client.services.get_many(ids, concurrency=50, return_exceptions=True)
    assert all(isinstance(r, TokenRequestError) for r in results)
    assert [r.__notes__ for r in results] == [  # type: ignore[union-attr]
        [f"while fetching service {service_id}"] for service_id in ids
    ]
