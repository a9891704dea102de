"""Every model the API returns or takes: ``from flinkey_async.models import Car``."""

from ._convert import ListResult
from ._links import InstallationRequest, PairingRequest
from ._model import UNSET, OpenEnum, UnsetType
from ._resources.assignments import Assignment, AssignmentFields, PartialAssignment
from ._resources.brands import Key, KeyFields, KeyForm, PartialKey, PartialKeyForm
from ._resources.cars import Car, CarFields, PartialCar
from ._resources.customers import Customer, CustomerFields, PartialCustomer
from ._resources.events import Event, EventFields, EventType, PartialEvent
from ._resources.groups import Group
from ._resources.sdk import SdkTokenRequest
from ._resources.services import (
    PartialProduct,
    PartialService,
    Product,
    ProductFields,
    ProductType,
    Service,
    ServiceFields,
)
from ._resources.users import PartialUser, PartialUserData, User, UserData, UserFields

__all__ = [
    "Assignment",
    "AssignmentFields",
    "Car",
    "CarFields",
    "Customer",
    "CustomerFields",
    "Event",
    "EventFields",
    "EventType",
    "Group",
    "InstallationRequest",
    "Key",
    "KeyFields",
    "KeyForm",
    "ListResult",
    "OpenEnum",
    "PairingRequest",
    "PartialAssignment",
    "PartialCar",
    "PartialCustomer",
    "PartialEvent",
    "PartialKey",
    "PartialKeyForm",
    "PartialProduct",
    "PartialService",
    "PartialUser",
    "PartialUserData",
    "Product",
    "ProductFields",
    "ProductType",
    "SdkTokenRequest",
    "Service",
    "ServiceFields",
    "UNSET",
    "UnsetType",
    "User",
    "UserData",
    "UserFields",
]

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("flinkey_async._"):
        _obj.__module__ = "flinkey_async.models"
del _name, _obj
