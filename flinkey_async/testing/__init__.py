"""Test flinkey code offline: a fake flinkey API server on 127.0.0.1, and pytest fixtures."""

from ._api import (
    API_KEY,
    MSG_PRODUCT_NOT_FOUND,
    MSG_PRODUCT_SERVICE_NOT_FOUND,
    MSG_SERVER_ERROR,
    MSG_SERVICE_NOT_FOUND,
    PASSWORD,
    USERNAME,
)
from ._faults import Fault, FaultPlan
from ._process import FakeFlinkeyProcess
from ._server import FakeFlinkey, RecordedRequest
from ._store import CustomerData, FakeStore, seeded_store

__all__ = [
    "API_KEY",
    "CustomerData",
    "FakeFlinkey",
    "FakeFlinkeyProcess",
    "FakeStore",
    "Fault",
    "FaultPlan",
    "MSG_PRODUCT_NOT_FOUND",
    "MSG_PRODUCT_SERVICE_NOT_FOUND",
    "MSG_SERVER_ERROR",
    "MSG_SERVICE_NOT_FOUND",
    "PASSWORD",
    "RecordedRequest",
    "USERNAME",
    "seeded_store",
]
