"""Customers the API manager may act for: the ids to send as Customer-ID."""

import attrs

from .._collection import Collection
from .._fields import Field
from .._hooks import int_from_text
from .._model import UNSET, UnsetType, lenient
from .._model_fields import FieldsBase, HasFields


class CustomerFields(FieldsBase):
    """Typed field references of Customer / PartialCustomer."""

    __slots__ = ()
    id: Field[int]
    name: Field[str]


@attrs.frozen
class Customer(HasFields[CustomerFields]):
    """A customer; ``id`` is what other calls send as Customer-ID."""

    # Documented as a string, sent as a number in flinkey's own example: always an int here.
    id: int = attrs.field(metadata=lenient(int_from_text))
    name: str


@attrs.frozen
class PartialCustomer(HasFields[CustomerFields]):
    """A Customer fetched with ``$select``: fields that were not selected are UNSET."""

    id: int | UnsetType = attrs.field(default=UNSET, metadata=lenient(int_from_text))
    name: str | UnsetType = UNSET


class Customers(Collection[Customer, PartialCustomer]):
    """The customers of the API manager (GET /customers; no Customer-ID is sent)."""

    path = "customers"
    scoped = False
