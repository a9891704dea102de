"""Property test: odata-query's independent parser reads back exactly what we rendered."""

from __future__ import annotations

import enum
import math
import re
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import unquote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flinkey_async import F, ProductType, Query
from flinkey_async._expr import BoolOp, Call, Compare, In, Literal, Node, Not, Prop, Raw
from flinkey_async._fields import Expr, Term
from flinkey_async.testing._filter import parse_duration

oq = pytest.importorskip("odata_query.ast")
grammar = pytest.importorskip("odata_query.grammar")

OPS = {"eq": oq.Eq, "ne": oq.NotEq, "lt": oq.Lt, "le": oq.LtE, "gt": oq.Gt, "ge": oq.GtE}
WIRE = re.compile(r"(?:[A-Za-z0-9\-._~'(),:$*]|%[0-9A-F]{2})*")

# odata-query lexes names starting with any/all/null/true/false as keywords, and only ASCII
# names; the field names here avoid that (our F() accepts any OData identifier).
NAMES = st.sampled_from(["name", "isTerminated", "terminationDate", "x", "_id2", "keyForm/url"])
TRICKY = ["", "'", "''", "%", "%25", "&", "+", "#", "?", "/", "=", ";", " ", "O'Brien & Sons + Co"]

# odata-query's date regex needs a four-digit year from 1000.
AWARE_TZ = st.one_of(
    st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m))),
    st.integers(-86399, 86399).map(lambda s: timezone(timedelta(seconds=s))),
)
VALUES = st.one_of(
    st.text(),
    st.lists(st.sampled_from(TRICKY) | st.text(max_size=3), max_size=5).map("".join),
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(),
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**30), max_value=10**30),
    st.datetimes(min_value=datetime(1001, 1, 1), timezones=AWARE_TZ),
    st.dates(min_value=date(1000, 1, 1)),
    st.times(),
    st.timedeltas(),
    st.uuids(),
    st.sampled_from(ProductType),
)


def terms() -> st.SearchStrategy[Term[Any]]:
    """Fields, and functions of them."""
    field = NAMES.map(F)
    return st.one_of(
        field,
        field.map(lambda f: f.tolower()),
        field.map(lambda f: f.toupper()),
        st.tuples(field, st.sampled_from(["year", "month", "day", "hour", "minute", "second"])).map(
            lambda pair: getattr(pair[0], pair[1])()
        ),
    )


def comparisons() -> st.SearchStrategy[Expr]:
    """Leaf conditions: comparisons, in_, and the string functions."""
    op = st.sampled_from(["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"])
    strings = st.one_of(st.text(), st.sampled_from(TRICKY))
    return st.one_of(
        st.builds(lambda t, o, v: getattr(t, o)(v), terms(), op, VALUES),
        st.builds(lambda t, o, u: getattr(t, o)(u), terms(), op, terms()),
        st.builds(lambda t, vs: t.in_(vs), terms(), st.lists(VALUES, min_size=1, max_size=4)),
        st.builds(
            lambda t, f, v: getattr(t, f)(v),
            terms(),
            st.sampled_from(["contains", "startswith", "endswith"]),
            strings,
        ),
    )


CONDITIONS = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda a, b: a & b, inner, inner),
        st.builds(lambda a, b: a | b, inner, inner),
        inner.map(lambda a: ~a),
    ),
    max_leaves=8,
)


