"""literal(): the one place a Python value becomes OData literal text."""

from __future__ import annotations

import enum
import math
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from decimal import Decimal

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
_MICROS_PER_DAY: Final = 86_400_000_000


def literal(value: object) -> str:
    """Return the OData (V4 URL) literal for a Python value, or raise TypeError/ValueError."""
    encode = _BY_TYPE.get(type(value))
    if encode is not None:
        return encode(value)
    # Subclasses (enum members first: an IntEnum is also an int), checked in a safe order.
    if isinstance(value, enum.Enum):
        return _enum(value)
    for kind, encode in _BY_TYPE.items():
        if isinstance(value, kind):
            return encode(value)
    # A Decimal exists only once its module is imported (by the caller): this module does not
    # import it, which keeps about 8 ms off `import flinkey_async`.
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(value, decimal.Decimal):
        return _decimal(value)
    raise TypeError(
        f"cannot use a {type(value).__name__} as an OData literal; pass str, int, float, "
        "Decimal, bool, None, an aware datetime, date, time, timedelta, uuid.UUID or an Enum"
    )


def _null(_: Any) -> str:
    return "null"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _int(value: int) -> str:
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"{value} is outside the Edm.Int64 range; pass a Decimal instead")
    return str(int(value))


def _float(value: float) -> str:
    if math.isfinite(value):
        # repr() round-trips exactly; drop the exponent's "+" (allowed, but noise on the wire).
        return repr(float(value)).replace("e+", "e")
    if math.isnan(value):
        return "NaN"
    return "INF" if value > 0 else "-INF"


def _decimal(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"Decimal {value} has no OData literal; use a float for NaN/INF")
    return format(value, "f")  # plain digits, never an exponent


def _str(value: str) -> str:
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("the string is not valid Unicode (lone surrogate)") from None
    return "'" + value.replace("'", "''") + "'"


def _datetime(value: datetime) -> str:
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(
            f"naive datetime {value.isoformat()} is ambiguous; attach a timezone, "
            "e.g. value.replace(tzinfo=datetime.UTC) or value.astimezone()"
        )
    if offset % timedelta(minutes=1):
        value = value.astimezone(UTC)  # OData offsets are whole minutes
        offset = timedelta(0)
    text = value.isoformat()
    return text[:-6] + "Z" if not offset else text


def _date(value: date) -> str:
    return value.isoformat()


def _time(value: time) -> str:
    if value.tzinfo is not None:
        raise ValueError("Edm.TimeOfDay has no offset; pass a naive time")
    return value.isoformat()


def _duration(value: timedelta) -> str:
    micros = value // timedelta(microseconds=1)
    sign = "-" if micros < 0 else ""
    days, rest = divmod(abs(micros), _MICROS_PER_DAY)
    seconds, fraction = divmod(rest, 1_000_000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{sign}P{days}D" if days else f"{sign}P"
    clock = f"{hours}H" if hours else ""
    clock += f"{minutes}M" if minutes else ""
    if seconds or fraction or not (days or clock):
        clock += f"{seconds}.{fraction:06d}".rstrip("0").rstrip(".") + "S"
    return f"duration'{text}{'T' + clock if clock else ''}'"


def _uuid(value: uuid.UUID) -> str:
    return str(value)


def _enum(value: enum.Enum) -> str:
    return literal(value.value)


# Exact types for the fast path; the order also matters for subclasses (bool before int,
# datetime before date).
_BY_TYPE: Final[dict[type[Any], Callable[[Any], str]]] = {
    str: _str,
    type(None): _null,
    bool: _bool,
    int: _int,
    float: _float,
    datetime: _datetime,
    date: _date,
    time: _time,
    timedelta: _duration,
    uuid.UUID: _uuid,
}
