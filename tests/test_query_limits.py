"""Hostile shapes: deep filters are refused when built (or joined flat), never a RecursionError;
the constructor takes no options; a query is a value that pickles and renders once."""

from __future__ import annotations

import copy
import functools
import operator
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from flinkey_async import F, Query, Service, fields, raw
from flinkey_async._expr import MAX_DEPTH, BoolOp, Call, Compare, Literal, Not, Prop, render
from flinkey_async._fields import Expr, Term
from flinkey_async._query import MAX_EXPAND_DEPTH

a = F("a")
s = fields(Service)
TOO_DEEP = f"nests {MAX_DEPTH + 1} levels deep, more than the {MAX_DEPTH} allowed"


def or_chain(n: int) -> Expr:
    """``a eq 0 or a eq 1 or ...``: reduce() nests one level per condition."""
    return functools.reduce(operator.or_, [a == i for i in range(n)])


def not_chain(n: int) -> Expr:
    """``not not ... (a eq 1)`` with n ``not``s."""
    condition = a == 1
    for _ in range(n):
        condition = ~condition
    return condition


def lower_chain(n: int) -> Term[Any]:
    """``tolower(tolower(...(a)))`` with n calls."""
    term: Term[Any] = a
    for _ in range(n):
        term = term.tolower()
    return term


def on_a_deep_stack(frames: int, action: Callable[[], object]) -> object:
    """Run action below `frames` extra Python frames, as if called from deep application code."""
    return action() if frames == 0 else on_a_deep_stack(frames - 1, action)


def test_the_deepest_conditions_render_exactly() -> None:
    """At the cap, reduce(or_), nested ~ and nested functions build and render exactly."""
    assert Query().filter(or_chain(MAX_DEPTH)).filter_text == " or ".join(
        f"a eq {i}" for i in range(MAX_DEPTH)
    )
    assert render(not_chain(MAX_DEPTH - 1).node) == "not " * (MAX_DEPTH - 1) + "(a eq 1)"
    deepest_term = lower_chain(MAX_DEPTH)
    assert repr(deepest_term) == f"Term({'tolower(' * MAX_DEPTH + 'a' + ')' * MAX_DEPTH!r})"
    assert Query().orderby(deepest_term.desc()).to_query_string() == (
        "$orderby=" + "tolower(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH + "%20desc"
    )
    assert (or_chain(MAX_DEPTH).node.depth, not_chain(MAX_DEPTH - 1).node.depth) == (200, 200)


@pytest.mark.parametrize("n", [MAX_DEPTH + 1, 330, 500, 5_000, 50_000])
def test_deeper_or_chains_are_refused_when_built(n: int) -> None:
    """reduce(or_, ...) past the cap raises ValueError at the first level too many."""
    conditions = [a == i for i in range(n)]
    with pytest.raises(ValueError, match=TOO_DEEP) as caught:
        functools.reduce(operator.or_, conditions)
    assert "use in_() for many values of one field" in str(caught.value)


@pytest.mark.parametrize(
    "build",
    [
        lambda: not_chain(MAX_DEPTH),
        lambda: not_chain(500),
        lambda: lower_chain(MAX_DEPTH) == "x",
        lambda: lower_chain(MAX_DEPTH + 1),
        lambda: lower_chain(MAX_DEPTH).in_(["x", "y"]),
        lambda: a.contains(lower_chain(MAX_DEPTH)),
        lambda: functools.reduce(operator.and_, [raw("x eq 1")] * 501),
        lambda: BoolOp("and", or_chain(MAX_DEPTH).node, Prop("b")),
        lambda: Not(not_chain(MAX_DEPTH - 1).node),
    ],
)
def test_every_way_of_nesting_is_capped(build: Callable[[], object]) -> None:
    """~, functions, in_, &, and nodes built directly: one level too many is a ValueError."""
    with pytest.raises(ValueError, match=TOO_DEEP):
        build()


@pytest.mark.parametrize("n", [500, 5_000])
def test_chained_filters_are_joined_flat(n: int) -> None:
    """Many filter() calls are not nested: any number renders (each needs () only if or/raw)."""
    query = Query()
    for i in range(n):
        query = query.filter(a == i)
    expected = " and ".join(f"a eq {i}" for i in range(n))
    assert query.filter_text == expected
    assert query.to_query_string() == "$filter=" + expected.replace(" ", "%20")
    query = query.filter((a == 1) | (a == 2)).filter(not_chain(MAX_DEPTH - 1))
    assert query.filter_text == (
        f"{expected} and (a eq 1 or a eq 2) and " + "not " * (MAX_DEPTH - 1) + "(a eq 1)"
    )
    assert pickle.loads(pickle.dumps(query)) == query
    assert hash(copy.deepcopy(query)) == hash(query)


def deepest_query() -> Query[Any]:
    """A query at every cap at once: deep filters, a deep order key, and nested $expand."""
    nested = Query().filter(or_chain(MAX_DEPTH)).orderby(lower_chain(MAX_DEPTH))
    for level in range(MAX_EXPAND_DEPTH - 1):
        nested = Query().expand(F(f"nav{level}"), nested)
    return (
        Query()
        .filter(or_chain(MAX_DEPTH))
        .filter(not_chain(MAX_DEPTH - 1))
        .filter(a.contains(lower_chain(MAX_DEPTH - 1)))
        .orderby(lower_chain(MAX_DEPTH))
        .expand(F("nav"), nested)
    )


