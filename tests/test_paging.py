"""services.iterate through the fake server: every item once, the caller's options, the guards."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from yarl import URL

from flinkey_async import (
    UNSET,
    FlinkeyClient,
    FlinkeyTimeoutError,
    Pager,
    PartialService,
    Query,
    ServerError,
    Service,
    fields,
)
from flinkey_async.testing import FakeFlinkey, Fault

BASE = 100_000
TOTAL = 1_234
s = fields(Service)


class _IgnoringFake(FakeFlinkey):
    """A fake server that ignores some query options (as a misbehaving server would)."""

    def __init__(self, *ignored: str) -> None:
        super().__init__()
        self.ignored = ignored

    def evaluate(self, request: web.Request, rows: Any, *, entity: type[Any] | None = None) -> Any:
        kept = [
            part
            for part in request.rel_url.raw_query_string.split("&")
            if part.partition("=")[0] not in self.ignored
        ]
        url = URL(f"{request.rel_url.path}?{'&'.join(kept)}", encoded=True)
        return super().evaluate(request.clone(rel_url=url), rows, entity=entity)


def _fill(fake: FakeFlinkey, count: int = TOTAL) -> list[int]:
    """Give customer 1 exactly `count` generated services; return their ids in order."""
    data = fake.store.customer(1)
    data.services.clear()
    data.add_many_services(count, start_id=BASE)
    return list(range(BASE, BASE + count))


def _client_tasks() -> list[asyncio.Task[Any]]:
    """Tasks besides this test's own and the in-process fake server's request handlers."""
    return [
        task
        for task in asyncio.all_tasks()
        if task is not asyncio.current_task()
        and not task.get_coro().__qualname__.startswith("RequestHandler.")  # type: ignore[union-attr]
    ]


def _queries(fake: FakeFlinkey) -> list[str]:
    return [r.raw_query_string for r in fake.api_requests()]


@pytest.fixture
async def ignoring_top() -> AsyncIterator[FakeFlinkey]:
    """A fake server that answers as if no $top had been sent."""
    async with _IgnoringFake("$top") as server:
        yield server


@pytest.fixture
async def ignoring_skip() -> AsyncIterator[FakeFlinkey]:
    """A fake server that answers as if no $skip had been sent (always the first page)."""
    async with _IgnoringFake("$skip") as server:
        yield server


async def test_every_item_exactly_once_across_pages(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """1,234 services in pages of 100: 13 requests ordered by id, each service once, in order."""
    ids = _fill(fake)
    services = [service async for service in client.services.iterate(page_size=100)]
    assert [service.id for service in services] == ids
    assert all(type(service) is Service for service in services)
    queries = _queries(fake)
    assert len(queries) == 13
    assert queries[0] == "$orderby=id&$top=100&$skip=0&$count=true"  # the total, once
    assert queries[1] == "$orderby=id&$top=100&$skip=100"
    assert queries[-1] == "$orderby=id&$top=100&$skip=1200"


async def test_a_full_last_page_costs_one_empty_request(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """With exactly 12 full pages, the 13th (empty, so short) request ends the walk.

    Rows added at the end during the walk are still seen: the count is a floor, not a stop.
    """
    ids = _fill(fake, 1_200)
    services = [service async for service in client.services.iterate(page_size=100)]
    assert [service.id for service in services] == ids
    assert _queries(fake)[-2:] == [
        "$orderby=id&$top=100&$skip=1100",
        "$orderby=id&$top=100&$skip=1200",
    ]


async def test_without_a_server_count_a_short_page_is_the_last(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """A server that sends no count: the walk ends on the first short (here: empty) page."""
    ids = _fill(fake, 1_200)
    pager = client.services.iterate(Query().count(False), page_size=100)
    assert [service.id async for service in pager] == ids
    assert _queries(fake)[-2:] == [
        "$orderby=id&$top=100&$skip=1100&$count=false",
        "$orderby=id&$top=100&$skip=1200&$count=false",
    ]


async def test_no_orderby_orders_by_id_and_logs_it(
    fake: FakeFlinkey, client: FlinkeyClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Without orderby the walk sorts by id (stable $skip pages) and says so at DEBUG."""
    caplog.set_level(logging.DEBUG, logger="flinkey_async")
    data = fake.store.customer(1)
    data.services = dict(reversed(data.services.items()))  # the server's own order differs
    services = [service async for service in client.services.iterate()]
    assert [service.id for service in services] == [101, 102, 103, 104, 105]
    assert _queries(fake) == ["$orderby=id&$top=100&$skip=0&$count=true"]
    assert any("ordering by id" in record.getMessage() for record in caplog.records)


