"""The demo data set: every resource for two customers, with the edge cases clients must read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..models import Product, ProductType, Service
from ._store import CustomerData, FakeStore

JSON = dict[str, Any]
_APP = "flinkey-app/3.2 (Android 14)"


def seeded_store() -> FakeStore:
    """Return the demo data: customers 1 and 2, every resource, nulls, and a paired, installed box.

    Customer 1 has cars 1001-1003, users 3001-3003, assignments 4001-4005, events 5001-5005,
    groups 6001-6003, products 501-504 and services 101-105; customer 2 has car 2001, user
    3101, assignment 4101, event 5101, group 6101, product 601 and service 201. The keyfob
    catalogue lists five brands and keys 7001-7005.
    """
    store = FakeStore()
    store.add_many("customers", [_customer(1, "Acme Car Rental"), _customer(2, "Beta Mobility")])
    _acme(store.customer(1))
    _beta(store.customer(2))
    _catalogue(store)
    return store


def _acme(data: CustomerData) -> None:
    for product in (
        Product(
            id=501,
            unique_id="BOX-0501",
            serial_number="SN-100501",
            sap_number="SAP-1",
            type=ProductType.FLINKEY_BOX,
        ),
        Product(
            id=502,
            unique_id="IQ-0502",
            serial_number="SN-100502",
            sap_number="SAP-2",
            type=ProductType.FLINKEY_IQ,
            dongle_termination_timestamp=datetime(2026, 3, 31, 23, 59, tzinfo=UTC),
        ),
        Product(
            id=503,
            unique_id="BOX-0503",
            serial_number="SN-100503",
            sap_number="SAP-1",
            type=ProductType.FLINKEY_BOX,
        ),
        # Neither paired nor installed: the box the demo pairs with service 105 and installs.
        Product(
            id=504,
            unique_id="BOX-0504",
            serial_number="SN-100504",
            sap_number="SAP-1",
            type=ProductType.FLINKEY_BOX,
        ),
    ):
        data.add_product(product)
    for service in (
        Service(id=101, name="Fleet Berlin 01", is_terminated=False, product_id=501),
        Service(id=102, name="Fleet Berlin 02", is_terminated=False, product_id=502),
        Service(id=103, name="O'Brien & Sons + Co", is_terminated=False, product_id=503),
        Service(
            id=104,
            name="Rental Munich",
            is_terminated=True,
            termination_date=datetime(2025, 12, 31, 12, 0, tzinfo=UTC),
            termination_cause="Contract ended",
        ),
        Service(id=105, name="Car sharing Köln", is_terminated=False),
    ):
        data.add_service(service)
    data.add_many(
        "cars",
        [
            _car(
                1001,
                "VW Golf Berlin",
                "WVWZZZ1KZAW000001",
                "B-FK 1001",
                "Volkswagen",
                "Golf",
                description="Garage level 3, bay 12",
            ),
            _car(1002, "Tesla Model 3", "5YJ3E7EB0KF000002", "B-FK 1002", "Tesla", "Model 3"),
            _car(1003, "Spare van", None, None, None, None),
        ],
    )
    data.add_many(
        "users",
        [
            _user(3001, "alice.meyer@example.com", "Alice", "Meyer"),
            _user(3002, "bob@example.com", "Bob", None),
            _user(3003, "fleet-bot@example.com", None, None),
        ],
    )
    data.add_many(
        "assignments",
        [
            _assignment(4001, 1001, 3001, "2025-01-06T07:00:00Z", None, 3600, 1800),
            _assignment(4002, 1001, 3002, "2025-02-01T08:00:00Z", "2025-02-28T18:00:00Z"),
            _assignment(
                4003, 1002, 3001, "2025-03-01T08:00:00Z", "2025-03-31T20:00:00Z", 86400, 43200
            ),
            _assignment(4004, 1003, 3002, "2025-04-01T06:00:00Z", None),
            _assignment(4005, 1002, None, "2025-05-01T06:00:00Z", "2025-05-02T06:00:00Z"),
        ],
    )
    data.add_many(
        "events",
        [
            _event(5001, 1001, 3001, "CarOpened", "2025-03-03T09:15:00", (52.520008, 13.404954)),
            _event(5002, 1001, 3001, "CarClosed", "2025-03-03T18:02:30", (52.5165, 13.3781)),
            _event(
                5003,
                1001,
                3002,
                "CarOpened",
                "2025-03-04T07:45:00",
                None,
                agent="flinkey-app/3.1 (iOS 17.4)",
            ),
            _event(
                5004,
                1002,
                3001,
                "CarOpened",
                "2025-07-01T10:00:00",
                (48.137154, 11.576124),
                offset=2,
            ),
            _event(5005, 1002, 3001, "CarClosed", "2025-07-01T12:30:00", None, offset=2),
        ],
    )
    data.add_many("groups", [_group(6001, "Berlin"), _group(6002, "Vans"), _group(6003, "Empty")])
    data.group_cars.update({6001: [1001, 1002], 6002: [1003], 6003: []})
    # Car 1001 holds a box and an IQ (one of each type), car 1002 a box, car 1003 nothing.
    data.installed.update({501: 1001, 502: 1001, 503: 1002})


def _beta(data: CustomerData) -> None:
    data.add_product(
        Product(
            id=601,
            unique_id="BOX-0601",
            serial_number="SN-200601",
            sap_number="SAP-1",
            type=ProductType.FLINKEY_BOX,
        )
    )
    data.add_service(
        Service(id=201, name="Other customer's service", is_terminated=False, product_id=601)
    )
    data.add(
        _car(
            2001,
            "VW Transporter Hamburg",
            "WV2ZZZ7HZ000201",
            "HH-BM 201",
            "Volkswagen",
            "Transporter",
        ),
        table="cars",
    )
    data.add(_user(3101, "carla.schulz@beta.example", "Carla", "Schulz"), table="users")
    data.add(_assignment(4101, 2001, 3101, "2025-02-10T07:00:00Z", None), table="assignments")
    data.add(
        _event(5101, 2001, 3101, "CarOpened", "2025-02-10T08:00:00", (53.5511, 9.9937)),
        table="events",
    )
    data.add(_group(6101, "Hamburg"), table="groups")
    data.group_cars[6101] = [2001]
    data.installed[601] = 2001


def _catalogue(store: FakeStore) -> None:
    # A slash and a space in brand names: each must reach the server as one path segment.
    store.brands.extend(["Audi", "BMW/Mini", "Land Rover", "Mercedes-Benz", "Volkswagen"])
    store.add_many(
        "keys",
        [
            _key(7001, "Audi", "flinkey Box S", "SAP-1", 11, "Audi comfort key"),
            _key(7002, "BMW/Mini", "flinkey Box M", "SAP-3", 12, "BMW display key"),
            _key(7003, "BMW/Mini", None, None, 13, "Mini key fob"),
            _key(7004, "Land Rover", "flinkey Box M", "SAP-3", 14, "Land Rover smart key"),
            _key(7005, "Mercedes-Benz", "flinkey Box S", "SAP-1", 15, "Mercedes-Benz key"),
        ],
    )  # Volkswagen is a known brand without keys (an empty list, not an error).


def _customer(cid: int, name: str) -> JSON:
    return {"id": cid, "name": name}


def _car(
    cid: int,
    name: str,
    vin: str | None,
    plate: str | None,
    brand: str | None,
    model: str | None,
    *,
    description: str | None = None,
) -> JSON:
    return {
        "id": cid,
        "name": name,
        "description": description,
        "vin": vin,
        "licensePlate": plate,
        "brand": brand,
        "model": model,
    }


def _user(uid: int, email: str, first: str | None, last: str | None) -> JSON:
    return {"id": uid, "emailAddress": email, "userData": {"firstName": first, "lastName": last}}


def _assignment(
    aid: int,
    car: int,
    user: int | None,
    start: str,
    end: str | None,
    lifetime: int | None = None,
    renewable_after: int | None = None,
) -> JSON:
    return {
        "id": aid,
        "carId": car,
        "userId": user,
        "start": start,
        "end": end,
        "lifetime": lifetime,
        "renewableAfter": renewable_after,
    }


def _event(
    eid: int,
    car: int,
    user: int,
    kind: str,
    local: str,
    position: tuple[float, float] | None,
    *,
    offset: int = 1,
    agent: str = _APP,
) -> JSON:
    # dateTime is local time without an offset (Berlin: UTC+1 in winter, +2 in summer).
    hour = int(local[11:13]) - offset
    utc = f"{local[:11]}{hour:02d}{local[13:]}Z"
    latitude, longitude = position if position is not None else (None, None)
    return {
        "id": eid,
        "dateTime": local,
        "utcDateTime": utc,
        "userId": user,
        "carId": car,
        "type": kind,
        "userAgent": agent,
        "latitude": latitude,
        "longitude": longitude,
    }


def _group(gid: int, name: str) -> JSON:
    return {"id": gid, "name": name}


def _key(kid: int, brand: str, box: str | None, sap: str | None, form: int, form_name: str) -> JSON:
    return {
        "id": kid,
        "brand": brand,
        "boxName": box,
        "boxSapNumber": sap,
        "keyForm": {
            "id": form,
            "name": form_name,
            "imageUrl": f"https://static.example.com/keyforms/{form}.png",
        },
    }
