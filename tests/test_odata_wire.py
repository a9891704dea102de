"""Through real loopback HTTP: the exact query string on the wire, and the rows that match."""

# The CASES table keeps one case per line, with the exact wire text: long lines are intended.
# ruff: noqa: E501

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from flinkey_async import (
    UNSET,
    BadRequestError,
    F,
    FlinkeyClient,
    PartialProduct,
    PartialService,
    Product,
    ProductType,
    Query,
    ServerError,
    Service,
    fields,
    raw,
)
from flinkey_async.testing import FakeFlinkey

s = fields(Service)
GUID = uuid.UUID("6f1c0c4e-6a7b-4c5d-9e8f-0a1b2c3d4e5f")

# Extra wire properties the models do not cover, seeded per service for F("...") filters.
EXTRA: dict[int, dict[str, Any]] = {
    101: {"price": 12.5, "ratio": 0.25, "startDay": "2025-01-31", "opensAt": "08:30:00"},
    102: {"price": 99.99, "ratio": 1e300, "startDay": "2025-03-01", "opensAt": "17:00:00"},
    103: {"price": 0, "ratio": -0.5, "startDay": "2024-12-31", "opensAt": "00:00:00"},
    104: {"price": 7, "ratio": None, "startDay": None, "opensAt": None},
    105: {"price": 1e16, "ratio": 2.0, "startDay": "2025-01-31", "opensAt": "23:59:59"},
}
EXTRA[101] |= {"uid": str(GUID), "grace": "P1DT2H", "kind": "flinkey IQ"}
EXTRA[102] |= {"uid": str(uuid.UUID(int=1)), "grace": "PT30M", "kind": "flinkey Box"}
EXTRA[103] |= {"uid": None, "grace": "-PT1.5S", "kind": "flinkey Box"}
EXTRA[104] |= {"uid": None, "grace": None, "kind": None}
EXTRA[105] |= {"uid": None, "grace": "PT0S", "kind": "flinkey IQ"}


@pytest.fixture
def seeded(fake: FakeFlinkey) -> FakeFlinkey:
    """The fake with extra properties of every literal kind on customer 1's services."""
    for sid, extra in EXTRA.items():
        fake.store.customer(1).services[sid].update(extra)
    return fake


async def wire_and_ids(
    client: FlinkeyClient, fake: FakeFlinkey, query: Query[Any]
) -> tuple[str, list[int]]:
    """Send a query; return the raw query string the server saw and the ids it answered."""
    services = await client.services.list(query)
    return fake.requests[-1].raw_query_string, [svc.id for svc in services]


