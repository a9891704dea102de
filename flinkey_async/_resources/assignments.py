"""Assignments: a user's time-boxed access to a car."""

from datetime import datetime
from typing import Final

import attrs

from .._fields import Field
from .._lookup import Lookup
from .._model import UNSET, UnsetType
from .._model_fields import FieldsBase, HasFields

MSG_ASSIGNMENT_NOT_FOUND: Final = "Unable to find an assignment for the given assignmentId."


class AssignmentFields(FieldsBase):
    """Typed field references of Assignment / PartialAssignment."""

    __slots__ = ()
    id: Field[int]
    car_id: Field[int]
    start: Field[datetime]
    user_id: Field[int | None]
    end: Field[datetime | None]
    lifetime: Field[int | None]
    renewable_after: Field[int | None]


@attrs.frozen
class Assignment(HasFields[AssignmentFields]):
    """A user's access to a car from ``start`` until ``end`` (open-ended when None).

    ``lifetime`` and ``renewable_after`` are integers whose unit flinkey does not document.
    """

    id: int
    car_id: int
    start: datetime
    user_id: int | None = None
    end: datetime | None = None
    lifetime: int | None = None
    renewable_after: int | None = None


@attrs.frozen
class PartialAssignment(HasFields[AssignmentFields]):
    """An Assignment fetched with ``$select``: fields that were not selected are UNSET."""

    id: int | UnsetType = UNSET
    car_id: int | UnsetType = UNSET
    start: datetime | UnsetType = UNSET
    user_id: int | UnsetType | None = UNSET
    end: datetime | UnsetType | None = UNSET
    lifetime: int | UnsetType | None = UNSET
    renewable_after: int | UnsetType | None = UNSET


class Assignments(Lookup[Assignment, PartialAssignment]):
    """One assignment by id (GET /assignments/{assignmentId}); a car's: cars.assignments(id).

    Creating, changing and deleting assignments is not documented yet (flinkey reports their
    results by webhook): use ``client.request(...)`` until it is.
    """

    path = "assignments"
    key = "assignmentId"
    not_found = MSG_ASSIGNMENT_NOT_FOUND
