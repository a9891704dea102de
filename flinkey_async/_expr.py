"""The filter AST (plain frozen nodes with structural equality) and render(), its OData text."""

from __future__ import annotations

import operator
import typing
from typing import Any, ClassVar, Final, NoReturn, Self

import attrs

from ._model import slot_setters

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

MAX_DEPTH: Final = 200
"""How many levels a condition may nest (each operator, function or ``~`` adds one).

Deeper trees are refused when built. Servers refuse far smaller ones (ASP.NET Core OData allows
100 nodes in a $filter by default), and equality, hashing, repr and pickling of the frozen nodes
recurse (at most three frames per level): the cap keeps each of them far below Python's
recursion limit. Each node's text is rendered once, when it is built, from its children's.
"""

# Binding strength, after OData URL Conventions 5.1.1.15 (higher binds tighter).
PRECEDENCE: Final = {
    "or": 1,
    "and": 2,
    "eq": 3,
    "ne": 3,
    "lt": 4,
    "le": 4,
    "gt": 4,
    "ge": 4,
    "in": 4,
    "not": 7,
}
_RAW: Final = 0  # unknown text: always parenthesised when nested
_ATOM: Final = 9  # names, literals and function calls: never parenthesised
_IN: Final = PRECEDENCE["in"]
_NOT: Final = PRECEDENCE["not"]
_text_of: Final = operator.attrgetter("text")
_set: Final = object.__setattr__  # the frozen nodes' own __setattr__ refuses


def _too_deep(depth: int) -> NoReturn:
    raise ValueError(
        f"this condition nests {depth} levels deep, more than the {MAX_DEPTH} allowed; "
        "use in_() for many values of one field, or several filter() calls (joined flat)"
    )


def _checked(depth: int) -> int:
    if depth > MAX_DEPTH:
        _too_deep(depth)
    return depth


class _Node:
    """The base of the nodes: immutable, so a copy is the node itself; pickled by arguments."""

    __slots__ = ()
    __attrs_attrs__: ClassVar[tuple[attrs.Attribute[Any], ...]]

    def __reduce__(self) -> tuple[type[Self], tuple[object, ...]]:
        # One tuple per level (attrs' default adds a dict): pickling recurses less, and an
        # unpickled node checks its depth again.
        return type(self), tuple([getattr(self, a.name) for a in self.__attrs_attrs__ if a.init])

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: object) -> Self:
        return self


# Each node keeps its OData text (unparenthesised), its binding strength and its depth; they
# are not part of its value. The __init__s are written out (attrs' runs a factory for the
# depth); the frequent nodes set their slots through slot_setters(), the rare ones with _set.


@attrs.frozen(init=False)
class Prop(_Node):
    """A property path on the wire, e.g. ``isTerminated`` or ``keyForm/imageUrl``."""

    path: str
    text: str = attrs.field(init=False, eq=False, repr=False)
    level: ClassVar[int] = _ATOM
    depth: ClassVar[int] = 0

    def __init__(self, path: str) -> None:
        _set(self, "path", path)
        _set(self, "text", path)


@attrs.frozen(init=False)
class Literal(_Node):
    """A value, already encoded by literal(); equality and hashing use the text only."""

    text: str
    value: object = attrs.field(default=None, eq=False, repr=False)
    level: ClassVar[int] = _ATOM
    depth: ClassVar[int] = 0

    def __init__(self, text: str, value: object = None) -> None:
        set_text, set_value = _LITERAL
        set_text(self, text)
        set_value(self, value)


@attrs.frozen(init=False)
class Compare(_Node):
    """``left op right`` for eq, ne, lt, le, gt, ge."""

    op: CompareOp
    left: Node
    right: Node
    depth: int = attrs.field(init=False, eq=False, repr=False)
    text: str = attrs.field(init=False, eq=False, repr=False)
    level: int = attrs.field(init=False, eq=False, repr=False)

    def __init__(self, op: CompareOp, left: Node, right: Node) -> None:
        _init_binary(self, op, left, right)


