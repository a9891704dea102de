"""The fake server's $filter evaluator: odata-query parses, this walks the tree over a row."""

from __future__ import annotations

import operator
import re
import uuid
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs

JSON = dict[str, Any]
MISSING_PARSER: Final = (
    "The fake flinkey server needs the 'odata-query' package to evaluate $filter and "
    "$orderby: pip install 'flinkey-async[testing]'"
)
_DURATION: Final = re.compile(r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")
_COMPARE: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "Eq": operator.eq,
    "NotEq": operator.ne,
    "Lt": operator.lt,
    "LtE": operator.le,
    "Gt": operator.gt,
    "GtE": operator.ge,
}
_DATE_PARTS: Final = ("year", "month", "day", "hour", "minute", "second")


class ODataError(Exception):
    """A query the fake refuses: 400 like ASP.NET Core OData, or 501 for what it lacks."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@attrs.frozen
class Entity:
    """The rows' type: its name (for messages) and its wire property names.

    ``extra`` lists further names (keys a test seeded into the rows); it is only called for a
    name the model does not have, so large collections are not scanned on every request.
    """

    name: str
    properties: Collection[str]
    extra: Callable[[], Collection[str]] = tuple

    def check(self, name: str) -> str:
        """Return a known property name, or raise the error ASP.NET Core OData gives."""
        if name not in self.properties and name not in self.extra():
            raise ODataError(
                "The query specified in the URI is not valid. "
                f"Could not find a property named '{name}' on type 'Flinkey.{self.name}'."
            )
        return name


def parse_filter(text: str) -> Any:
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
    result = evaluate(node, row, entity)
    if result is not None and not isinstance(result, bool):
        raise ODataError("The $filter expression must evaluate to a single boolean value.")
    return result is True


def evaluate(node: Any, row: JSON, entity: Entity) -> Any:
    from odata_query import ast

    kind = type(node).__name__
    if isinstance(node, ast.Identifier):
        if not node.namespace and node.name in ("NaN", "INF"):
            return float(node.name.lower())  # odata-query lexes these as names
        if node.namespace:
            raise ODataError(f"Unknown name '{_dotted(node)}'.")
        return row.get(entity.check(node.name))
    if isinstance(node, ast.Duration):
        return parse_duration(node.val)
    if isinstance(node, ast.Float):
        return float(node.val)
    if isinstance(node, ast.Null | ast.Integer | ast.Boolean | ast.String | ast.GUID):
        return node.py_val
    if isinstance(node, ast.Date | ast.Time | ast.DateTime):
        return node.py_val
    if isinstance(node, ast.UnaryOp):
        value = evaluate(node.operand, row, entity)
        if isinstance(node.op, ast.Not):
            return None if value is None else not _boolean(value)
        return None if value is None else -value
    if isinstance(node, ast.BoolOp):
        left = _boolean(evaluate(node.left, row, entity))
        right = _boolean(evaluate(node.right, row, entity))
        return (left and right) if isinstance(node.op, ast.And) else (left or right)
    if isinstance(node, ast.Compare):
        left = evaluate(node.left, row, entity)
        if isinstance(node.comparator, ast.In):
            items: list[Any] = getattr(node.right, "val", [])
            values = [evaluate(item, row, entity) for item in items]
            return any(_compare("Eq", left, value) for value in values)
        return _compare(type(node.comparator).__name__, left, evaluate(node.right, row, entity))
    if isinstance(node, ast.Call):
        args = [evaluate(arg, row, entity) for arg in node.args]
        return _call(_dotted(node.func), args)
    raise ODataError(f"The fake flinkey server does not evaluate {kind} nodes.", status=501)


def _dotted(identifier: Any) -> str:
    return ".".join((*identifier.namespace, identifier.name))


def _boolean(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ODataError("A binary operator with incompatible types was detected.")
    return value


def _call(name: str, args: list[Any]) -> Any:
    if any(arg is None for arg in args):
        return None
    if name in ("contains", "startswith", "endswith"):
        text, part = (_text(arg, name) for arg in args)
        test = {"contains": str.__contains__, "startswith": str.startswith}.get(name)
        return (test or str.endswith)(text, part)
    if name in ("tolower", "toupper"):
        text = _text(args[0], name)
        return text.lower() if name == "tolower" else text.upper()
    if name in _DATE_PARTS:
        value = _temporal(args[0])
        if not hasattr(value, name):
            raise ODataError(f"No function signature for '{name}' matches the argument.")
        return getattr(value, name)
    raise ODataError(f"The fake flinkey server does not support the function '{name}'.", 501)


def _text(value: Any, function: str) -> str:
    if not isinstance(value, str):
        raise ODataError(f"No function signature for '{function}' matches the arguments.")
    return value


def _temporal(value: Any) -> Any:
    if isinstance(value, str):
        for parse in (_parse_datetime, date.fromisoformat, time.fromisoformat):
            try:
                return parse(value)
            except ValueError:
                continue
    return value


def _parse_datetime(text: str) -> datetime:
    if "T" not in text:
        raise ValueError(text)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return _COMPARE[op](left is None, right is None) if op in ("Eq", "NotEq") else False
    left, right = _coerce(left, right), _coerce(right, left)
    if _kind(left) != _kind(right):
        raise ODataError("A binary operator with incompatible types was detected.")
    return _COMPARE[op](left, right)


def _coerce(value: Any, other: Any) -> Any:
    """Read a JSON string as the type of the literal it is compared with."""
    if not isinstance(value, str) or isinstance(other, str):
        return value
    try:
        if isinstance(other, datetime):
            return _parse_datetime(value)
        if isinstance(other, date):
            return date.fromisoformat(value)
        if isinstance(other, time):
            return time.fromisoformat(value)
        if isinstance(other, uuid.UUID):
            return uuid.UUID(value)
        if isinstance(other, timedelta):
            return parse_duration(value)
    except (ValueError, ODataError):
        pass
    return value


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float | Decimal):
        return "number"
    if isinstance(value, datetime):
        return "datetime"
    return type(value).__name__


def parse_duration(text: str) -> timedelta:
    """Return the exact timedelta of an OData duration (days, hours, minutes, seconds)."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ODataError(f"'{text}' is not a valid duration (only D, H, M, S are supported).")
    sign, days, hours, minutes, seconds = match.groups()
    micros = int(Decimal(seconds or 0) * 1_000_000)
    delta = timedelta(
        days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0), microseconds=micros
    )
    return -delta if sign else delta
