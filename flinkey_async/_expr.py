"""The filter AST: plain frozen nodes with structural equality (no operator overloading)."""

from __future__ import annotations

import typing

import attrs

CompareOp = typing.Literal["eq", "ne", "lt", "le", "gt", "ge"]
BoolOpName = typing.Literal["and", "or"]
FunctionName = typing.Literal[
    "contains",
    "startswith",
    "endswith",
    "tolower",
    "toupper",
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
]


@attrs.frozen
class Prop:
    """A property path on the wire, e.g. ``isTerminated`` or ``keyForm/imageUrl``."""

    path: str


@attrs.frozen
class Literal:
    """A value, already encoded by literal(); equality and hashing use the text only."""

    text: str
    value: object = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Compare:
    """``left op right`` for eq, ne, lt, le, gt, ge."""

    op: CompareOp
    left: Node
    right: Node


@attrs.frozen
class In:
    """``left in (v1,v2,...)``: at least two values (one is rendered as ``eq``)."""

    left: Node
    values: tuple[Literal, ...]


@attrs.frozen
class BoolOp:
    """``left and right`` / ``left or right`` (binary, like the OData grammar)."""

    op: BoolOpName
    left: Node
    right: Node


@attrs.frozen
class Not:
    """``not operand``."""

    operand: Node


@attrs.frozen
class Call:
    """A canonical OData function call, e.g. ``contains(name,'x')``."""

    name: FunctionName
    args: tuple[Node, ...]


@attrs.frozen
class Raw:
    """Hand-written OData text, passed through unchanged (the escape hatch)."""

    text: str


Node: typing.TypeAlias = Prop | Literal | Compare | In | BoolOp | Not | Call | Raw
