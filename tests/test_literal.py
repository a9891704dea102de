"""literal(): the exact OData text for every kind of Python value, and the refusals."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from flinkey_async import ProductType, literal


class Level(enum.IntEnum):
    """An int-valued enum: its value is used, not its name."""

    HIGH = 3


class Nested(enum.Enum):
    """An enum whose value is another enum member."""

    BOX = ProductType.FLINKEY_BOX


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "'plain'"),
        ("O'Brien", "'O''Brien'"),
        ("''", "''''''"),
        ("", "''"),
        ("100% & + # ? /", "'100% & + # ? /'"),
        ("Köln ✓", "'Köln ✓'"),
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-42, "-42"),
        (2**63 - 1, "9223372036854775807"),
        (-(2**63), "-9223372036854775808"),
        (1.0, "1.0"),
        (-0.0, "-0.0"),
        (0.1, "0.1"),
        (1e16, "1e16"),
        (1.5e-7, "1.5e-07"),
        (1.7976931348623157e308, "1.7976931348623157e308"),
        (float("nan"), "NaN"),
        (float("inf"), "INF"),
        (float("-inf"), "-INF"),
        (Decimal("12.50"), "12.50"),
        (Decimal("1E+3"), "1000"),
        (Decimal("-1.5E-7"), "-0.00000015"),
        (Decimal(2**70), "1180591620717411303424"),
        (datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), "2025-01-02T03:04:05Z"),
        (
            datetime(2025, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=2))),
            "2025-01-02T03:04:00+02:00",
        ),
        (
            datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=timezone(-timedelta(hours=9, minutes=30))),
            "2025-01-02T03:04:05.000006-09:30",
        ),
        # Offsets with seconds cannot be written in OData: the instant is sent in UTC.
        (
            datetime(2025, 1, 1, 0, 0, 30, tzinfo=timezone(timedelta(seconds=30))),
            "2025-01-01T00:00:00Z",
        ),
        (date(2024, 2, 29), "2024-02-29"),
        (time(8, 30), "08:30:00"),
        (time(23, 59, 59, 500000), "23:59:59.500000"),
        (timedelta(0), "duration'PT0S'"),
        (timedelta(days=1, hours=2, minutes=3, seconds=4), "duration'P1DT2H3M4S'"),
        (timedelta(days=3), "duration'P3D'"),
        (timedelta(microseconds=1), "duration'PT0.000001S'"),
        (-timedelta(seconds=1.5), "duration'-PT1.5S'"),
        (timedelta(days=-1), "duration'-P1D'"),
        (
            uuid.UUID("01234567-89ab-cdef-0123-456789abcdef"),
            "01234567-89ab-cdef-0123-456789abcdef",
        ),
        (ProductType.FLINKEY_IQ, "'flinkey IQ'"),
        (ProductType("flinkey Future"), "'flinkey Future'"),
        (Level.HIGH, "3"),
        (Nested.BOX, "'flinkey Box'"),
    ],
)
def test_literal_text(value: object, text: str) -> None:
    """Each value kind renders as the OData ABNF literal (quotes doubled, no exponent surprises)."""
    assert literal(value) == text


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (datetime(2025, 1, 1), ValueError, "naive datetime"),
        (time(1, 2, tzinfo=UTC), ValueError, "no offset"),
        (Decimal("NaN"), ValueError, "no OData literal"),
        (Decimal("-Infinity"), ValueError, "no OData literal"),
        (2**63, ValueError, "Edm.Int64"),
        ("\ud800", ValueError, "surrogate"),
        (b"bytes", TypeError, "bytes"),
        ([1, 2], TypeError, "list"),
        (object(), TypeError, "object"),
    ],
)
def test_literal_refuses(value: object, error: type[Exception], message: str) -> None:
    """Values with no faithful OData literal are refused with a clear message."""
    with pytest.raises(error, match=message):
        literal(value)