def same(mine: Node, theirs: Any) -> bool:
    """Whether odata-query's tree is our tree, with the same values."""
    match mine:
        case Prop(path=path):
            *owners, name = path.split("/")
            if not owners:
                return theirs == oq.Identifier(name)
            return (
                isinstance(theirs, oq.Attribute)
                and theirs.attr == name
                and same(Prop("/".join(owners)), theirs.owner)
            )
        case Literal(value=value):
            return same_value(value, theirs)
        case Compare(op=op, left=left, right=right):
            return (
                isinstance(theirs, oq.Compare)
                and type(theirs.comparator) is OPS[op]
                and same(left, theirs.left)
                and same(right, theirs.right)
            )
        case In(left=left, values=values):
            return (
                isinstance(theirs, oq.Compare)
                and isinstance(theirs.comparator, oq.In)
                and same(left, theirs.left)
                and len(values) == len(theirs.right.val)
                and all(same(v, t) for v, t in zip(values, theirs.right.val, strict=True))
            )
        case BoolOp(op=op, left=left, right=right):
            kind = oq.And if op == "and" else oq.Or
            return (
                isinstance(theirs, oq.BoolOp)
                and isinstance(theirs.op, kind)
                and same(left, theirs.left)
                and same(right, theirs.right)
            )
        case Not(operand=operand):
            return (
                isinstance(theirs, oq.UnaryOp)
                and isinstance(theirs.op, oq.Not)
                and same(operand, theirs.operand)
            )
        case Call(name=name, args=args):
            return (
                isinstance(theirs, oq.Call)
                and theirs.func == oq.Identifier(name)
                and len(args) == len(theirs.args)
                and all(same(a, t) for a, t in zip(args, theirs.args, strict=True))
            )
        case Raw():
            return False
    return False


def same_value(value: object, theirs: Any) -> bool:
    """Whether a parsed literal carries exactly the Python value we rendered."""
    if isinstance(value, enum.Enum):
        value = value.value
    match value:
        case None:
            return isinstance(theirs, oq.Null)
        case bool():
            return isinstance(theirs, oq.Boolean) and theirs.py_val is value
        case int():
            return isinstance(theirs, oq.Integer) and int(theirs.val) == value
        case float() if math.isnan(value):
            return theirs == oq.Identifier("NaN")
        case float() if math.isinf(value):
            inf = oq.Identifier("INF")
            return theirs == inf if value > 0 else theirs == oq.UnaryOp(oq.USub(), inf)
        case float():
            parsed = float(theirs.val)
            return (
                isinstance(theirs, oq.Float)
                and parsed == value
                and (math.copysign(1, parsed) == math.copysign(1, value))
            )
        case Decimal():
            return isinstance(theirs, oq.Integer | oq.Float) and Decimal(theirs.val) == value
        case str():
            return isinstance(theirs, oq.String) and theirs.val == value
        case datetime():
            return isinstance(theirs, oq.DateTime) and theirs.py_val == value
        case date():
            return isinstance(theirs, oq.Date) and theirs.py_val == value
        case time():
            return isinstance(theirs, oq.Time) and theirs.py_val == value
        case timedelta():
            return isinstance(theirs, oq.Duration) and parse_duration(theirs.val) == value
        case uuid.UUID():
            return isinstance(theirs, oq.GUID) and uuid.UUID(theirs.val) == value
    return False


def parse(text: str) -> Any:
    """Parse OData filter text with odata-query."""
    return grammar.ODataParser().parse(grammar.ODataLexer().tokenize(text))


@settings(max_examples=200, deadline=None)
@given(first=CONDITIONS, second=st.none() | CONDITIONS)
def test_rendered_filters_parse_back_to_the_same_tree(first: Expr, second: Expr | None) -> None:
    """Render, percent-decode as a server would, parse independently: same tree, same values."""
    query = Query().filter(first) if second is None else Query().filter(first).filter(second)
    wire = query.to_query_string()
    name, _, encoded = wire.partition("=")
    assert name == "$filter"
    assert WIRE.fullmatch(encoded), encoded  # only safe characters and %XX escapes
    expected = first.node if second is None else BoolOp("and", first.node, second.node)
    assert same(expected, parse(unquote_plus(encoded)))


def test_the_oracle_notices_differences() -> None:
    """The comparison is strict: another value, operator, grouping or type is a mismatch."""
    a, b = F("a"), F("b")
    assert same((a == 1).node, parse("a eq 1"))
    assert not same((a == 1).node, parse("a eq 2"))
    assert not same((a == 1).node, parse("a ne 1"))
    assert not same((a == 1).node, parse("a eq 1.0"))
    assert not same((a == True).node, parse("a eq 1"))  # noqa: E712
    assert not same((a == "1").node, parse("a eq 1"))
    assert not same(((a == 1) & ((b == 2) | (b == 3))).node, parse("a eq 1 and b eq 2 or b eq 3"))
    assert same(((a == 1) & ((b == 2) | (b == 3))).node, parse("a eq 1 and (b eq 2 or b eq 3)"))
