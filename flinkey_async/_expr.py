"""The filter AST (plain frozen nodes with structural equality) and render(), its OData text."""

from __future__ import annotations

import typing
from typing import Any, ClassVar, Final, Self, assert_never

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

MAX_DEPTH: Final = 200
"""How many levels a condition may nest (each operator, function or ``~`` adds one).

Deeper trees are refused when built. Servers refuse far smaller ones (ASP.NET Core OData allows
100 nodes in a $filter by default), and equality, hashing, repr and pickling of the frozen nodes
recurse (at most three frames per level): the cap keeps each of them far below Python's
recursion limit. render() recurses too; several filter() calls are joined without nesting.
"""


def _checked(depth: int) -> int:
    if depth > MAX_DEPTH:
        raise ValueError(
            f"this condition nests {depth} levels deep, more than the {MAX_DEPTH} allowed; "
            "use in_() for many values of one field, or several filter() calls (joined flat)"
        )
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


@attrs.frozen
class Prop(_Node):
    """A property path on the wire, e.g. ``isTerminated`` or ``keyForm/imageUrl``."""

    path: str
    depth: ClassVar[int] = 0


@attrs.frozen
class Literal(_Node):
    """A value, already encoded by literal(); equality and hashing use the text only."""

    text: str
    value: object = attrs.field(default=None, eq=False, repr=False)
    depth: ClassVar[int] = 0


@attrs.frozen
class Compare(_Node):
    """``left op right`` for eq, ne, lt, le, gt, ge."""

    op: CompareOp
    left: Node
    right: Node
    depth: int = attrs.field(init=False, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return _checked(max(self.left.depth, self.right.depth) + 1)


@attrs.frozen
class In(_Node):
    """``left in (v1,v2,...)``: at least two values (one is rendered as ``eq``)."""

    left: Node
    values: tuple[Literal, ...]
    depth: int = attrs.field(init=False, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return _checked(self.left.depth + 1)


@attrs.frozen
class BoolOp(_Node):
    """``left and right`` / ``left or right`` (binary, like the OData grammar)."""

    op: BoolOpName
    left: Node
    right: Node
    depth: int = attrs.field(init=False, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return _checked(max(self.left.depth, self.right.depth) + 1)


@attrs.frozen
class Not(_Node):
    """``not operand``."""

    operand: Node
    depth: int = attrs.field(init=False, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return _checked(self.operand.depth + 1)


@attrs.frozen
class Call(_Node):
    """A canonical OData function call, e.g. ``contains(name,'x')``."""

    name: FunctionName
    args: tuple[Node, ...]
    depth: int = attrs.field(init=False, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return _checked(max([arg.depth for arg in self.args], default=0) + 1)


@attrs.frozen
class Raw(_Node):
    """Hand-written OData text, passed through unchanged (the escape hatch)."""

    text: str
    depth: ClassVar[int] = 0


Node: typing.TypeAlias = Prop | Literal | Compare | In | BoolOp | Not | Call | Raw

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


def render(node: Node, minimum: int = _RAW) -> str:
    """Return the OData text of an expression (not yet percent-encoded).

    The text is parenthesised when the node binds less tightly than ``minimum``, the binding
    strength its place needs. The recursion is bounded by MAX_DEPTH.
    """
    # An isinstance() chain, most frequent first: measurably faster than a match statement.
    if isinstance(node, Prop):
        return node.path  # atoms are never parenthesised
    if isinstance(node, Literal):
        return node.text
    if isinstance(node, Compare | BoolOp):
        level = PRECEDENCE[node.op]
        # Both are left-associative: an equal-precedence right operand needs parentheses.
        text = f"{render(node.left, level)} {node.op} {render(node.right, level + 1)}"
    elif isinstance(node, Call):
        return f"{node.name}({','.join([render(arg) for arg in node.args])})"
    elif isinstance(node, In):
        level = PRECEDENCE["in"]
        items = ",".join([value.text for value in node.values])
        text = f"{render(node.left, level + 1)} in ({items})"
    elif isinstance(node, Not):
        level = PRECEDENCE["not"]
        text = f"not {render(node.operand, level)}"
    elif isinstance(node, Raw):
        level = _RAW
        text = node.text
    else:
        assert_never(node)
    return text if level >= minimum else f"({text})"
