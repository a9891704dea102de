"""flinkey's assignment webhooks: verify the shared secret and parse the payload (no I/O).

flinkey POSTs the result of asynchronous assignment operations (create, update, delete, and
the deletions an uninstall causes) to a URL registered on the Portal, with the shared secret
in the ``Secret`` header. ``parse`` checks that header in constant time and returns a typed,
frozen event. Ready receivers live in ``flinkey_async.webhooks.aiohttp`` and
``flinkey_async.webhooks.asgi``; this package itself needs neither framework.
"""

from ._codec import DEFAULT_MAX_BODY_BYTES, to_json, to_wire
from ._errors import (
    MissingWebhookSecretError,
    WebhookBodyError,
    WebhookBodyTooLargeError,
    WebhookError,
    WebhookJSONError,
    WebhookPayloadError,
    WebhookSecretError,
    WrongWebhookSecretError,
)
from ._events import (
    AssignmentCreated,
    AssignmentDeleted,
    AssignmentEvent,
    AssignmentUpdated,
    WebhookEvent,
    WebhookKind,
)
from ._parse import (
    SECRET_HEADER,
    TARGET_ADDRESS_HEADER,
    Headers,
    parse,
    verify,
    webhook_headers,
)

__all__ = [
    "AssignmentCreated",
    "AssignmentDeleted",
    "AssignmentEvent",
    "AssignmentUpdated",
    "DEFAULT_MAX_BODY_BYTES",
    "Headers",
    "MissingWebhookSecretError",
    "SECRET_HEADER",
    "TARGET_ADDRESS_HEADER",
    "WebhookBodyError",
    "WebhookBodyTooLargeError",
    "WebhookError",
    "WebhookEvent",
    "WebhookJSONError",
    "WebhookKind",
    "WebhookPayloadError",
    "WebhookSecretError",
    "WrongWebhookSecretError",
    "parse",
    "to_json",
    "to_wire",
    "verify",
    "webhook_headers",
]

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("flinkey_async.webhooks._"):
        _obj.__module__ = "flinkey_async.webhooks"
del _name, _obj
