"""Cars of the customer's fleet, with their events and assignments."""

from typing import Final

import attrs

from .._fields import Field
from .._lookup import Resource
from .._model import UNSET, UnsetType
from .._model_fields import FieldsBase, HasFields
from .._nested import Nested
from .assignments import Assignment, PartialAssignment
from .events import DEFAULT_EVENT_TOP, Event, PartialEvent

MSG_CAR_NOT_FOUND: Final = (
    "Unable to find a car for the given carId which is assigned to the given customerId."
)


class CarFields(FieldsBase):
    """Typed field references of Car / PartialCar."""

    __slots__ = ()
    id: Field[int]
    name: Field[str]
    description: Field[str | None]
    vin: Field[str | None]
    license_plate: Field[str | None]
    brand: Field[str | None]
    model: Field[str | None]


@attrs.frozen
class Car(HasFields[CarFields]):
    """A car of the fleet, as GET /cars returns it."""

    id: int
    name: str
    description: str | None = None
    vin: str | None = None
    license_plate: str | None = None
    brand: str | None = None
    model: str | None = None


@attrs.frozen
class PartialCar(HasFields[CarFields]):
    """A Car fetched with ``$select``: fields that were not selected are UNSET."""

    id: int | UnsetType = UNSET
    name: str | UnsetType = UNSET
    description: str | UnsetType | None = UNSET
    vin: str | UnsetType | None = UNSET
    license_plate: str | UnsetType | None = UNSET
    brand: str | UnsetType | None = UNSET
    model: str | UnsetType | None = UNSET


class Cars(Resource[Car, PartialCar]):
    """The customer's cars (GET /cars, GET /cars/{carId} [PARTIAL: its errors are not listed])."""

    path = "cars"
    key = "carId"
    not_found = MSG_CAR_NOT_FOUND
    events = Nested("events", Event, PartialEvent, link="carId", default_top=DEFAULT_EVENT_TOP)
    """A car's events (GET /cars/{carId}/events); ``list()`` sends ``$top=100`` unless set."""
    assignments = Nested("assignments", Assignment, PartialAssignment, link="carId")
    """A car's assignments (GET /cars/{carId}/assignments) [PARTIAL: 200 schema not shown]."""
