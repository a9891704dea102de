"""The user-facing side of filters: field proxies with Python operators, kept off the AST."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import (
    Any,
    Final,
    Generic,
    NoReturn,
    TypeVar,
)

import attrs

from ._expr import BoolOp, Call, Compare, In, Literal, Node, Not, Prop, Raw, render
from ._literal import literal
from ._model import slot_setters

T = TypeVar("T")

_PATH: Final = re.compile(r"[^\W\d]\w*(?:/[^\W\d]\w*)*")
_BOOL_HINT: Final = "use & / | / ~ (with parentheses), not and/or/not, to combine filters"


def _value(other: object) -> Node:
    """Return the node for the right-hand side of an operator: a term or a literal."""
    if other is None or other is True or other is False:
        return _CONSTANTS[other]  # (only these three: 1 and 0 are not True and False)
    if isinstance(other, Term):
        return other.node
    if isinstance(other, Expr):
        raise TypeError("cannot compare a condition; compare fields or values")
    return Literal(literal(other), other)


@attrs.frozen(init=False)
class Expr:
    """A boolean filter condition: combine with ``&``, ``|`` and ``~``, then pass to filter()."""

    node: Node

    def __init__(self, node: Node) -> None:
        _set_node(self, node)

    def __and__(self, other: Expr) -> Expr:
        if not isinstance(other, Expr):
            return NotImplemented
        return Expr(BoolOp("and", self.node, other.node))

    def __or__(self, other: Expr) -> Expr:
        if not isinstance(other, Expr):
            return NotImplemented
        return Expr(BoolOp("or", self.node, other.node))

    def __invert__(self) -> Expr:
        return Expr(Not(self.node))

    def __bool__(self) -> NoReturn:
        raise TypeError(f"a filter condition has no truth value: {_BOOL_HINT}")


@attrs.frozen
class OrderKey:
    """One ``$orderby`` item: an expression and a direction."""

    node: Node
    descending: bool = False


class Term(Generic[T]):
    """A typed value in a filter (a field, or a function of one); operators build conditions."""

    __slots__ = ("node",)
    node: Node

    def __init__(self, node: Node) -> None:
        object.__setattr__(self, "node", node)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({render(self.node)!r})"

    def __eq__(self, other: T | Term[T]) -> Expr:  # type: ignore[override]
        return Expr(Compare("eq", self.node, _value(other)))

    def __ne__(self, other: T | Term[T]) -> Expr:  # type: ignore[override]
        return Expr(Compare("ne", self.node, _value(other)))

    def __lt__(self, other: T | Term[T]) -> Expr:
        return Expr(Compare("lt", self.node, _value(other)))

    def __le__(self, other: T | Term[T]) -> Expr:
        return Expr(Compare("le", self.node, _value(other)))

    def __gt__(self, other: T | Term[T]) -> Expr:
        return Expr(Compare("gt", self.node, _value(other)))

    def __ge__(self, other: T | Term[T]) -> Expr:
        return Expr(Compare("ge", self.node, _value(other)))

    __hash__ = None  # type: ignore[assignment]  # == builds a condition, so no hashing

    def __bool__(self) -> NoReturn:
        raise TypeError(f"a field has no truth value: compare it, and {_BOOL_HINT}")

    def __and__(self, other: object) -> NoReturn:
        raise TypeError("'&' binds tighter than '==': write (a == 1) & (b == 2)")

    __rand__ = __or__ = __ror__ = __and__

    def in_(self, values: Iterable[T]) -> Expr:
        """Return the condition ``field in (values...)`` (one value: ``eq``; none: ValueError)."""
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise TypeError("in_() takes a collection of values, e.g. in_([1, 2])")
        items = tuple(Literal(literal(v), v) for v in values)
        if not items:
            raise ValueError("in_() needs at least one value (an empty list matches nothing)")
        if len(items) == 1:
            return Expr(Compare("eq", self.node, items[0]))
        return Expr(In(self.node, items))

    def contains(self: Term[str] | Term[str | None], text: str | Term[str]) -> Expr:
        """Return the condition ``contains(field,text)``."""
        return Expr(Call("contains", (self.node, _value(text))))

    def startswith(self: Term[str] | Term[str | None], text: str | Term[str]) -> Expr:
        """Return the condition ``startswith(field,text)``."""
        return Expr(Call("startswith", (self.node, _value(text))))

    def endswith(self: Term[str] | Term[str | None], text: str | Term[str]) -> Expr:
        """Return the condition ``endswith(field,text)``."""
        return Expr(Call("endswith", (self.node, _value(text))))

    def tolower(self: Term[str] | Term[str | None]) -> Term[str]:
        """Return ``tolower(field)``, for case-insensitive comparisons."""
        return Term(Call("tolower", (self.node,)))

    def toupper(self: Term[str] | Term[str | None]) -> Term[str]:
        """Return ``toupper(field)``."""
        return Term(Call("toupper", (self.node,)))

    def year(self: _Dated) -> Term[int]:
        """Return ``year(field)``."""
        return Term(Call("year", (self.node,)))

    def month(self: _Dated) -> Term[int]:
        """Return ``month(field)``."""
        return Term(Call("month", (self.node,)))

    def day(self: _Dated) -> Term[int]:
        """Return ``day(field)``."""
        return Term(Call("day", (self.node,)))

    def hour(self: _Timed) -> Term[int]:
        """Return ``hour(field)``."""
        return Term(Call("hour", (self.node,)))

    def minute(self: _Timed) -> Term[int]:
        """Return ``minute(field)``."""
        return Term(Call("minute", (self.node,)))

    def second(self: _Timed) -> Term[int]:
        """Return ``second(field)``."""
        return Term(Call("second", (self.node,)))

    def asc(self) -> OrderKey:
        """Return an ascending ``$orderby`` key."""
        return OrderKey(self.node)

    def desc(self) -> OrderKey:
        """Return a descending ``$orderby`` key."""
        return OrderKey(self.node, descending=True)


# The self types of the date-part functions: date/time fields, nullable or not (and Field[Any]).
_Dated = Term[datetime] | Term[datetime | None] | Term[date] | Term[date | None]
_Timed = Term[datetime] | Term[datetime | None] | Term[time] | Term[time | None]


class Field(Term[T]):
    """A property reference: usable in filters, ``select()``, ``orderby()`` and ``expand()``."""

    __slots__ = ()
    node: Prop

    @property
    def name(self) -> str:
        """The property path as it appears on the wire."""
        return self.node.path


def F(name: str) -> Field[Any]:
    """Return an untyped reference to a wire property (``F("keyForm/imageUrl")``)."""
    if not isinstance(name, str):
        raise TypeError(f"F() takes a property name, not {type(name).__name__}")
    if not _PATH.fullmatch(name):
        raise ValueError(f"{name!r} is not an OData property path; use raw() for other text")
    return Field(Prop(name))


_set_node: Final = slot_setters(Expr, "node")[0]
# null, true and false: one node each, shared (nodes are immutable).
_CONSTANTS: Final = {value: Literal(literal(value), value) for value in (None, True, False)}


def raw(text: str) -> Expr:
    """Return a condition from hand-written OData text, sent unchanged (the escape hatch)."""
    if not isinstance(text, str):
        raise TypeError(f"raw() takes OData text, not {type(text).__name__}")
    if not text.strip():
        raise ValueError("raw() needs non-empty OData text")
    return Expr(Raw(text))
