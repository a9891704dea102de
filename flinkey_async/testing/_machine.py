"""The fake's state machine: pairing services with products, installing products into cars.

Each transition checks a request body the way flinkey documents (reference §2.8, §2.9) and
either changes one customer's data or raises a Refusal with flinkey's status and text. Texts
marked as assumptions are the fake's own, where flinkey documents none.
"""

from __future__ import annotations

from typing import Any, Final

from .._resources.cars import MSG_CAR_NOT_FOUND
from .._resources.installations import (
    MSG_ALREADY_INSTALLED,
    MSG_NO_CAR_ID,
    MSG_NO_PRODUCT_REF,
    MSG_NO_SERVICE,
    MSG_PRODUCT_REF_NOT_FOUND,
    MSG_SAME_TYPE,
)
from .._resources.services import MSG_PRODUCT_NOT_FOUND, MSG_SERVICE_NOT_FOUND
from ._store import CustomerData
from ._wire import JSON, Refusal, parse_int32

# Assumptions (flinkey documents no errors for DELETE /installations or for /pairings):
MSG_UNINSTALL_NO_CAR_ID: Final = "Couldn't uninstall product from car. No valid carId provided."
MSG_UNINSTALL_NO_PRODUCT_REF: Final = (
    "Couldn't uninstall product from car. No valid productId, serialNumber or uniqueId provided."
)
MSG_NOT_INSTALLED: Final = "The product is not installed into the car."
MSG_NO_SERVICE_ID: Final = "Couldn't pair service with product. No valid serviceId provided."
MSG_PAIR_NO_PRODUCT_REF: Final = (
    "Couldn't pair service with product. No valid productId, serialNumber or uniqueId provided."
)
MSG_SERVICE_PAIRED: Final = "The service is already paired with another product."
MSG_PRODUCT_PAIRED: Final = "The product is already paired with another service."
BOX: Final = "flinkey Box"

_REFS: Final = ("productId", "serialNumber", "uniqueId")


def install(data: CustomerData, body: JSON) -> None:
    """PUT /installations: install a paired product into a car that has none of its type."""
    car_id, product = _car_and_product(data, body, MSG_NO_CAR_ID, MSG_NO_PRODUCT_REF)
    product_id = product["id"]
    if data.service_of(product_id) is None:
        raise Refusal(409, MSG_NO_SERVICE)
    if product_id in data.installed:
        raise Refusal(409, MSG_ALREADY_INSTALLED)
    if any(
        car == car_id and data.products.get(other, {}).get("type") == product.get("type")
        for other, car in data.installed.items()
    ):
        raise Refusal(409, MSG_SAME_TYPE)
    data.installed[product_id] = car_id


def uninstall(data: CustomerData, body: JSON) -> list[JSON]:
    """DELETE /installations: undo an installation; a box takes the car's assignments along.

    Returns the assignments deleted (flinkey reports each by webhook).
    """
    car_id, product = _car_and_product(
        data, body, MSG_UNINSTALL_NO_CAR_ID, MSG_UNINSTALL_NO_PRODUCT_REF
    )
    if data.installed.get(product["id"]) != car_id:
        raise Refusal(409, MSG_NOT_INSTALLED)
    del data.installed[product["id"]]
    if product.get("type") != BOX:
        return []
    gone = [row for row in data.assignments.values() if row.get("carId") == car_id]
    for row in gone:
        del data.assignments[row["id"]]
    return gone


def pair(data: CustomerData, body: JSON) -> None:
    """PUT /pairings: pair a service with a product, one to one (pairing again is a no-op)."""
    service, product = _service_and_product(data, body)
    current = service.get("productId")
    if current == product["id"]:
        return
    if current is not None:
        raise Refusal(409, MSG_SERVICE_PAIRED)
    if data.service_of(product["id"]) is not None:
        raise Refusal(409, MSG_PRODUCT_PAIRED)
    service["productId"] = product["id"]


def unpair(data: CustomerData, body: JSON) -> None:
    """DELETE /pairings: undo a pairing (an installed product stays installed)."""
    service, product = _service_and_product(data, body)
    if service.get("productId") != product["id"]:
        raise Refusal(404, MSG_PRODUCT_NOT_FOUND)
    service["productId"] = None


def _car_and_product(
    data: CustomerData, body: JSON, no_car: str, no_product: str
) -> tuple[int, JSON]:
    car_id = parse_int32(body.get("carId"))
    if car_id is None:
        raise Refusal(400, no_car)
    ref = _product_ref(body, no_product)
    if car_id not in data.cars:
        raise Refusal(404, MSG_CAR_NOT_FOUND)
    return car_id, _find_product(data, ref)


def _service_and_product(data: CustomerData, body: JSON) -> tuple[JSON, JSON]:
    service_id = parse_int32(body.get("serviceId"))
    if service_id is None:
        raise Refusal(400, MSG_NO_SERVICE_ID)
    ref = _product_ref(body, MSG_PAIR_NO_PRODUCT_REF)
    service = data.services.get(service_id)
    if service is None:
        raise Refusal(404, MSG_SERVICE_NOT_FOUND)
    return service, _find_product(data, ref)


def _product_ref(body: JSON, refused: str) -> tuple[str, Any]:
    """Return the one product reference of a body: ("productId", 501), ("serialNumber", ...)."""
    given = [(name, body[name]) for name in _REFS if body.get(name) is not None]
    if len(given) != 1:
        raise Refusal(400, refused)
    ((name, value),) = given
    if name == "productId":
        value = parse_int32(value)
    elif not isinstance(value, str) or not value.strip():
        value = None
    if value is None:
        raise Refusal(400, refused)
    return name, value


def _find_product(data: CustomerData, ref: tuple[str, Any]) -> JSON:
    name, value = ref
    if name == "productId":
        product = data.products.get(value)
    else:
        product = next((row for row in data.products.values() if row.get(name) == value), None)
    if product is None:
        raise Refusal(404, MSG_PRODUCT_REF_NOT_FOUND)
    return product
