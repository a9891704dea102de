"""Events of cars (opened, closed): read one by id here, or a car's list via cars.events()."""

from datetime import datetime
from typing import Final

import attrs

from .._fields import Field
from .._hooks import local_datetime
from .._lookup import Lookup
from .._model import UNSET, OpenEnum, UnsetType, lenient
from .._model_fields import FieldsBase, HasFields

DEFAULT_EVENT_TOP: Final = 100
"""The ``$top`` a car's event list is sent with when the query sets none (flinkey asks for one)."""


class EventType(OpenEnum):
    """What happened to the car; an open enum, so a type flinkey adds later is kept."""

    CAR_OPENED = "CarOpened"
    CAR_CLOSED = "CarClosed"


class EventFields(FieldsBase):
    """Typed field references of Event / PartialEvent."""

    __slots__ = ()
    id: Field[int]
    date_time: Field[datetime]
    utc_date_time: Field[datetime]
    user_id: Field[int]
    car_id: Field[int]
    type: Field[EventType]
    user_agent: Field[str]
    latitude: Field[float | None]
    longitude: Field[float | None]


@attrs.frozen
class Event(HasFields[EventFields]):
    """A car was opened or closed.

    ``date_time`` is the event's time as flinkey sends it (naive, local time, when it carries no
    offset); ``utc_date_time`` is the same moment in UTC (always aware).
    """

    id: int
    date_time: datetime = attrs.field(metadata=lenient(local_datetime))
    utc_date_time: datetime
    user_id: int
    car_id: int
    type: EventType
    user_agent: str
    latitude: float | None = None
    longitude: float | None = None


@attrs.frozen
class PartialEvent(HasFields[EventFields]):
    """An Event fetched with ``$select``: fields that were not selected are UNSET."""

    id: int | UnsetType = UNSET
    date_time: datetime | UnsetType = attrs.field(default=UNSET, metadata=lenient(local_datetime))
    utc_date_time: datetime | UnsetType = UNSET
    user_id: int | UnsetType = UNSET
    car_id: int | UnsetType = UNSET
    type: EventType | UnsetType = UNSET
    user_agent: str | UnsetType = UNSET
    latitude: float | UnsetType | None = UNSET
    longitude: float | UnsetType | None = UNSET


class Events(Lookup[Event, PartialEvent]):
    """One event by id (GET /events/{eventId}); a car's events: ``client.cars.events(id)``.

    [PARTIAL] flinkey documents this endpoint only in part; its 404 text is not documented.
    """

    path = "events"
    key = "eventId"
