"""Service contracts ("flinkey Go") and the products (boxes) they are paired with."""

from datetime import datetime
from typing import Final

import attrs

from .._fields import Field
from .._lookup import Resource
from .._model import UNSET, OpenEnum, UnsetType, wire
from .._model_fields import FieldsBase, HasFields
from .._nested import One

MSG_SERVICE_NOT_FOUND: Final = (
    "Unable to find a service for the given serviceId which is assigned to the given customerId."
)
MSG_PRODUCT_SERVICE_NOT_FOUND: Final = (
    "No service can be found for this serviceId that is assigned to this customerId."
)
MSG_PRODUCT_NOT_FOUND: Final = "No product can be found that is assigned to this serviceId."


class ProductType(OpenEnum):
    """The kind of a product; an open enum, so a value flinkey adds later is kept, not refused."""

    FLINKEY_BOX = "flinkey Box"
    FLINKEY_IQ = "flinkey IQ"


class ServiceFields(FieldsBase):
    """Typed field references of Service / PartialService."""

    __slots__ = ()
    id: Field[int]
    name: Field[str]
    is_terminated: Field[bool]
    termination_date: Field[datetime | None]
    termination_cause: Field[str | None]
    product_id: Field[int | None]


@attrs.frozen
class Service(HasFields[ServiceFields]):
    """A service contract ("flinkey Go") of a box, as GET /services returns it."""

    id: int
    name: str
    is_terminated: bool
    termination_date: datetime | None = None
    termination_cause: str | None = None
    # The Services spec documents productId; newer docs dropped it, so it may be absent.
    product_id: int | None = None


@attrs.frozen
class PartialService(HasFields[ServiceFields]):
    """A Service fetched with ``$select``: fields that were not selected are UNSET."""

    id: int | UnsetType = UNSET
    name: str | UnsetType = UNSET
    is_terminated: bool | UnsetType = UNSET
    termination_date: datetime | UnsetType | None = UNSET
    termination_cause: str | UnsetType | None = UNSET
    product_id: int | UnsetType | None = UNSET


class ProductFields(FieldsBase):
    """Typed field references of Product / PartialProduct."""

    __slots__ = ()
    id: Field[int]
    unique_id: Field[str]
    serial_number: Field[str]
    sap_number: Field[str]
    type: Field[ProductType]
    dongle_termination_timestamp: Field[datetime | None]


@attrs.frozen
class Product(HasFields[ProductFields]):
    """A flinkey Box or flinkey IQ, as GET /products and GET /services/{id}/products return it."""

    id: int
    unique_id: str
    serial_number: str
    sap_number: str
    type: ProductType
    dongle_termination_timestamp: datetime | None = attrs.field(
        default=None, metadata=wire("dongleTerminationTimeStamp")
    )


@attrs.frozen
class PartialProduct(HasFields[ProductFields]):
    """A Product fetched with ``$select``: fields that were not selected are UNSET."""

    id: int | UnsetType = UNSET
    unique_id: str | UnsetType = UNSET
    serial_number: str | UnsetType = UNSET
    sap_number: str | UnsetType = UNSET
    type: ProductType | UnsetType = UNSET
    dongle_termination_timestamp: datetime | UnsetType | None = attrs.field(
        default=UNSET, metadata=wire("dongleTerminationTimeStamp")
    )


class Services(Resource[Service, PartialService]):
    """Service contracts of the customer's boxes (GET /services, /services/{serviceId})."""

    path = "services"
    key = "serviceId"
    not_found = MSG_SERVICE_NOT_FOUND
    get_product = One(
        "products",
        Product,
        PartialProduct,
        not_found=MSG_PRODUCT_NOT_FOUND,
        parent_not_found=MSG_PRODUCT_SERVICE_NOT_FOUND,
    )
    """The product a service is paired with (GET /services/{serviceId}/products)."""
