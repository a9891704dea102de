"""Test flinkey code offline: a fake flinkey API server on 127.0.0.1, and pytest fixtures."""

from ._faults import Fault, FaultPlan
from ._process import FakeFlinkeyProcess
from ._recording import DEFAULT_MAX_REQUESTS, RecordedRequest, RequestLog
from ._seed import seeded_store
from ._server import FakeFlinkey
from ._store import CustomerData, FakeStore
from ._webhooks import Delivery, WebhookSender
from ._wire import API_KEY, MSG_SERVER_ERROR, PASSWORD, SDK_KEY, USERNAME

__all__ = [
    "API_KEY",
    "CustomerData",
    "DEFAULT_MAX_REQUESTS",
    "Delivery",
    "FakeFlinkey",
    "FakeFlinkeyProcess",
    "FakeStore",
    "Fault",
    "FaultPlan",
    "MSG_SERVER_ERROR",
    "PASSWORD",
    "RecordedRequest",
    "RequestLog",
    "SDK_KEY",
    "USERNAME",
    "WebhookSender",
    "seeded_store",
]
