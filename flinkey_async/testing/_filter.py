"""The fake server's $filter evaluator: odata-query parses, this walks the tree over a row.

The walk uses an explicit stack, so no filter, however deep, can exhaust Python's recursion
limit; oversized literals and nesting are refused with 400 before they can cost anything.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, Final

import attrs

from ._values import ODataError, call, compare, parse_duration

JSON = dict[str, Any]
MISSING_PARSER: Final = (
    "The fake flinkey server needs the 'odata-query' package to evaluate $filter and "
    "$orderby: pip install 'flinkey-async[testing]'"
)
MAX_DEPTH: Final = 800
"""Nesting refused beyond this depth (Microsoft.OData's default FilterLimit/OrderByLimit)."""
MSG_TOO_DEEP: Final = (
    "The query specified in the URI is not valid. Recursion depth exceeded allowed limit."
)
_MAX_DIGITS: Final = 40


@attrs.frozen
class Entity:
    """The rows' type: its name (for messages), wire property names, and complex properties.

    ``extra`` lists further names (keys a test seeded into the rows); it is only called for a
    name the model does not have, so large collections are not scanned on every request.
    ``nested`` holds the entity of each property whose value is an object (``keyForm``).
    """

    name: str
    properties: Collection[str]
    extra: Callable[[], Collection[str]] = tuple
    nested: Mapping[str, Entity] = attrs.field(factory=dict)

    def check(self, name: str) -> str:
        """Return a known property name, or raise the error ASP.NET Core OData gives."""
        if name not in self.properties and name not in self.extra():
            raise ODataError(
                "The query specified in the URI is not valid. "
                f"Could not find a property named '{name}' on type 'Flinkey.{self.name}'."
            )
        return name

    def part(self, name: str) -> Entity:
        """Return the entity of a complex property, or refuse a path through a plain one."""
        nested = self.nested.get(self.check(name))
        if nested is None:
            # The fake's wording: flinkey's answer to a path through a plain property is unknown.
            raise ODataError(
                "The query specified in the URI is not valid. "
                f"The property '{name}' on type 'Flinkey.{self.name}' has no properties."
            )
        return nested


def check_depth(text: str) -> None:
    """Refuse parentheses nested deeper than MAX_DEPTH (outside string literals)."""
    depth, quoted = 0, False
    for char in text:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise ODataError(MSG_TOO_DEEP)
        elif not quoted and char == ")":
            depth -= 1


def parse_filter(text: str) -> Any:
    """Parse a $filter (or $orderby) expression with odata-query, refusing what it cannot."""
    check_depth(text)
    try:
        from odata_query import exceptions
        from odata_query.grammar import ODataLexer, ODataParser
    except ImportError:
        raise ODataError(MISSING_PARSER, status=501) from None
    try:
        return ODataParser().parse(ODataLexer().tokenize(text))
    except exceptions.ODataException as exc:
        raise ODataError(f"The query specified in the URI is not valid. {exc}") from exc


def matches(node: Any, row: JSON, entity: Entity) -> bool:
    """Whether a row passes a parsed $filter."""
    result = evaluate(node, row, entity)
    if result is not None and not isinstance(result, bool):
        raise ODataError("The $filter expression must evaluate to a single boolean value.")
    return result is True


def evaluate(root: Any, row: JSON, entity: Entity) -> Any:
    """Return the value of a parsed expression for one row (children first, on a stack)."""
    values: list[Any] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        children = _children(node)
        if children and not ready:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(children))
            continue
        args = values[len(values) - len(children) :] if children else []
        del values[len(values) - len(children) :]
        values.append(_apply(node, args, row, entity))
    return values[0]


def _children(node: Any) -> list[Any]:
    from odata_query import ast

    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.BoolOp):
        return [node.left, node.right]
    if isinstance(node, ast.Compare):
        if isinstance(node.comparator, ast.In):
            return [node.left, *getattr(node.right, "val", [])]
        return [node.left, node.right]
    if isinstance(node, ast.Call):
        return list(node.args)
    return []


def _apply(node: Any, args: list[Any], row: JSON, entity: Entity) -> Any:
    from odata_query import ast

    if isinstance(node, ast.Identifier | ast.Attribute):
        return _property(node, row, entity)
    if isinstance(node, ast.Integer | ast.Float) and len(node.val) > _MAX_DIGITS:
        raise ODataError(
            f"The query specified in the URI is not valid. '{node.val[:20]}...' is out of range."
        )
    if isinstance(node, ast.Duration):
        return parse_duration(node.val)
    if isinstance(node, ast.Float):
        return float(node.val)
    if isinstance(node, ast.Null | ast.Integer | ast.Boolean | ast.String | ast.GUID):
        return node.py_val
    if isinstance(node, ast.Date | ast.Time | ast.DateTime):
        try:
            return node.py_val
        except (ValueError, OverflowError):
            raise ODataError(
                "The query specified in the URI is not valid. "
                f"'{node.val}' is not a valid date or time."
            ) from None
    if isinstance(node, ast.UnaryOp):
        (value,) = args
        if isinstance(node.op, ast.Not):
            return None if value is None else not _boolean(value)
        return None if value is None else -value
    if isinstance(node, ast.BoolOp):
        left, right = (_boolean(arg) for arg in args)
        return (left and right) if isinstance(node.op, ast.And) else (left or right)
    if isinstance(node, ast.Compare):
        left, *rest = args
        if isinstance(node.comparator, ast.In):
            return any(compare("Eq", left, value) for value in rest)
        return compare(type(node.comparator).__name__, left, rest[0])
    if isinstance(node, ast.Call):
        return call(_dotted(node.func), args)
    kind = type(node).__name__
    raise ODataError(f"The fake flinkey server does not evaluate {kind} nodes.", status=501)


def _property(node: Any, row: JSON, entity: Entity) -> Any:
    """Read a property, or a path through complex properties (``keyForm/name``)."""
    from odata_query import ast

    path: list[str] = []
    while isinstance(node, ast.Attribute):
        path.append(node.attr)
        node = node.owner
    if node.namespace:
        raise ODataError(f"Unknown name '{_dotted(node)}'.")
    if not path and node.name in ("NaN", "INF"):
        return float(node.name.lower())  # odata-query lexes these as names
    path.append(node.name)
    value: Any = row
    for name in reversed(path[1:]):
        entity = entity.part(name)
        value = value.get(name) if isinstance(value, dict) else None
    return value.get(entity.check(path[0])) if isinstance(value, dict) else None


def _dotted(identifier: Any) -> str:
    return ".".join((*identifier.namespace, identifier.name))


def _boolean(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ODataError("A binary operator with incompatible types was detected.")
    return value
