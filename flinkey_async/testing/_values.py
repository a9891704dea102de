"""OData values in the fake: comparing literals with JSON row values, functions, durations."""

from __future__ import annotations

import operator
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

_DURATION: Final = re.compile(
    r"(-)?P(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,12}(?:\.\d{1,12})?)S)?)?"
)
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


def call(name: str, args: list[Any]) -> Any:
    """Return the value of an OData function call (null in, null out)."""
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


def compare(op: str, left: Any, right: Any) -> bool:
    """Compare two values as ASP.NET Core OData does (null equals only null)."""
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
    """Return the exact timedelta of an OData duration (days, hours, minutes, seconds).

    A duration too long for a timedelta (or with absurdly many digits) is refused with 400.
    """
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ODataError(f"'{text[:40]}' is not a valid duration (only D, H, M, S are supported).")
    sign, days, hours, minutes, seconds = match.groups()
    try:
        micros = int(Decimal(seconds or 0) * 1_000_000)
        delta = timedelta(
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            microseconds=micros,
        )
    except OverflowError:
        raise ODataError(f"The duration '{text}' is out of range.") from None
    return -delta if sign else delta
