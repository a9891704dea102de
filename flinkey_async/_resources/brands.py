"""The keyfob catalogue: car brands, and which key (and box) fits each brand."""

from typing import Final

import attrs

from .._collection import Collection
from .._fields import Field
from .._model import UNSET, UnsetType
from .._model_fields import FieldsBase, HasFields
from .._nested import Nested

MSG_INVALID_BRAND: Final = "Invalid brand provided."
"""The documented 400 of GET /brands/{brand}/keys for a brand flinkey does not know."""


@attrs.frozen
class KeyForm:
    """The shape of a car key, with a picture of it."""

    id: int
    name: str
    image_url: str


@attrs.frozen
class PartialKeyForm:
    """A KeyForm fetched with a nested ``$select`` (``$expand=keyForm($select=imageUrl)``)."""

    id: int | UnsetType = UNSET
    name: str | UnsetType = UNSET
    image_url: str | UnsetType = UNSET


class KeyFields(FieldsBase):
    """Typed field references of Key / PartialKey (``F("keyForm/imageUrl")`` for parts)."""

    __slots__ = ()
    id: Field[int]
    brand: Field[str]
    key_form: Field[KeyForm]
    box_name: Field[str | None]
    box_sap_number: Field[str | None]


@attrs.frozen
class Key(HasFields[KeyFields]):
    """A car key of a brand, and the flinkey Box it fits."""

    id: int
    brand: str
    key_form: KeyForm
    box_name: str | None = None
    box_sap_number: str | None = None


@attrs.frozen
class PartialKey(HasFields[KeyFields]):
    """A Key fetched with ``$select``: fields that were not selected are UNSET."""

    id: int | UnsetType = UNSET
    brand: str | UnsetType = UNSET
    key_form: PartialKeyForm | UnsetType = UNSET
    box_name: str | UnsetType | None = UNSET
    box_sap_number: str | UnsetType | None = UNSET


class Brands(Collection[str, str]):
    """Car brand names (GET /brands) and their keys (GET /brands/{brand}/keys).

    Global reference data: no Customer-ID is sent. A brand is percent-encoded as one path
    segment.
    """

    path = "brands"
    key = "brand"
    scoped = False
    order_key = None
    keys = Nested("keys", Key, PartialKey, by_name=True, link="brand")
    """The keys of one brand: ``client.brands.keys("BMW").list(query)``."""