CASES: list[tuple[str, Callable[[], Any], str, list[int]]] = [
    # -- str, quotes, &, + and unicode ------------------------------------------------------
    ("str eq", lambda: s.name == "O'Brien & Sons + Co", "name%20eq%20'O''Brien%20%26%20Sons%20%2B%20Co'", [103]),
    ("str contains", lambda: s.name.contains("& Sons +"), "contains(name,'%26%20Sons%20%2B')", [103]),
    ("str in", lambda: s.name.in_(["O'Brien & Sons + Co", "Rental Munich"]), "name%20in%20('O''Brien%20%26%20Sons%20%2B%20Co','Rental%20Munich')", [103, 104]),
    ("str unicode", lambda: s.name.endswith("Köln"), "endswith(name,'K%C3%B6ln')", [105]),
    ("str empty", lambda: s.name.contains(""), "contains(name,'')", [101, 102, 103, 104, 105]),
    ("str ne", lambda: s.name != "Rental Munich", "name%20ne%20'Rental%20Munich'", [101, 102, 103, 105]),
    ("str startswith", lambda: s.name.startswith("Fleet"), "startswith(name,'Fleet')", [101, 102]),
    ("tolower", lambda: s.name.tolower() == "o'brien & sons + co", "tolower(name)%20eq%20'o''brien%20%26%20sons%20%2B%20co'", [103]),
    ("toupper", lambda: s.name.toupper().contains("KÖLN"), "contains(toupper(name),'K%C3%96LN')", [105]),
    # -- None, bool, int ----------------------------------------------------------------------
    ("null eq", lambda: s.product_id == None, "productId%20eq%20null", [104, 105]),  # noqa: E711
    ("null ne", lambda: s.termination_date != None, "terminationDate%20ne%20null", [104]),  # noqa: E711
    ("bool", lambda: s.is_terminated == True, "isTerminated%20eq%20true", [104]),  # noqa: E712
    ("int lt", lambda: s.id < 103, "id%20lt%20103", [101, 102]),
    ("int le", lambda: s.id <= 103, "id%20le%20103", [101, 102, 103]),
    ("int gt", lambda: s.id > 103, "id%20gt%20103", [104, 105]),
    ("int ge", lambda: s.id >= 103, "id%20ge%20103", [103, 104, 105]),
    ("int in", lambda: s.id.in_([101, 105, 999]), "id%20in%20(101,105,999)", [101, 105]),
    # -- float, Decimal -----------------------------------------------------------------------
    ("float", lambda: F("ratio") < 0.5, "ratio%20lt%200.5", [101, 103]),
    ("float exp", lambda: F("price") >= 1e16, "price%20ge%201e16", [105]),
    ("float big", lambda: F("ratio") == 1e300, "ratio%20eq%201e300", [102]),
    ("float INF", lambda: F("ratio") < float("inf"), "ratio%20lt%20INF", [101, 102, 103, 105]),
    ("float -INF", lambda: F("ratio") > float("-inf"), "ratio%20gt%20-INF", [101, 102, 103, 105]),
    ("float NaN", lambda: F("ratio") == float("nan"), "ratio%20eq%20NaN", []),
    ("decimal", lambda: F("price") == Decimal("12.50"), "price%20eq%2012.50", [101]),
    ("decimal exp", lambda: F("price") < Decimal("1E+1"), "price%20lt%2010", [103, 104]),
    # -- temporal, guid, enum -----------------------------------------------------------------
    ("datetime Z", lambda: s.termination_date == datetime(2025, 12, 31, 12, tzinfo=UTC), "terminationDate%20eq%202025-12-31T12:00:00Z", [104]),
    ("datetime +offset", lambda: s.termination_date == datetime(2025, 12, 31, 14, tzinfo=timezone(timedelta(hours=2))), "terminationDate%20eq%202025-12-31T14:00:00%2B02:00", [104]),
    ("datetime -offset", lambda: s.termination_date < datetime(2025, 12, 31, 8, 31, tzinfo=timezone(-timedelta(hours=3, minutes=30))), "terminationDate%20lt%202025-12-31T08:31:00-03:30", [104]),
    ("date", lambda: F("startDay") == date(2025, 1, 31), "startDay%20eq%202025-01-31", [101, 105]),
    ("time", lambda: F("opensAt") >= time(17), "opensAt%20ge%2017:00:00", [102, 105]),
    ("duration", lambda: F("grace") > timedelta(0), "grace%20gt%20duration'PT0S'", [101, 102]),
    ("duration neg", lambda: F("grace") == -timedelta(seconds=1.5), "grace%20eq%20duration'-PT1.5S'", [103]),
    ("duration days", lambda: F("grace") == timedelta(days=1, hours=2), "grace%20eq%20duration'P1DT2H'", [101]),
    ("guid", lambda: F("uid") == GUID, f"uid%20eq%20{GUID}", [101]),
    ("enum", lambda: F("kind") == ProductType.FLINKEY_IQ, "kind%20eq%20'flinkey%20IQ'", [101, 105]),
    ("enum in", lambda: F("kind").in_([ProductType.FLINKEY_BOX, ProductType.FLINKEY_IQ]), "kind%20in%20('flinkey%20Box','flinkey%20IQ')", [101, 102, 103, 105]),
    ("year", lambda: s.termination_date.year() == 2025, "year(terminationDate)%20eq%202025", [104]),
    ("month", lambda: s.termination_date.month() == 12, "month(terminationDate)%20eq%2012", [104]),
    ("day", lambda: F("startDay").day() == 31, "day(startDay)%20eq%2031", [101, 103, 105]),
    ("hour", lambda: F("opensAt").hour() >= 17, "hour(opensAt)%20ge%2017", [102, 105]),
    ("minute", lambda: F("opensAt").minute() == 30, "minute(opensAt)%20eq%2030", [101]),
    ("second", lambda: F("opensAt").second() == 59, "second(opensAt)%20eq%2059", [105]),
    # -- and, or, not, precedence ---------------------------------------------------------------
    ("and", lambda: (s.id > 101) & (s.is_terminated == False), "id%20gt%20101%20and%20isTerminated%20eq%20false", [102, 103, 105]),  # noqa: E712
    ("or", lambda: (s.id == 101) | (s.id == 104), "id%20eq%20101%20or%20id%20eq%20104", [101, 104]),
    ("not", lambda: ~s.name.startswith("Fleet"), "not%20startswith(name,'Fleet')", [103, 104, 105]),
    ("not cmp", lambda: ~(s.id == 101), "not%20(id%20eq%20101)", [102, 103, 104, 105]),
    ("parens", lambda: ((s.id == 101) | (s.id == 104)) & (s.is_terminated == True), "(id%20eq%20101%20or%20id%20eq%20104)%20and%20isTerminated%20eq%20true", [104]),  # noqa: E712
    ("no parens", lambda: (s.id == 101) | (s.id == 104) & (s.is_terminated == False), "id%20eq%20101%20or%20id%20eq%20104%20and%20isTerminated%20eq%20false", [101]),  # noqa: E712
    ("field vs field", lambda: F("price") > F("ratio"), "price%20gt%20ratio", [101, 103, 105]),
    ("raw", lambda: raw("id eq 101 or id eq 102"), "id%20eq%20101%20or%20id%20eq%20102", [101, 102]),
]  # fmt: skip


