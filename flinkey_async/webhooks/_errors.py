"""The errors a refused webhook request raises; ``http_status`` is what a receiver answers.

WebhookError                      (FlinkeyError)
├── WebhookSecretError            401: the sender did not prove it knows the secret
│   ├── MissingWebhookSecretError no Secret header
│   └── WrongWebhookSecretError   a Secret header that does not match (or several of them)
└── WebhookBodyError              400: the body is not a webhook payload
    ├── WebhookBodyTooLargeError  413: more than max_body_bytes
    ├── WebhookJSONError          not UTF-8 JSON (or nested too deep, or a number too long)
    └── WebhookPayloadError       JSON of the wrong shape; ``json_path`` names the place

Messages never hold the secret, the received header value or any value from the body.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .._errors import FlinkeyError


class WebhookError(FlinkeyError):
    """A webhook request this SDK refuses; ``http_status`` is the status to answer with."""

    http_status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(http_status={self.http_status}, message={self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only fields would otherwise be lost when the error is pickled.
        return _restore, (type(self), self.message, dict(vars(self)))


class WebhookSecretError(WebhookError):
    """The request does not carry the shared secret, so it may not come from flinkey."""

    http_status: ClassVar[int] = 401


class MissingWebhookSecretError(WebhookSecretError):
    """The request has no Secret header (flinkey sends it when a secret is configured)."""


class WrongWebhookSecretError(WebhookSecretError):
    """The request's Secret header does not match the configured secret (or is ambiguous)."""


class WebhookBodyError(WebhookError):
    """The request's body is not a webhook payload this SDK can read."""


class WebhookBodyTooLargeError(WebhookBodyError):
    """The body is over ``max_body_bytes``; it was refused before any parsing."""

    http_status: ClassVar[int] = 413

    def __init__(self, message: str, *, limit: int, size: int | None = None) -> None:
        super().__init__(message)
        self.limit = limit
        # None when the body was refused while streaming, before its size was known.
        self.size = size


class WebhookJSONError(WebhookBodyError):
    """The body is empty, not UTF-8, not JSON, nested too deep or holds a number too long."""


class WebhookPayloadError(WebhookBodyError):
    """The body is JSON but not the documented payload; ``json_path`` names the first problem."""

    def __init__(self, message: str, *, json_path: str) -> None:
        super().__init__(message)
        self.json_path = json_path


def _restore(cls: type[WebhookError], message: str, state: dict[str, Any]) -> WebhookError:
    """Rebuild a pickled WebhookError without calling its __init__."""
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error
