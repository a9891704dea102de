"""Query: immutable and hashable, validated when built, encoded once in a fixed order."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flinkey_async import F, Product, Query, Service, fields, raw
from flinkey_async._query import encode_value

s = fields(Service)


def test_methods_return_new_queries_and_leave_the_base_unchanged() -> None:
    """A shared base query is never changed by queries derived from it."""
    base = Query().filter(s.is_terminated == False).top(10)  # noqa: E712
    before = base.to_query_string()
    derived = [base.skip(n).filter(s.id > n).orderby(s.name) for n in range(3)]
    base.select(s.id)
    base.count()
    assert base.to_query_string() == before == "$filter=isTerminated%20eq%20false&$top=10"
    assert derived[2].to_query_string() == (
        "$filter=isTerminated%20eq%20false%20and%20id%20gt%202&$orderby=name&$top=10&$skip=2"
    )
    with pytest.raises(AttributeError):
        base.top_value = 5  # type: ignore[misc]


async def test_shared_base_query_under_concurrency() -> None:
    """Many tasks deriving from one base query each get their own options."""
    base = Query().filter(s.is_terminated == False)  # noqa: E712

    async def page(n: int) -> str:
        await asyncio.sleep(0)
        return base.skip(n * 10).top(10).to_query_string()

    pages = await asyncio.gather(*(page(n) for n in range(20)))
    assert [p.rsplit("$skip=", 1)[1] for p in pages] == [str(n * 10) for n in range(20)]
    assert base.skip_value is None
    assert base.top_value is None


def test_equal_queries_are_equal_and_hashable() -> None:
    """Queries are values: equal options compare equal and hash alike."""
    one = Query().filter(s.name == "x").select(s.id).top(5)
    two = Query().filter(F("name") == "x").select(F("id")).top(5)
    assert one == two
    assert hash(one) == hash(two)
    assert len({one, two, one.top(6)}) == 2


def test_contract_properties() -> None:
    """The names other code relies on: top_value, skip_value, orderby_keys, select_fields."""
    query = Query()
    assert (query.top_value, query.skip_value, query.orderby_keys, query.select_fields) == (
        None,
        None,
        (),
        (),
    )
    query = query.top(5).skip(10).orderby(s.name, s.id.desc()).select(s.id, s.is_terminated)
    assert query.top_value == 5
    assert query.skip_value == 10
    assert [(str(k.node), k.descending) for k in query.orderby_keys] == [
        ("Prop(path='name')", False),
        ("Prop(path='id')", True),
    ]
    assert query.select_fields == ("id", "isTerminated")
    assert str(query) == query.to_query_string()
    assert query.top(None).skip(None).top_value is None


def test_fixed_option_order() -> None:
    """Options always go out as $filter,$select,$expand,$orderby,$top,$skip,$count."""
    query = (
        Query()
        .count()
        .skip(20)
        .top(10)
        .orderby(s.name.desc())
        .expand(F("keyForm"))
        .select(s.id)
        .filter(s.id > 1)
    )
    assert [part.split("=", 1)[0] for part in query.to_query_string().split("&")] == [
        "$filter",
        "$select",
        "$expand",
        "$orderby",
        "$top",
        "$skip",
        "$count",
    ]
    assert Query().to_query_string() == ""


def test_several_filters_are_joined_with_and() -> None:
    """filter() twice means both; an ``or`` condition keeps its parentheses."""
    query = Query().filter((s.id == 1) | (s.id == 2)).filter(s.is_terminated == True)  # noqa: E712
    assert query.filter_text == "(id eq 1 or id eq 2) and isTerminated eq true"


def test_select_accumulates_without_duplicates() -> None:
    """select() adds fields, keeping the first order and dropping repeats."""
    query = Query().select(s.id, s.name).select(s.name, s.product_id)
    assert query.select_fields == ("id", "name", "productId")


def test_orderby_accumulates_and_none_resets() -> None:
    """orderby() adds keys; orderby(None) clears them; functions may be keys."""
    query = Query().orderby(s.name.tolower()).orderby(s.id.desc())
    assert query.to_query_string() == "$orderby=tolower(name),id%20desc"
    assert query.orderby(None).orderby_keys == ()


def test_expand_with_nested_options() -> None:
    """expand() renders nested options separated by ';' (the vendor's keyForm example)."""
    query = Query().expand(F("keyForm"), Query().select(F("imageUrl")))
    assert query.to_query_string() == "$expand=keyForm($select=imageUrl)"
    nested = Query().filter(F("name") == "a b").orderby(F("id").desc()).top(2)
    query = Query().expand(F("keyForm")).expand(F("product"), nested)
    assert query.to_query_string() == (
        "$expand=keyForm,product($filter=name%20eq%20'a%20b';$orderby=id%20desc;$top=2)"
    )
    with pytest.raises(ValueError, match="already expanded"):
        query.expand(F("keyForm"))
    with pytest.raises(TypeError, match="Query"):
        Query().expand(F("keyForm"), "select=x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: Query().top(-1), ValueError, "top must be >= 0"),
        (lambda: Query().skip(-5), ValueError, "skip must be >= 0"),
        (lambda: Query().skip("1"), TypeError, "skip takes a non-negative int"),
        (lambda: Query().top(1.0), TypeError, "top takes a non-negative int"),
        (lambda: Query().top(True), TypeError, "top takes a non-negative int"),
        (lambda: Query().select(), ValueError, "at least one field"),
        (lambda: Query().select("name"), TypeError, "F\\('name'\\)"),
        (lambda: Query().orderby(), ValueError, "at least one key"),
        (lambda: Query().orderby("name desc"), TypeError, "orderby\\(\\) takes fields"),
        (lambda: Query().count("yes"), TypeError, "True, False or None"),
        (lambda: Query().filter("name eq 'x'"), TypeError, "raw\\(\\.\\.\\.\\)"),
        (lambda: Query().filter(True), TypeError, "filter\\(\\) takes a condition"),
        (lambda: Query().filter(s.name), TypeError, "condition"),
        (lambda: s.termination_date < datetime(2025, 1, 1), ValueError, "naive datetime"),
        (lambda: s.name.in_("abc"), TypeError, "collection"),
        (lambda: s.name.in_([]), ValueError, "at least one value"),
        (lambda: s.name == [1], TypeError, "OData literal"),
        (lambda: F("name eq 1"), ValueError, "raw\\(\\)"),
        (lambda: F(""), ValueError, "property path"),
        (lambda: F(3), TypeError, "property name"),
        (lambda: raw(""), ValueError, "non-empty"),
        (lambda: fields(dict), TypeError, "attrs model"),
        (lambda: s.nmae, AttributeError, "did you mean 'name'"),
        (lambda: fields(Product).serial, AttributeError, "no field 'serial'"),
    ],
)
def test_invalid_arguments_fail_when_built(
    build: object, error: type[Exception], message: str
) -> None:
    """Every misuse raises TypeError/ValueError/AttributeError before anything is sent."""
    with pytest.raises(error, match=message):
        build()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("text", "wire"),
    [
        ("a eq 'x y'", "a%20eq%20'x%20y'"),
        ("'a+b'", "'a%2Bb'"),
        ("'a&b=c'", "'a%26b%3Dc'"),
        ("'#?/%;@'", "'%23%3F%2F%25%3B%40'"),
        ("'100%20'", "'100%2520'"),
        ("'Köln'", "'K%C3%B6ln'"),
        ("'😀'", "'%F0%9F%98%80'"),
        ("f(a,'b:c')", "f(a,'b:c')"),
        ("$it", "$it"),
    ],
)
def test_encode_value(text: str, wire: str) -> None:
    """Spaces are %20 (never +); + & # % / ? and non-ASCII are escaped; nothing twice."""
    assert encode_value(text) == wire
    assert unquote(wire) == text


@given(st.text())
def test_encode_value_is_quote(text: str) -> None:
    """Exactly urllib's quote() with the option-value safe set, for any text."""
    try:
        expected = quote(text, safe="'(),:$*")
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            encode_value(text)
        return
    assert encode_value(text) == expected


@given(st.text(st.characters(max_codepoint=127)))
def test_encode_value_is_quote_for_ascii(text: str) -> None:
    """ASCII text (encoded by its own path) too: exactly quote(), each "%" escaped once."""
    assert encode_value(text) == quote(text, safe="'(),:$*")


def test_datetime_offset_plus_is_escaped() -> None:
    """The '+' of a UTC offset goes out as %2B, so no server reads it as a space."""
    when = datetime(2025, 6, 1, tzinfo=timezone(timedelta(hours=2)))
    query = Query().filter(s.termination_date > when)
    assert query.to_query_string() == "$filter=terminationDate%20gt%202025-06-01T00:00:00%2B02:00"


def test_repr_shows_the_query_string() -> None:
    """repr() is short and readable."""
    assert repr(Query().top(3)) == "Query('$top=3')"