def test_deep_queries_hash_compare_repr_pickle_and_copy() -> None:
    """Everything that walks the tree works at the caps, even 200 frames down a call stack."""
    query = deepest_query()

    def walk() -> None:
        twin = deepest_query()  # built anew: equality must compare the whole structure
        assert twin == query
        assert hash(twin) == hash(query)
        assert twin != query.top(1)
        assert repr(query) == f"Query({query.to_query_string()!r})"
        assert query.to_query_string().count("$expand=nav") == MAX_EXPAND_DEPTH
        restored = pickle.loads(pickle.dumps(query))
        assert restored == query
        assert restored.to_query_string() == query.to_query_string()
        assert copy.deepcopy(query) is query
        assert copy.copy(query) is query
        for node in query.filters:
            assert pickle.loads(pickle.dumps(node)) == node
            assert copy.deepcopy(node) is node
            assert repr(node).startswith(f"{type(node).__name__}(")
            assert hash(node) == hash(pickle.loads(pickle.dumps(node)))

    on_a_deep_stack(200, walk)


def test_expand_nesting_is_capped() -> None:
    """$expand nests at most MAX_EXPAND_DEPTH levels; one more is a ValueError."""
    nested = Query().expand(F("nav"))
    for _ in range(MAX_EXPAND_DEPTH - 2):
        nested = Query().expand(F("nav"), nested)
    deepest = Query().expand(F("nav"), nested)
    assert deepest.to_query_string() == (
        "$expand=" + "nav($expand=" * (MAX_EXPAND_DEPTH - 1) + "nav" + ")" * (MAX_EXPAND_DEPTH - 1)
    )
    with pytest.raises(ValueError, match=f"\\$expand may nest at most {MAX_EXPAND_DEPTH} levels"):
        Query().expand(F("nav"), deepest)
    assert pickle.loads(pickle.dumps(deepest)).expand(F("other")) == deepest.expand(F("other"))
    with pytest.raises(ValueError, match="at most"):
        Query().expand(F("nav"), pickle.loads(pickle.dumps(deepest)))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("top_value", -5),
        ("skip_value", "1"),
        ("count_value", "no"),
        ("select_fields", ("name",)),
        ("filters", (Compare("eq", Prop("a"), Literal("1")),)),
        ("orderby_keys", ()),
        ("expands", ()),
    ],
)
def test_the_constructor_takes_no_options(name: str, value: object) -> None:
    """Query(...) with options is refused: they are set only by the checking methods."""
    with pytest.raises(TypeError, match=f"got an unexpected keyword argument '{name}'"):
        Query(**{name: value})
    with pytest.raises(TypeError, match=r"takes 1 positional argument but 2 were given"):
        Query(value)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "name",
    [
        "filters",
        "select_fields",
        "expands",
        "orderby_keys",
        "top_value",
        "skip_value",
        "count_value",
    ],
)
def test_options_are_read_only(name: str) -> None:
    """The public names are read-only; unknown attributes cannot be added."""
    query = Query().top(5)
    with pytest.raises(AttributeError):
        setattr(query, name, None)
    with pytest.raises(AttributeError):
        query.extra = 1  # type: ignore[attr-defined]
    assert query.top_value == 5


QUERIES = [
    Query(),
    Query().top(0),
    Query().count(False),
    Query()
    .filter((s.id >= 100) | s.name.contains("O'Brien & Sons + Co"))
    .filter(~s.is_terminated.in_([True, False]))
    .select(s.id, s.name)
    .expand(F("keyForm"), Query().select(F("imageUrl")).top(1))
    .orderby(s.name.tolower().desc(), s.id)
    .top(50)
    .skip(100)
    .count(),
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(query: Query[Any], protocol: int) -> None:
    """Unpickled queries are equal, hash alike, render alike and keep building the same way."""
    restored = pickle.loads(pickle.dumps(query, protocol))
    assert restored == query
    assert hash(restored) == hash(query)
    assert restored.to_query_string() == query.to_query_string()
    assert restored.filters == query.filters
    assert restored.orderby_keys == query.orderby_keys
    assert restored.expands == query.expands
    assert (restored.top_value, restored.skip_value, restored.count_value) == (
        query.top_value,
        query.skip_value,
        query.count_value,
    )
    assert restored.skip(7).filter(a == 1) == query.skip(7).filter(a == 1)


def test_the_rendered_text_is_kept_but_is_not_part_of_the_value() -> None:
    """A query renders once; the kept text changes neither equality, hashing nor the pickle."""
    fresh, rendered = QUERIES[-1], pickle.loads(pickle.dumps(QUERIES[-1]))
    text = rendered.to_query_string()
    assert rendered.to_query_string() is text
    assert str(rendered) is text
    assert rendered == fresh
    assert hash(rendered) == hash(fresh)
    assert pickle.dumps(rendered) == pickle.dumps(pickle.loads(pickle.dumps(fresh)))
    assert list(rendered.options()) == [tuple(part.split("=", 1)) for part in text.split("&")]
    # Pages of one base query share its rendered head, and differ only in $top/$skip.
    base = rendered.top(None).skip(None).count(None)
    pages = [base.top(10).skip(n).to_query_string() for n in (0, 10)]
    assert pages == [f"{base}&$top=10&$skip={n}" for n in (0, 10)]


def test_unpickled_nodes_are_checked_again() -> None:
    """A node is pickled by its arguments, so unpickling rebuilds it (and its depth)."""
    node = Call("contains", (Prop("a"), Literal("'x'", "x")))
    assert pickle.loads(pickle.dumps(node)) == node
    assert pickle.loads(pickle.dumps(node)).depth == 1
    assert pickle.loads(pickle.dumps(Literal("1", 1))).value == 1