async def test_caller_filter_orderby_top_skip_are_kept(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """skip() is the start, top() caps the total; filter and orderby go out on every page."""
    _fill(fake)
    query = Query().filter(s.is_terminated == False).orderby(s.name.desc())  # noqa: E712
    expected = await client.services.list(query.skip(10).top(250))
    assert len(expected) == 250
    fake.requests.clear()
    pager = client.services.iterate(query.skip(10).top(250), page_size=100)
    services = [service async for service in pager]
    assert services == expected
    assert _queries(fake) == [
        "$filter=isTerminated%20eq%20false&$orderby=name%20desc&$top=100&$skip=10&$count=true",
        "$filter=isTerminated%20eq%20false&$orderby=name%20desc&$top=100&$skip=110",
        "$filter=isTerminated%20eq%20false&$orderby=name%20desc&$top=50&$skip=210",
    ]


async def test_caller_top_beyond_the_data_stops_on_the_short_page(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """A top() larger than what is left still ends on the first short page."""
    ids = _fill(fake, 150)
    services = [x async for x in client.services.iterate(Query().skip(20).top(500), page_size=100)]
    assert [service.id for service in services] == ids[20:]
    assert _queries(fake) == [
        "$orderby=id&$top=100&$skip=20&$count=true",
        "$orderby=id&$top=100&$skip=120",
    ]


async def test_select_gives_partial_services(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """A select() keeps its fields (in order) and the items are PartialService."""
    ids = _fill(fake, 250)
    pager = client.services.iterate(Query().select(s.id, s.name), page_size=100)
    services = [service async for service in pager]
    assert all(type(service) is PartialService for service in services)
    assert [service.id for service in services] == ids
    assert services[0] == PartialService(id=BASE, name=f"Service {BASE}")
    assert services[0].is_terminated is UNSET
    assert _queries(fake)[0] == "$select=id,name&$orderby=id&$top=100&$skip=0&$count=true"


async def test_select_without_id_also_selects_id(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """Rows without their id cannot be told from a repeated page, so id is selected too."""
    _fill(fake, 3)
    pager = client.services.iterate(Query().select(s.is_terminated).orderby(s.name))
    services = [service async for service in pager]
    assert [(x.id, x.is_terminated, x.name) for x in services] == [
        (BASE, False, UNSET),
        (BASE + 1, False, UNSET),
        (BASE + 2, True, UNSET),
    ]
    assert _queries(fake) == ["$select=isTerminated,id&$orderby=name&$top=100&$skip=0&$count=true"]


async def test_count_envelope_is_paged_too(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """count() answers come as {"@odata.count", "value"} envelopes; paging reads the values."""
    ids = _fill(fake, 120)
    services = [x async for x in client.services.iterate(Query().count(), page_size=100)]
    assert [service.id for service in services] == ids
    assert _queries(fake)[-1] == "$orderby=id&$top=100&$skip=100&$count=true"


async def test_max_items_caps_the_walk(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """max_items stops the walk and shrinks the last request's $top."""
    ids = _fill(fake)
    services = [service async for service in client.services.iterate(max_items=250)]
    assert [service.id for service in services] == ids[:250]
    assert _queries(fake) == [
        "$orderby=id&$top=100&$skip=0&$count=true",
        "$orderby=id&$top=100&$skip=100",
        "$orderby=id&$top=50&$skip=200",
    ]


async def test_max_items_and_top_take_the_smaller(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """The total is the smaller of top() and max_items."""
    ids = _fill(fake)
    pager = client.services.iterate(Query().top(120), max_items=250)
    assert [service.id async for service in pager] == ids[:120]
    fake.requests.clear()
    pager = client.services.iterate(Query().top(500), max_items=30)
    assert [service.id async for service in pager] == ids[:30]
    assert _queries(fake) == ["$orderby=id&$top=30&$skip=0&$count=true"]


async def test_zero_items_sends_nothing(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """max_items=0 or top(0) yields nothing without a request."""
    assert [x async for x in client.services.iterate(max_items=0)] == []
    assert [x async for x in client.services.iterate(Query().top(0))] == []
    assert fake.requests == []


async def test_pages_yields_lists(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """pages() yields one list per page; together they are the items, in order."""
    ids = _fill(fake)
    pages = [page async for page in client.services.iterate(page_size=100).pages()]
    assert [len(page) for page in pages] == [100] * 12 + [34]
    assert [service.id for page in pages for service in page] == ids


async def test_a_pager_can_be_walked_again(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """Each async for starts from the first page."""
    ids = _fill(fake, 30)
    pager = client.services.iterate(page_size=20)
    assert [x.id async for x in pager] == ids
    assert [x.id async for x in pager] == ids
    assert len(fake.api_requests()) == 4  # two pages per walk: the count says where it ends
    assert repr(pager) == "Pager(Query(''), page_size=20, max_items=None)"


async def test_empty_result_is_one_request(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """No services: one request, nothing yielded, no page either."""
    fake.store.customer(1).services.clear()
    assert [x async for x in client.services.iterate()] == []
    assert [page async for page in client.services.iterate().pages()] == []
    assert _queries(fake) == ["$orderby=id&$top=100&$skip=0&$count=true"] * 2


async def test_break_sends_no_further_requests(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """Leaving the loop early stops the walk: nothing runs or is requested afterwards."""
    _fill(fake)
    async for service in client.services.iterate(page_size=100):
        if service.id == BASE + 150:
            break
    await asyncio.sleep(0.05)
    assert len(fake.api_requests()) == 2
    assert _client_tasks() == []


async def test_cancelling_mid_page_leaves_nothing_running(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """Cancelling while a page is in flight cancels that request and ends the walk."""
    _fill(fake)
    fake.faults.add("/v3/services", Fault(status=None, delay=0.5))
    seen: list[Service] = []

    async def walk() -> None:
        async for service in client.services.iterate():
            seen.append(service)

    task = asyncio.create_task(walk())
    await asyncio.sleep(0.1)  # the first page is in flight (the server holds it for 0.5 s)
    assert len(fake.api_requests()) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.05)
    assert seen == []
    assert len(fake.api_requests()) == 1
    assert _client_tasks() == []


async def test_pages_are_fetched_one_at_a_time(fake: FakeFlinkey, client: FlinkeyClient) -> None:
    """A second __anext__ while a page is in flight is refused, never a parallel request."""
    _fill(fake)
    fake.faults.add("/v3/services", Fault(status=None, delay=0.05))
    pages = client.services.iterate().pages()
    first = asyncio.ensure_future(anext(pages))
    await asyncio.sleep(0.01)
    with pytest.raises(RuntimeError, match="one at a time"):
        await anext(pages)
    assert len(await first) == 100
    assert len(await anext(pages)) == 100
    assert fake.max_in_flight == 1


async def test_rows_shifting_between_pages_are_not_repeated(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """A row inserted before the offset shifts the next page; the repeated row is dropped."""
    ids = _fill(fake)
    seen: list[int] = []
    async for service in client.services.iterate(page_size=100):
        seen.append(service.id)
        if len(seen) == 100:
            fake.store.customer(1).add_many_services(1, start_id=1)
    assert seen == ids  # id 1 arrived before the offset: $skip paging cannot see it
    assert len(fake.api_requests()) == 13


async def test_server_ignoring_top_loses_nothing(
    ignoring_top: FakeFlinkey, caplog: pytest.LogCaptureFixture
) -> None:
    """A page longer than asked is kept whole; the walk continues after it and ends."""
    ids = _fill(ignoring_top)
    async with ignoring_top.client() as client:
        pages = [page async for page in client.services.iterate(page_size=100).pages()]
    assert [len(page) for page in pages] == [TOTAL]
    assert [service.id for page in pages for service in page] == ids
    assert _queries(ignoring_top) == [
        "$orderby=id&$top=100&$skip=0&$count=true",
        "$orderby=id&$top=100&$skip=1234",
    ]
    assert any("returned 1234 items for $top=100" in r.getMessage() for r in caplog.records)


async def test_server_ignoring_top_still_honours_max_items(ignoring_top: FakeFlinkey) -> None:
    """max_items holds even when the server sends more than asked."""
    ids = _fill(ignoring_top)
    async with ignoring_top.client() as client:
        services = [x async for x in client.services.iterate(page_size=100, max_items=150)]
    assert [service.id for service in services] == ids[:150]
    assert len(ignoring_top.api_requests()) == 1


async def test_server_ignoring_skip_stops_without_duplicates(ignoring_skip: FakeFlinkey) -> None:
    """The same first page again brings nothing new: the walk ends after two requests."""
    ids = _fill(ignoring_skip)
    async with ignoring_skip.client() as client:
        services = [x async for x in client.services.iterate(page_size=100)]
    assert [service.id for service in services] == ids[:100]
    assert _queries(ignoring_skip) == [
        "$orderby=id&$top=100&$skip=0&$count=true",
        "$orderby=id&$top=100&$skip=100",
    ]


async def test_a_failing_page_raises_and_can_be_retried(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """An error on a page propagates; the next __anext__ asks for the same page again."""
    ids = _fill(fake, 150)
    fake.faults.add("/v3/services", Fault(status=503), times=1)
    pages = client.services.iterate(max_retries=0).pages()
    with pytest.raises(ServerError):
        await anext(pages)
    assert [x.id for x in await anext(pages)] == ids[:100]
    assert _queries(fake)[:2] == ["$orderby=id&$top=100&$skip=0&$count=true"] * 2


async def test_timeout_and_max_retries_apply_to_each_page(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """A failing page is retried (max_retries) within its own deadline (timeout)."""
    ids = _fill(fake, 150)
    fake.faults.add("/v3/services", Fault(status=503), times=1)
    pager = client.services.iterate(timeout=5, max_retries=1)
    assert [x.id async for x in pager] == ids
    assert len(_queries(fake)) == 3  # the first page twice, then the short second page
    fake.requests.clear()
    fake.faults.add("/v3/services", Fault(status=503), times=1)
    with pytest.raises(ServerError):
        [x async for x in client.services.iterate(max_retries=0)]
    assert len(_queries(fake)) == 1
    fake.requests.clear()
    fake.faults.add("/v3/services", Fault(status=None, delay=0.3), times=1)
    with pytest.raises(FlinkeyTimeoutError):
        [x async for x in client.services.iterate(timeout=0.05)]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"page_size": 0}, ValueError),
        ({"page_size": 10_001}, ValueError),
        ({"page_size": True}, TypeError),
        ({"page_size": 2.0}, TypeError),
        ({"page_size": "100"}, TypeError),
        ({"max_items": -1}, ValueError),
        ({"max_items": True}, TypeError),
        ({"max_items": 1.0}, TypeError),
        ({"customer_id": 0}, ValueError),
        ({"customer_id": "1"}, TypeError),
        ({"customer_id": True}, TypeError),
        ({"query": "$top=5"}, TypeError),
        ({"timeout": 0}, ValueError),
        ({"timeout": float("inf")}, ValueError),
        ({"timeout": "5"}, TypeError),
        ({"max_retries": -1}, ValueError),
        ({"max_retries": 1.0}, TypeError),
        ({"query": 5}, TypeError),
    ],
)
async def test_invalid_arguments_fail_before_any_request(
    fake: FakeFlinkey, client: FlinkeyClient, options: dict[str, Any], error: type[Exception]
) -> None:
    """iterate() itself raises (not the loop), and nothing is sent."""
    with pytest.raises(error):
        client.services.iterate(**options)
    assert fake.requests == []


async def test_no_customer_id_fails_before_any_request(fake: FakeFlinkey) -> None:
    """Without a customer id on the client or the call, iterate() raises at once."""
    async with fake.client(customer_id=None) as client:
        with pytest.raises(ValueError, match="customer_id"):
            client.services.iterate()
        pager = client.services.iterate(customer_id=2)
        assert [x.id async for x in pager] == [201]
    assert fake.api_requests()[0].headers["Customer-ID"] == "2"


async def test_pager_is_exported() -> None:
    """Pager is public and presented as flinkey_async.Pager."""
    assert Pager.__module__ == "flinkey_async"


class _CappingFake(FakeFlinkey):
    """A fake server that sends at most `cap` rows per page, whatever $top asks."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap

    def evaluate(self, request: web.Request, rows: Any, *, entity: type[Any] | None = None) -> Any:
        result = super().evaluate(request, rows, entity=entity)
        if isinstance(result, dict):
            return {**result, "value": result["value"][: self.cap]}
        return result[: self.cap] if isinstance(result, list) else result


async def test_a_server_capping_pages_does_not_end_the_walk_early() -> None:
    """Pages shorter than asked are not the last while the server's count says more remain."""
    async with _CappingFake(40) as capping, capping.client() as client:
        ids = _fill(capping, 250)
        assert [x.id async for x in client.services.iterate(page_size=100)] == ids
        assert _queries(capping)[:3] == [
            "$orderby=id&$top=100&$skip=0&$count=true",
            "$orderby=id&$top=100&$skip=40",
            "$orderby=id&$top=100&$skip=80",
        ]
        assert len(_queries(capping)) == 7  # 6 x 40 + 10, then the short page past the count


class _AlternatingFake(FakeFlinkey):
    """Two replicas behind a balancer, both ignoring $skip: pages A, B, A, B, ..."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def evaluate(self, request: web.Request, rows: Any, *, entity: type[Any] | None = None) -> Any:
        self.calls += 1
        start = 0 if self.calls % 2 else 100
        return rows[start : start + 100] if isinstance(rows, list) else rows


async def test_alternating_pages_end_the_walk_without_duplicates() -> None:
    """A server alternating two pages yields each item once and stops (it used to loop)."""
    async with _AlternatingFake() as alternating, alternating.client() as client:
        ids = _fill(alternating, 1_000)
        async with asyncio.timeout(10):  # the old guard looped here forever
            seen = [x.id async for x in client.services.iterate(Query().count(False))]
        assert seen == ids[:200]
        assert len(alternating.api_requests()) == 3