@pytest.mark.parametrize(("label", "build", "wire", "ids"), CASES, ids=[c[0] for c in CASES])
async def test_filter_on_the_wire(
    seeded: FakeFlinkey,
    client: FlinkeyClient,
    label: str,
    build: Callable[[], Any],
    wire: str,
    ids: list[int],
) -> None:
    """Each literal kind and operator: the exact $filter text sent, and the rows found."""
    sent, found = await wire_and_ids(client, seeded, Query().filter(build()))
    assert sent == f"$filter={wire}"
    assert found == ids


async def test_obrien_found_three_ways(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """The service named O'Brien & Sons + Co is found by ==, contains and in_."""
    name = "O'Brien & Sons + Co"
    for condition in (s.name == name, s.name.contains("'Brien & Sons + "), s.name.in_([name, ""])):
        services = await client.services.list(Query().filter(condition))
        assert [(svc.id, svc.name) for svc in services] == [(103, name)]


async def test_orderby_top_skip(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """$orderby (nulls first ascending), $skip and $top page through the sorted rows."""
    query = Query().orderby(s.product_id.desc(), s.id)
    services = await client.services.list(query)
    assert [svc.id for svc in services] == [103, 102, 101, 104, 105]
    services = await client.services.list(query.skip(1).top(2))
    assert fake.requests[-1].raw_query_string == "$orderby=productId%20desc,id&$top=2&$skip=1"
    assert [svc.id for svc in services] == [102, 101]
    services = await client.services.list(Query().orderby(s.name.tolower()).top(1))
    assert [svc.name for svc in services] == ["Car sharing Köln"]
    assert await client.services.list(Query().skip(100)) == []
    assert [svc.id for svc in await client.services.list(Query().top(0))] == []


async def test_count_envelope(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """$count=true answers {"@odata.count": n, "value": [...]}; n ignores $top and $skip."""
    query = Query().filter(s.is_terminated == False).top(2).count()  # noqa: E712
    body = await client.request("GET", "services", query=query)
    assert body["@odata.count"] == 4
    assert [row["id"] for row in body["value"]] == [101, 102]
    services = await client.services.list(query)  # the client reads the envelope's value
    assert [svc.id for svc in services] == [101, 102]
    assert isinstance(
        await client.request("GET", "services", query=Query().count(False).top(1)), list
    )


async def test_select_gives_partial_models(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """Fields that were not selected are UNSET; a selected JSON null stays None."""
    query = Query().select(s.id, s.termination_date).filter(s.id.in_([103, 104]))
    services = await client.services.list(query)
    assert fake.requests[-1].raw_query_string == (
        "$filter=id%20in%20(103,104)&$select=id,terminationDate"
    )
    assert services == [
        PartialService(id=103, termination_date=None),
        PartialService(id=104, termination_date=datetime(2025, 12, 31, 12, tzinfo=UTC)),
    ]
    assert services[0].name is UNSET
    assert services[0].termination_date is None
    assert not UNSET
    assert repr(UNSET) == "UNSET"


async def test_select_on_single_objects(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """get() and get_product() apply $select and return partial models; without it, full ones."""
    service = await client.services.get(103, Query().select(s.name))
    assert service == PartialService(name="O'Brien & Sons + Co")
    product = await client.services.get_product(
        102, Query().select(fields(Product).dongle_termination_timestamp, fields(Product).type)
    )
    assert fake.requests[-1].raw_query_string == "$select=dongleTerminationTimeStamp,type"
    assert product == PartialProduct(
        type=ProductType.FLINKEY_IQ,
        dongle_termination_timestamp=datetime(2026, 3, 31, 23, 59, tzinfo=UTC),
    )
    assert isinstance(await client.services.get(103, Query().top(1)), Service)
    assert isinstance(await client.services.get_product(101, None), Product)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (Query().filter(F("nmae") == "x"), "Could not find a property named 'nmae'"),
        (Query().select(F("colour")), "Could not find a property named 'colour'"),
        (Query().orderby(F("colour")), "Could not find a property named 'colour'"),
        (
            Query().filter(raw("name eq 'unterminated")),
            "The query specified in the URI is not valid",
        ),
        (Query().filter(raw("name eq 1")), "incompatible types"),
        (Query().filter(raw("name")), "single boolean value"),
        (Query().expand(F("keyForm")), "Could not find a property named 'keyForm'"),
        (Query().expand(F("name")), "not a navigation property"),
    ],
)
async def test_bad_queries_are_400(
    client: FlinkeyClient, fake: FakeFlinkey, query: Query[Any], message: str
) -> None:
    """Unknown properties and unparseable filters are refused like ASP.NET Core OData does."""
    with pytest.raises(BadRequestError, match=message) as caught:
        await client.services.list(query)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("raw_query", "message"),
    [
        ("$top=-1", "Invalid value '-1' for $top"),
        ("$top=1&$top=2", "specified more than once"),
        ("$count=yes", "not a valid count option"),
        ("$search=x", "'$search' is not supported"),
        ("$filter=name+eq+'Rental+Munich'", None),  # '+' is read as a space, like ASP.NET
    ],
)
async def test_hand_written_query_strings(
    client: FlinkeyClient, raw_query: str, message: str | None
) -> None:
    """The fake judges the raw query string, not what our builder would send."""
    if message is None:
        rows = await client.request("GET", "services", query=raw_query)
        assert [row["id"] for row in rows] == [104]
        return
    with pytest.raises(BadRequestError, match=re.escape(message)):
        await client.request("GET", "services", query=raw_query)


async def test_missing_parser_answers_501(
    client: FlinkeyClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without odata-query installed, $filter gets a 501 that says what to install."""
    monkeypatch.setitem(sys.modules, "odata_query.grammar", None)
    with pytest.raises(ServerError, match="flinkey-async\\[testing\\]") as caught:
        await client.services.list(Query().filter(s.id == 101))
    assert caught.value.status == 501
    assert len(await client.services.list(Query().top(2))) == 2  # no parser needed


async def test_query_must_be_a_query(client: FlinkeyClient) -> None:
    """A string where a Query belongs is a TypeError before anything is sent."""
    with pytest.raises(TypeError, match=re.escape("flinkey_async.Query")):
        await client.services.list("$top=1")  # type: ignore[call-overload]
