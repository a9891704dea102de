"""Structure hooks for flinkey's JSON primitives: strict types, aware date-times, open enums."""

from datetime import UTC, datetime
from typing import Any

from ._model import OpenEnum


def strict_int(value: Any, _: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)  # ids are documented as JSON "number"; 1.0 is tolerated
    raise TypeError(f"expected an integer, got {json_type(value)}")


def strict_str(value: Any, _: Any) -> str:
    if type(value) is str:
        return value
    raise TypeError(f"expected a string, got {json_type(value)}")


def strict_bool(value: Any, _: Any) -> bool:
    if type(value) is bool:
        return value
    raise TypeError(f"expected true or false, got {json_type(value)}")


def strict_float(value: Any, _: Any) -> float:
    if type(value) in (int, float):
        return float(value)
    raise TypeError(f"expected a number, got {json_type(value)}")


def enum_member(value: Any, cl: type[OpenEnum]) -> OpenEnum:
    if type(value) not in (str, int):
        raise TypeError(f"expected an enum value, got {json_type(value)}")
    return cl(value)


def int_from_text(value: Any) -> int:
    """Read an id that flinkey sends either as a number or as a string of digits."""
    if type(value) is str and 0 < len(value) <= 10 and value.isascii() and value.isdigit():
        return int(value)
    return strict_int(value, int)


def local_datetime(value: Any) -> datetime:
    """Read a date-time as sent: aware when it carries an offset, naive (local) when not."""
    if type(value) is not str:
        raise TypeError(f"expected a date-time string, got {json_type(value)}")
    return datetime.fromisoformat(value)


def aware_datetime(value: Any, _: Any) -> datetime:
    if type(value) is not str:
        raise TypeError(f"expected a date-time string, got {json_type(value)}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("expected an ISO 8601 date-time") from None  # the value stays unsaid
    # flinkey documents date-times in UTC; a value without an offset is read as UTC.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def json_type(value: object) -> str:
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    return names.get(type(value), "an array" if isinstance(value, list) else "an object")
