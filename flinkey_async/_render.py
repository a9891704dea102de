"""render(): turn a filter AST into OData text, with parentheses exactly where needed."""

from __future__ import annotations

from typing import Final, assert_never

from ._expr import BoolOp, Call, Compare, In, Literal, Node, Not, Prop, Raw

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
_ATOM: Final = 9


def render(node: Node) -> str:
    """Return the OData text of an expression (not yet percent-encoded)."""
    match node:
        case Prop(path=path):
            return path
        case Literal(text=text):
            return text
        case Call(name=name, args=args):
            return f"{name}({','.join(render(arg) for arg in args)})"
        case Compare(op=op, left=left, right=right) | BoolOp(op=op, left=left, right=right):
            level = PRECEDENCE[op]
            # Both are left-associative: an equal-precedence right operand needs parentheses.
            return f"{_operand(left, level)} {op} {_operand(right, level + 1)}"
        case In(left=left, values=values):
            items = ",".join(value.text for value in values)
            return f"{_operand(left, PRECEDENCE['in'] + 1)} in ({items})"
        case Not(operand=operand):
            return f"not {_operand(operand, PRECEDENCE['not'])}"
        case Raw(text=text):
            return text
        case _:
            assert_never(node)


def precedence(node: Node) -> int:
    """Return how tightly a node binds (atoms highest, raw text lowest)."""
    match node:
        case Compare(op=op) | BoolOp(op=op):
            return PRECEDENCE[op]
        case In():
            return PRECEDENCE["in"]
        case Not():
            return PRECEDENCE["not"]
        case Raw():
            return _RAW
        case Prop() | Literal() | Call():
            return _ATOM
        case _:
            assert_never(node)


def _operand(node: Node, minimum: int) -> str:
    text = render(node)
    return text if precedence(node) >= minimum else f"({text})"
