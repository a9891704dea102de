"""The typed values the Services endpoints return: snake_case here, camelCase on the wire."""

import enum
from datetime import datetime
from typing import Final, Literal

import attrs

WIRE_NAME: Final = "flinkey_wire_name"


def wire(name: str) -> dict[str, str]:
    """Return field metadata naming a wire key that plain camelCase would get wrong."""
    return {WIRE_NAME: name}


class ProductType(enum.StrEnum):
    """The kind of a product; an open enum, so a value flinkey adds later is kept, not refused."""

    FLINKEY_BOX = "flinkey Box"
    FLINKEY_IQ = "flinkey IQ"

    @classmethod
    def _missing_(cls, value: object) -> "ProductType | None":
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        # Cache it so the same unknown value is always the same member.
        return cls._value2member_map_.setdefault(value, member)  # type: ignore[return-value]

    @property
    def is_known(self) -> bool:
        """Whether this SDK version knows the value (False for types flinkey added later)."""
        return self._name_ != "UNKNOWN"

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self._name_}: {self.value!r}>"


class UnsetType(enum.Enum):
    """The type of UNSET: a field that a ``$select`` left out (unlike ``None``, a JSON null)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    __str__ = __repr__

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = UnsetType.UNSET


@attrs.frozen
class Service:
    """A service contract ("flinkey Go") of a box, as GET /services returns it."""

    id: int
    name: str
    is_terminated: bool
    termination_date: datetime | None = None
    termination_cause: str | None = None
    # The Services spec documents productId; newer docs dropped it, so it may be absent.
    product_id: int | None = None


@attrs.frozen
class Product:
    """A flinkey Box or flinkey IQ, as GET /services/{id}/products returns it."""

    id: int
    unique_id: str
    serial_number: str
    sap_number: str
    type: ProductType
    dongle_termination_timestamp: datetime | None = attrs.field(
        default=None, metadata=wire("dongleTerminationTimeStamp")
    )


@attrs.frozen
class PartialService:
    """A Service fetched with ``$select``: fields that were not selected are UNSET."""

    id: int | UnsetType = UNSET
    name: str | UnsetType = UNSET
    is_terminated: bool | UnsetType = UNSET
    termination_date: datetime | UnsetType | None = UNSET
    termination_cause: str | UnsetType | None = UNSET
    product_id: int | UnsetType | None = UNSET


@attrs.frozen
class PartialProduct:
    """A Product fetched with ``$select``: fields that were not selected are UNSET."""

    id: int | UnsetType = UNSET
    unique_id: str | UnsetType = UNSET
    serial_number: str | UnsetType = UNSET
    sap_number: str | UnsetType = UNSET
    type: ProductType | UnsetType = UNSET
    dongle_termination_timestamp: datetime | UnsetType | None = attrs.field(
        default=UNSET, metadata=wire("dongleTerminationTimeStamp")
    )