@attrs.frozen(init=False)
class In(_Node):
    """``left in (v1,v2,...)``: at least two values (one is rendered as ``eq``)."""

    left: Node
    values: tuple[Literal, ...]
    depth: int = attrs.field(init=False, eq=False, repr=False)
    text: str = attrs.field(init=False, eq=False, repr=False)
    level: ClassVar[int] = _IN

    def __init__(self, left: Node, values: tuple[Literal, ...]) -> None:
        _set(self, "left", left)
        _set(self, "values", values)
        _set(self, "depth", _checked(left.depth + 1))
        items = ",".join(map(_text_of, values))
        _set(self, "text", f"{render(left, _IN + 1)} in ({items})")


@attrs.frozen(init=False)
class BoolOp(_Node):
    """``left and right`` / ``left or right`` (binary, like the OData grammar)."""

    op: BoolOpName
    left: Node
    right: Node
    depth: int = attrs.field(init=False, eq=False, repr=False)
    text: str = attrs.field(init=False, eq=False, repr=False)
    level: int = attrs.field(init=False, eq=False, repr=False)

    def __init__(self, op: BoolOpName, left: Node, right: Node) -> None:
        _init_binary(self, op, left, right)


@attrs.frozen(init=False)
class Not(_Node):
    """``not operand``."""

    operand: Node
    depth: int = attrs.field(init=False, eq=False, repr=False)
    text: str = attrs.field(init=False, eq=False, repr=False)
    level: ClassVar[int] = _NOT

    def __init__(self, operand: Node) -> None:
        _set(self, "operand", operand)
        _set(self, "depth", _checked(operand.depth + 1))
        _set(self, "text", f"not {render(operand, _NOT)}")


@attrs.frozen(init=False)
class Call(_Node):
    """A canonical OData function call, e.g. ``contains(name,'x')``."""

    name: FunctionName
    args: tuple[Node, ...]
    depth: int = attrs.field(init=False, eq=False, repr=False)
    text: str = attrs.field(init=False, eq=False, repr=False)
    level: ClassVar[int] = _ATOM

    def __init__(self, name: FunctionName, args: tuple[Node, ...]) -> None:
        set_name, set_args, set_depth, set_text = _CALL
        set_name(self, name)
        set_args(self, args)
        depth = 0
        for arg in args:
            if arg.depth > depth:
                depth = arg.depth
        depth += 1
        if depth > MAX_DEPTH:
            _too_deep(depth)
        set_depth(self, depth)
        set_text(self, f"{name}({','.join(map(_text_of, args))})")


@attrs.frozen(init=False)
class Raw(_Node):
    """Hand-written OData text, passed through unchanged (the escape hatch)."""

    text: str
    level: ClassVar[int] = _RAW
    depth: ClassVar[int] = 0

    def __init__(self, text: str) -> None:
        _set(self, "text", text)


Node: typing.TypeAlias = Prop | Literal | Compare | In | BoolOp | Not | Call | Raw


_LITERAL: Final = slot_setters(Literal, "text", "value")


def _init_binary(node: Compare | BoolOp, op: str, left: Node, right: Node) -> None:
    """Set the fields of a Compare or BoolOp, its depth (checked) and its OData text."""
    level = PRECEDENCE[op]
    depth = (left.depth if left.depth > right.depth else right.depth) + 1
    if depth > MAX_DEPTH:
        _too_deep(depth)
    set_op, set_left, set_right, set_depth, set_level, set_text = _BINARY[type(node)]
    set_op(node, op)
    set_left(node, left)
    set_right(node, right)
    set_depth(node, depth)
    set_level(node, level)
    # Left-associative: an equal-precedence right operand needs parentheses.
    lhs = left.text if left.level >= level else f"({left.text})"
    rhs = right.text if right.level > level else f"({right.text})"
    set_text(node, f"{lhs} {op} {rhs}")


_BINARY: Final = {
    cls: slot_setters(cls, "op", "left", "right", "depth", "level", "text")
    for cls in (Compare, BoolOp)
}
_CALL: Final = slot_setters(Call, "name", "args", "depth", "text")


def render(node: Node, minimum: int = _RAW) -> str:
    """Return the OData text of an expression (not yet percent-encoded).

    The text is parenthesised when the node binds less tightly than ``minimum``, the binding
    strength its place needs.
    """
    return node.text if node.level >= minimum else f"({node.text})"
