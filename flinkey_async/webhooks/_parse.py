"""Verify the Secret header in constant time and parse a webhook request (no I/O)."""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from typing import Final, Literal, TypeAlias, cast, overload

from .._secret import Secret, as_secret
from ._codec import DEFAULT_MAX_BODY_BYTES, check_limit, decode
from ._errors import MissingWebhookSecretError, WebhookSecretError, WrongWebhookSecretError
from ._events import (
    AssignmentCreated,
    AssignmentDeleted,
    AssignmentEvent,
    AssignmentUpdated,
    WebhookEvent,
    WebhookKind,
    event_class,
)

SECRET_HEADER: Final = "Secret"
"""The header flinkey puts the shared secret in (read case-insensitively; old docs: secret)."""
TARGET_ADDRESS_HEADER: Final = "Target-Webhook-Address"
"""The header naming the address flinkey posted to (informational; not verified)."""

Headers: TypeAlias = Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]]
"""A headers mapping (dict, aiohttp's, Starlette's) or (name, value) pairs, e.g. ASGI bytes."""

_STATUS_MISSING: Final = "missing"
_STATUS_SEVERAL: Final = "several"
_STATUS_WRONG: Final = "wrong"


def verify(headers: Headers, *, secret: str | Secret) -> None:
    """Check the Secret header against ``secret`` in constant time, or raise WebhookSecretError."""
    secret = as_secret(secret, "secret")  # rebinds the name: this frame holds no clear text
    error = secret_error(headers, secret)
    del headers  # a traceback's locals then hold no received header value
    if error is not None:
        raise error


def secret_error(headers: Headers, secret: Secret) -> WebhookSecretError | None:
    """Return the error for a missing, ambiguous or wrong Secret header, or None if it matches."""
    status = _secret_status(headers, secret)
    if status == _STATUS_MISSING:
        return MissingWebhookSecretError("the webhook request has no Secret header")
    if status == _STATUS_SEVERAL:
        return WrongWebhookSecretError("the webhook request has more than one Secret header")
    if status == _STATUS_WRONG:
        return WrongWebhookSecretError(
            "the webhook request's Secret header does not match the configured secret"
        )
    return None


def _secret_status(headers: Headers, secret: Secret) -> str:
    """Return "ok" or why not; the received value and the clear secret never leave this frame."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    received: list[bytes] = []
    for pair in pairs:
        # Checked at run time too: ASGI servers may hand over lists, callers anything.
        if not isinstance(cast(object, pair), tuple | list) or len(pair) != 2:
            raise TypeError("headers must be a mapping or an iterable of (name, value) pairs")
        name, value = pair
        if _lower(name) == "secret":
            received.append(_wire_bytes(value))
    if not received:
        return _STATUS_MISSING
    if len(received) > 1:
        return _STATUS_SEVERAL
    ok = hmac.compare_digest(received[0].strip(b" \t"), secret.reveal().encode())
    return "ok" if ok else _STATUS_WRONG


def _lower(name: str | bytes) -> str:
    if isinstance(name, bytes | bytearray):
        return bytes(name).decode("latin-1").lower()
    if isinstance(name, str):
        return name.lower()
    raise TypeError(f"a header name must be str or bytes, not {type(name).__name__}")


def _wire_bytes(value: str | bytes) -> bytes:
    """Return a header value as the bytes that were on the wire (aiohttp decodes with escapes)."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    raise TypeError(f"a header value must be str or bytes, not {type(value).__name__}")


@overload
def parse(
    headers: Headers,
    body: bytes | str,
    *,
    secret: str | Secret,
    kind: Literal[WebhookKind.CREATED, "created"],
    max_body_bytes: int = ...,
) -> AssignmentCreated: ...
@overload
def parse(
    headers: Headers,
    body: bytes | str,
    *,
    secret: str | Secret,
    kind: Literal[WebhookKind.UPDATED, "updated"],
    max_body_bytes: int = ...,
) -> AssignmentUpdated: ...
@overload
def parse(
    headers: Headers,
    body: bytes | str,
    *,
    secret: str | Secret,
    kind: Literal[WebhookKind.DELETED, "deleted"],
    max_body_bytes: int = ...,
) -> AssignmentDeleted: ...
@overload
def parse(
    headers: Headers,
    body: bytes | str,
    *,
    secret: str | Secret,
    kind: None = None,
    max_body_bytes: int = ...,
) -> AssignmentEvent: ...
@overload
def parse(
    headers: Headers,
    body: bytes | str,
    *,
    secret: str | Secret,
    kind: WebhookKind | str | None = None,
    max_body_bytes: int = ...,
) -> WebhookEvent: ...
def parse(
    headers: Headers,
    body: bytes | str,
    *,
    secret: str | Secret,
    kind: WebhookKind | str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> WebhookEvent:
    """Verify a webhook request's secret, then decode its body into the event for ``kind``.

    An unknown kind, or None, gives the lenient AssignmentEvent. Raises a WebhookError
    subclass (its ``http_status`` is the answer to send) for a bad request, and TypeError or
    ValueError for bad arguments, which are checked first.
    """
    secret = as_secret(secret, "secret")  # rebinds the name: this frame holds no clear text
    cls = event_class(kind)
    check_limit(max_body_bytes)
    error = secret_error(headers, secret)
    del headers  # verified: a traceback's locals then hold no header value (nor the secret)
    if error is not None:
        raise error
    return decode(body, cls, max_body_bytes)


def webhook_headers(secret: str | Secret, *, target_address: str | None = None) -> dict[str, str]:
    """Return the headers flinkey sends with a webhook (for fake senders and tests).

    The result holds the secret in clear, as it must go on the wire: do not log it.
    """
    headers = {
        "Content-Type": "application/json",
        SECRET_HEADER: as_secret(secret, "secret").reveal(),
    }
    if target_address is not None:
        headers[TARGET_ADDRESS_HEADER] = target_address
    return headers
