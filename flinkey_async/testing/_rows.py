"""Generated wire rows for bulk data (paging tests, benchmarks): cheap, varied, deterministic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

JSON = dict[str, Any]

DEFAULT_CAR: Final = 1001
"""The car generated assignments and events belong to unless given (the seed's first car)."""
DEFAULT_USER: Final = 3001
"""The user generated assignments and events name unless given (the seed's first user)."""
_EPOCH: Final = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)


def service(sid: int) -> JSON:
    """A service; every 7th is terminated (the shape benchmarks and paging tests rely on)."""
    ended = sid % 7 == 0
    return {
        "id": sid,
        "name": f"Service {sid}",
        "productId": None,
        "isTerminated": ended,
        "terminationDate": "2025-06-30T00:00:00Z" if ended else None,
        "terminationCause": "Contract ended" if ended else None,
    }


def product(pid: int) -> JSON:
    """A product; every 3rd is a flinkey IQ, the rest are flinkey Boxes."""
    iq = pid % 3 == 0
    return {
        "id": pid,
        "uniqueId": f"{'IQ' if iq else 'BOX'}-{pid:04d}",
        "serialNumber": f"SN-{pid}",
        "sapNumber": "SAP-2" if iq else "SAP-1",
        "dongleTerminationTimeStamp": None,
        "type": "flinkey IQ" if iq else "flinkey Box",
    }


def car(cid: int) -> JSON:
    """A car; every 5th has no VIN, licence plate, brand or model (nullable fields)."""
    bare = cid % 5 == 0
    return {
        "id": cid,
        "name": f"Car {cid}",
        "description": None,
        "vin": None if bare else f"WVWZZZ1KZ{cid:08d}",
        "licensePlate": None if bare else f"B-FK {cid % 10_000}",
        "brand": None if bare else "Volkswagen",
        "model": None if bare else "Golf",
    }


def user(uid: int) -> JSON:
    """A user with a generated e-mail address and name."""
    return {
        "id": uid,
        "emailAddress": f"user{uid}@example.com",
        "userData": {"firstName": "User", "lastName": str(uid)},
    }


def assignment(aid: int) -> JSON:
    """An assignment of the default user to the default car; every 2nd is open-ended."""
    start = _EPOCH + timedelta(hours=aid % 10_000)
    return {
        "id": aid,
        "carId": DEFAULT_CAR,
        "userId": DEFAULT_USER,
        "start": _utc(start),
        "end": None if aid % 2 else _utc(start + timedelta(days=1)),
        "lifetime": None,
        "renewableAfter": None,
    }


def event(eid: int) -> JSON:
    """An event of the default car, a minute apart, opened and closed in turn, no position."""
    moment = _EPOCH + timedelta(minutes=eid % 1_000_000)
    return {
        "id": eid,
        "dateTime": (moment + timedelta(hours=1)).replace(tzinfo=None).isoformat(),
        "utcDateTime": _utc(moment),
        "userId": DEFAULT_USER,
        "carId": DEFAULT_CAR,
        "type": "CarClosed" if eid % 2 else "CarOpened",
        "userAgent": "flinkey-app/3.2 (Android 14)",
        "latitude": None,
        "longitude": None,
    }


def group(gid: int) -> JSON:
    """A group of cars (its members are kept apart, in CustomerData.group_cars)."""
    return {"id": gid, "name": f"Group {gid}"}


def customer(cid: int) -> JSON:
    """A customer the API manager may act for."""
    return {"id": cid, "name": f"Customer {cid}"}


def key(kid: int) -> JSON:
    """A car key of the catalogue (brand "Audi" unless given)."""
    return {
        "id": kid,
        "brand": "Audi",
        "boxName": "flinkey Box S",
        "boxSapNumber": "SAP-1",
        "keyForm": {"id": kid % 10, "name": f"Key form {kid % 10}", "imageUrl": _image(kid % 10)},
    }


GENERATORS: Final[dict[str, Callable[[int], JSON]]] = {
    "assignments": assignment,
    "cars": car,
    "customers": customer,
    "events": event,
    "groups": group,
    "keys": key,
    "products": product,
    "services": service,
    "users": user,
}
"""One row generator per table, by table name."""


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _image(form: int) -> str:
    return f"https://static.example.com/keyforms/{form}.png"
