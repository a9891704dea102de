"""Query: an immutable, hashable set of OData query options, and their wire encoding."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final, Generic, Self, TypeVar, cast

import attrs

from ._expr import Node
from ._fields import Expr, Field, OrderKey, Term
from ._query_text import encode_value as encode_value  # still importable from here
from ._query_text import expand_item, filter_text, head_text, query_string
from ._validate import check_optional_count


class Full:
    """Shape marker: the query returns whole models (no ``$select``)."""


class Selected:
    """Shape marker: the query has a ``$select``, so it returns partial models."""


S = TypeVar("S", Full, Selected)
MAX_EXPAND_DEPTH: Final = 10


def _field_path(value: object, method: str) -> str:
    if isinstance(value, Field):
        return value.node.path
    hint = "; use F('name') for a wire name" if isinstance(value, str) else ""
    raise TypeError(f"{method}() takes fields, e.g. fields(Service).name, not {value!r}{hint}")


@attrs.frozen
class Expand:
    """One ``$expand`` item: a navigation property with optional nested options."""

    path: str
    options: Query[Any] | None = None


class Query(Generic[S]):
    """OData query options; every method returns a new query, so a base query can be shared.

    ``Query()`` takes no arguments: options are set only by the methods, which check them. A
    query is a value (frozen, hashable, equal by its options, picklable) and renders its query
    string once.
    """

    __slots__ = (
        "_count",
        "_expands",
        "_filters",
        "_head",
        "_orderby",
        "_select",
        "_skip",
        "_text",
        "_top",
    )

    def __init__(self) -> None:
        self._filters: tuple[Node, ...] = ()
        self._select: tuple[str, ...] = ()
        self._expands: tuple[Expand, ...] = ()
        self._orderby: tuple[OrderKey, ...] = ()
        self._top: int | None = None
        self._skip: int | None = None
        self._count: bool | None = None
        # Caches, not part of the value: the query string, and the text of the options before
        # $top (a cell shared with the copies that change only $top/$skip/$count: the pages).
        self._text: str | None = None
        self._head: list[str | None] = [None]

    def _copy(self, *, same_head: bool = False) -> Self:
        """Return a copy to change one option of (much faster than attrs.evolve)."""
        new = object.__new__(self.__class__)
        new._filters = self._filters
        new._select = self._select
        new._expands = self._expands
        new._orderby = self._orderby
        new._top = self._top
        new._skip = self._skip
        new._count = self._count
        new._text = None
        new._head = self._head if same_head else [None]
        return new

    @property
    def filters(self) -> tuple[Node, ...]:
        """The conditions of each filter() call, in order."""
        return self._filters

    @property
    def select_fields(self) -> tuple[str, ...]:
        """The selected wire names (empty: whole models)."""
        return self._select

    @property
    def expands(self) -> tuple[Expand, ...]:
        """The ``$expand`` items."""
        return self._expands

    @property
    def orderby_keys(self) -> tuple[OrderKey, ...]:
        """The ``$orderby`` keys."""
        return self._orderby

    @property
    def top_value(self) -> int | None:
        """The ``$top`` value, or None."""
        return self._top

    @property
    def skip_value(self) -> int | None:
        """The ``$skip`` value, or None."""
        return self._skip

    @property
    def count_value(self) -> bool | None:
        """The ``$count`` value, or None."""
        return self._count

    def filter(self, condition: Expr) -> Self:
        """Return a new query that also requires a condition (several are joined with ``and``)."""
        if not isinstance(condition, Expr):
            hint = (
                " (wrap hand-written OData text in raw(...))" if isinstance(condition, str) else ""
            )
            raise TypeError(f"filter() takes a condition such as F('x') == 1{hint}")
        new = self._copy()
        new._filters = (*self._filters, condition.node)
        return new

    def select(self, *selected: Field[Any]) -> Query[Selected]:
        """Return a new query that also selects these fields (responses become partial)."""
        if not selected:
            raise ValueError("select() needs at least one field")
        paths = [_field_path(field, "select") for field in selected]
        if self._select:
            paths[:0] = self._select
        # Order-preserving de-duplication (dict.fromkeys) only when needed: it costs more.
        unique = tuple(paths) if len(set(paths)) == len(paths) else tuple(dict.fromkeys(paths))
        # Only the shape marker changes; Query[Any] lets the result be typed Query[Selected].
        new: Query[Any] = self._copy()
        new._select = unique
        return new

    def expand(self, field: Field[Any], subquery: Query[Any] | None = None) -> Self:
        """Return a new query that also expands a navigation property, with nested options."""
        path = _field_path(field, "expand")
        if subquery is not None and not isinstance(subquery, Query):
            raise TypeError(f"expand() takes a Query for the nested options, not {subquery!r}")
        if any(item.path == path for item in self._expands):
            raise ValueError(f"{path!r} is already expanded")
        if subquery is not None and _nesting(subquery) >= MAX_EXPAND_DEPTH:
            raise ValueError(f"$expand may nest at most {MAX_EXPAND_DEPTH} levels deep")
        new = self._copy()
        new._expands = (*self._expands, Expand(path, subquery))
        return new

    def orderby(self, *keys: Term[Any] | OrderKey | None) -> Self:
        """Return a new query that also sorts by these keys (``orderby(None)`` resets)."""
        if len(keys) == 1 and keys[0] is None:  # (keys == (None,) would compare fields)
            keys = ()
        elif not keys:
            raise ValueError("orderby() needs at least one key (or None to reset)")
        converted: list[OrderKey] = []
        for key in keys:
            if isinstance(key, Term):
                key = key.asc()
            elif not isinstance(key, OrderKey):
                raise TypeError(f"orderby() takes fields or field.desc(), not {key!r}")
            converted.append(key)
        new = self._copy()
        new._orderby = (*self._orderby, *converted) if keys else ()
        return new

    def top(self, n: int | None) -> Self:
        """Return a new query that returns at most n rows (None resets)."""
        new = self._copy(same_head=True)
        new._top = check_optional_count(n, "top")
        return new

    def skip(self, n: int | None) -> Self:
        """Return a new query that skips the first n rows (None resets)."""
        new = self._copy(same_head=True)
        new._skip = check_optional_count(n, "skip")
        return new

    def count(self, enabled: bool | None = True) -> Self:
        """Return a new query that asks for the total count (``$count=true``; None resets)."""
        if enabled is not None and not isinstance(enabled, bool):
            raise TypeError(f"count() takes True, False or None, not {enabled!r}")
        new = self._copy(same_head=True)
        new._count = enabled
        return new

    @property
    def filter_text(self) -> str | None:
        """The ``$filter`` expression as OData text (not percent-encoded), or None."""
        return filter_text(self._filters) if self._filters else None

    def options(self) -> Iterator[tuple[str, str]]:
        """Yield (option name, percent-encoded value) in the fixed order of the wire."""
        text = self.to_query_string()
        for part in text.split("&") if text else ():
            name, _, value = part.partition("=")
            yield name, value

    def to_query_string(self) -> str:
        """Return the percent-encoded query string (no leading ``?``), rendered once."""
        text = self._text
        if text is not None:
            return text
        head = self._head[0]
        if head is None:
            expands = [_expand_item(item) for item in self._expands] if self._expands else []
            head = self._head[0] = head_text(self._filters, self._select, expands, self._orderby)
        text = self._text = query_string(head, self._top, self._skip, self._count)
        return text

    def _key(self) -> tuple[object, ...]:
        return (
            self._filters,
            self._select,
            self._expands,
            self._orderby,
            self._top,
            self._skip,
            self._count,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == cast("Query[Any]", other)._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore, self._key()  # the options only: the caches are rebuilt on demand

    def __copy__(self) -> Self:
        return self  # immutable

    def __deepcopy__(self, memo: object) -> Self:
        return self

    def __str__(self) -> str:
        return self.to_query_string()

    def __repr__(self) -> str:
        return f"Query({self.to_query_string()!r})"


def _restore(
    filters: tuple[Node, ...],
    select: tuple[str, ...],
    expands: tuple[Expand, ...],
    orderby: tuple[OrderKey, ...],
    top: int | None,
    skip: int | None,
    count: bool | None,
) -> Query[Any]:
    """Rebuild an unpickled query from its options."""
    query: Query[Any] = Query()
    query._filters, query._select, query._expands = filters, select, expands
    query._orderby, query._top, query._skip, query._count = orderby, top, skip, count
    return query


def _nesting(query: Query[Any]) -> int:
    """Return how many levels deep a query's $expand options nest (0: no $expand)."""
    return max(
        [1 if item.options is None else 1 + _nesting(item.options) for item in query.expands],
        default=0,
    )


def _expand_item(item: Expand) -> str:
    return expand_item(item.path, None if item.options is None else item.options.to_query_string())


def check_query(value: object) -> Query[Any]:
    """Return the query a call sends (a Query, or an empty one for None)."""
    if value is None:
        return Query()
    if not isinstance(value, Query):
        raise TypeError(f"query must be a flinkey_async.Query or None, not {value!r}")
    return value
