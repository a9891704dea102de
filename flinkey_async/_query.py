"""Query: an immutable, hashable set of OData query options, and their wire encoding."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final, Generic, Self, TypeVar, cast
from urllib.parse import quote

import attrs

from ._expr import BoolOp, Node
from ._fields import Expr, Field, OrderKey, Term
from ._render import render


class Full:
    """Shape marker: the query returns whole models (no ``$select``)."""


class Selected:
    """Shape marker: the query has a ``$select``, so it returns partial models."""


S = TypeVar("S", Full, Selected)

# Characters left literal inside option values (besides unreserved ones); everything else,
# including space, + & # % / ? = ; @ and non-ASCII (as UTF-8), is percent-encoded.
_SAFE: Final = "'(),:$*"
_NEEDS_QUOTING: Final = re.compile(r"[^A-Za-z0-9\-._~'(),:$*]")


def encode_value(text: str) -> str:
    """Percent-encode one option value for the URL: spaces as %20 (never +), nothing twice."""
    if _NEEDS_QUOTING.search(text) is None:
        return text
    return quote(text, safe=_SAFE)


def _check_count(value: object, name: str) -> None:
    if value is None:
        return
    if type(value) is not int:
        raise TypeError(f"{name} takes a non-negative int or None, not {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")


def _field_path(value: object, method: str) -> str:
    if isinstance(value, Field):
        return value.name
    hint = "; use F('name') for a wire name" if isinstance(value, str) else ""
    raise TypeError(f"{method}() takes fields, e.g. fields(Service).name, not {value!r}{hint}")


@attrs.frozen
class Expand:
    """One ``$expand`` item: a navigation property with optional nested options."""

    path: str
    options: Query[Any] | None = None


@attrs.frozen(repr=False)
class Query(Generic[S]):
    """OData query options; every method returns a new query, so a base query can be shared."""

    filters: tuple[Node, ...] = ()
    select_fields: tuple[str, ...] = ()
    expands: tuple[Expand, ...] = ()
    orderby_keys: tuple[OrderKey, ...] = ()
    top_value: int | None = None
    skip_value: int | None = None
    count_value: bool | None = None

    def filter(self, condition: Expr) -> Self:
        """Return a new query that also requires a condition (several are joined with ``and``)."""
        if not isinstance(condition, Expr):
            hint = (
                " (wrap hand-written OData text in raw(...))" if isinstance(condition, str) else ""
            )
            raise TypeError(f"filter() takes a condition such as F('x') == 1{hint}")
        return attrs.evolve(self, filters=(*self.filters, condition.node))

    def select(self, *selected: Field[Any]) -> Query[Selected]:
        """Return a new query that also selects these fields (responses become partial)."""
        if not selected:
            raise ValueError("select() needs at least one field")
        paths: list[str] = [_field_path(f, "select") for f in selected]
        merged = tuple(dict.fromkeys((*self.select_fields, *paths)))
        # Only the shape marker changes; Query[Any] lets the result be typed Query[Selected].
        return attrs.evolve(cast("Query[Any]", self), select_fields=merged)

    def expand(self, field: Field[Any], subquery: Query[Any] | None = None) -> Self:
        """Return a new query that also expands a navigation property, with nested options."""
        path = _field_path(field, "expand")
        if subquery is not None and not isinstance(subquery, Query):
            raise TypeError(f"expand() takes a Query for the nested options, not {subquery!r}")
        if any(item.path == path for item in self.expands):
            raise ValueError(f"{path!r} is already expanded")
        return attrs.evolve(self, expands=(*self.expands, Expand(path, subquery)))

    def orderby(self, *keys: Term[Any] | OrderKey | None) -> Self:
        """Return a new query that also sorts by these keys (``orderby(None)`` resets)."""
        if len(keys) == 1 and keys[0] is None:  # (keys == (None,) would compare fields)
            return attrs.evolve(self, orderby_keys=())
        if not keys:
            raise ValueError("orderby() needs at least one key (or None to reset)")
        converted: list[OrderKey] = []
        for key in keys:
            if isinstance(key, Term):
                key = key.asc()
            elif not isinstance(key, OrderKey):
                raise TypeError(f"orderby() takes fields or field.desc(), not {key!r}")
            converted.append(key)
        return attrs.evolve(self, orderby_keys=(*self.orderby_keys, *converted))

    def top(self, n: int | None) -> Self:
        """Return a new query that returns at most n rows (None resets)."""
        _check_count(n, "top")
        return attrs.evolve(self, top_value=n)

    def skip(self, n: int | None) -> Self:
        """Return a new query that skips the first n rows (None resets)."""
        _check_count(n, "skip")
        return attrs.evolve(self, skip_value=n)

    def count(self, enabled: bool | None = True) -> Self:
        """Return a new query that asks for the total count (``$count=true``; None resets)."""
        if enabled is not None and not isinstance(enabled, bool):
            raise TypeError(f"count() takes True, False or None, not {enabled!r}")
        return attrs.evolve(self, count_value=enabled)

    @property
    def filter_text(self) -> str | None:
        """The ``$filter`` expression as OData text (not percent-encoded), or None."""
        if not self.filters:
            return None
        node = self.filters[0]
        for other in self.filters[1:]:
            node = BoolOp("and", node, other)
        return render(node)

    def options(self) -> Iterator[tuple[str, str]]:
        """Yield (option name, percent-encoded value) in the fixed order of the wire."""
        text = self.filter_text
        if text is not None:
            yield "$filter", encode_value(text)
        if self.select_fields:
            yield "$select", encode_value(",".join(self.select_fields))
        if self.expands:
            yield "$expand", ",".join(_expand_item(item) for item in self.expands)
        if self.orderby_keys:
            yield "$orderby", encode_value(",".join(_order_item(k) for k in self.orderby_keys))
        if self.top_value is not None:
            yield "$top", str(self.top_value)
        if self.skip_value is not None:
            yield "$skip", str(self.skip_value)
        if self.count_value is not None:
            yield "$count", "true" if self.count_value else "false"

    def to_query_string(self) -> str:
        """Return the percent-encoded query string (no leading ``?``)."""
        return "&".join(f"{name}={value}" for name, value in self.options())

    def __str__(self) -> str:
        return self.to_query_string()

    def __repr__(self) -> str:
        return f"Query({self.to_query_string()!r})"


def _order_item(key: OrderKey) -> str:
    text = render(key.node)
    return f"{text} desc" if key.descending else text


def _expand_item(item: Expand) -> str:
    path = encode_value(item.path)
    if item.options is None:
        return path
    nested = ";".join(f"{name}={value}" for name, value in item.options.options())
    return f"{path}({nested})" if nested else path


def check_query(value: object) -> Query[Any]:
    """Return the query a call sends (a Query, or an empty one for None)."""
    if value is None:
        return Query()
    if not isinstance(value, Query):
        raise TypeError(f"query must be a flinkey_async.Query or None, not {value!r}")
    return value
