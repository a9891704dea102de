"""The one realistic payload every benchmark row uses, and the hand-written attrs baseline.

A row carries the six modelled Service fields, with the nullable ones populated in most rows
(productId in 9 of 10, the termination fields in 1 of 4, with offsets and fractions in the
date-times), plus 4 fields this SDK does not model, as a newer server would send them (one
of them a nested object). Generation is deterministic: the server process and the client
process build the same rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

import orjson

from flinkey_async import Service

FIRST_ID: Final = 100_000
EXTRA_FIELDS: Final = ("createdAt", "licensePlate", "fleetId", "telematics")
_CAUSES: Final = ("Contract ended", "Vehicle sold", "Customer request: O'Brien & Sons")
_OFFSETS: Final = ("Z", "+01:00", "+02:00", "-05:00")


def row(service_id: int) -> dict[str, Any]:
    """Return the wire row (camelCase JSON object) of one service."""
    n = service_id - FIRST_ID
    terminated = n % 4 == 3
    month, day, hour = 1 + n % 12, 1 + n % 28, n % 24
    return {
        "id": service_id,
        "name": f"Fleet {n % 97:02d} car {service_id} (Köln)",
        "isTerminated": terminated,
        "terminationDate": (
            f"2025-{month:02d}-{day:02d}T{hour:02d}:30:00.{n % 1000:03d}{_OFFSETS[n % 4]}"
            if terminated
            else None
        ),
        "terminationCause": _CAUSES[n % 3] if terminated else None,
        "productId": 500_000 + n if n % 10 else None,
        # Not modelled by this SDK version: a newer server's additions.
        "createdAt": f"2024-{month:02d}-{day:02d}T08:{n % 60:02d}:00Z",
        "licensePlate": f"K-FL {1000 + n % 9000}",
        "fleetId": 7_000 + n % 50,
        "telematics": {"provider": "flinkey", "firmware": f"3.{n % 9}.1", "online": n % 2 == 0},
    }


def rows(count: int, start: int = FIRST_ID) -> list[dict[str, Any]]:
    """Return `count` rows with consecutive ids from `start`."""
    return [row(start + i) for i in range(count)]


def body(count: int) -> bytes:
    """Return a JSON array of `count` rows, as GET /services answers."""
    return orjson.dumps(rows(count))


def _fail(what: str, value: object) -> TypeError:
    return TypeError(f"expected {what}, got {type(value).__name__}")


def service_from_row(o: Any) -> Service:
    """Build a Service by hand from one decoded JSON object, as a careful user would.

    Exactly what it checks: the row is a dict; id (int), name (str) and isTerminated (bool)
    are present and of that exact type; terminationDate, terminationCause and productId may
    be absent or null, else must be a str parsed with datetime.fromisoformat (naive read as
    UTC), a str, an int. Unknown keys are ignored. Any violation raises KeyError/TypeError/
    ValueError (no JSON path, unlike the SDK). The same `Service` class the SDK returns.
    """
    if type(o) is not dict:
        raise _fail("an object", o)
    id_, name, terminated = o["id"], o["name"], o["isTerminated"]
    if type(id_) is not int:
        raise _fail("an int id", id_)
    if type(name) is not str:
        raise _fail("a str name", name)
    if type(terminated) is not bool:
        raise _fail("a bool isTerminated", terminated)
    date = o.get("terminationDate")
    if date is not None:
        if type(date) is not str:
            raise _fail("a date-time string", date)
        date = datetime.fromisoformat(date)
        if date.tzinfo is None:
            date = date.replace(tzinfo=UTC)
    cause = o.get("terminationCause")
    if cause is not None and type(cause) is not str:
        raise _fail("a str terminationCause", cause)
    product_id = o.get("productId")
    if product_id is not None and type(product_id) is not int:
        raise _fail("an int productId", product_id)
    return Service(id_, name, terminated, date, cause, product_id)


def services_from_json(data: Any) -> list[Service]:
    """Build the Services of a decoded JSON array by hand (the array itself is checked)."""
    if type(data) is not list:
        raise _fail("an array", data)
    return [service_from_row(o) for o in data]


def check_services(services: list[Any], count: int, start: int = FIRST_ID) -> None:
    """Fail unless `services` are the Services of rows(count, start) (checks a sample)."""
    if len(services) != count:
        raise AssertionError(f"got {len(services)} services, expected {count}")
    for i in {0, 1, 3, count // 2, count - 1} if count else ():
        expected = service_from_row(row(start + i))
        if services[i] != expected:
            raise AssertionError(f"item {i}: {services[i]!r} != {expected!r}")
