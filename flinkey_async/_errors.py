"""Exceptions, and the one pure function that maps an HTTP error response to them.

FlinkeyError
├── APIError                      any non-2xx answer from flinkey
│   ├── AuthenticationError       credentials are wrong (never retried as "not found")
│   │   ├── InvalidAPIKeyError    401 "Access denied due to invalid subscription key."
│   │   ├── InvalidTokenError     401 "Unauthorized. Access token is missing or invalid."
│   │   ├── UnknownManagerError   404 "Unable to find a manager for the given OAuth ID claim data."
│   │   └── TokenRequestError     POST /oauth2/token was refused
│   ├── BadRequestError           400
│   ├── NotFoundError             404 for a service, product, ...
│   ├── ConflictError             409
│   ├── UnsupportedMediaTypeError 415 (RFC 7807 body whose "status" is a string)
│   ├── RateLimitError            429
│   ├── RedirectError             3xx the client will not follow (another host, or too many)
│   └── ServerError               5xx
├── ConfigurationError            the client's settings cannot work (no token endpoint there)
├── ResponseDecodeError           2xx whose body is not the documented JSON (or is too large)
├── TransportError                the request did not get an HTTP answer
│   └── FlinkeyTimeoutError       the call's deadline passed (also a builtin TimeoutError)
├── ClientClosedError             the client was closed (before or during the call)
└── WrongEventLoopError           the client was used from another event loop (also RuntimeError)

Every error carries ``retries_taken``: how many times the call was retried before it failed.
Messages and body excerpts are redacted: no live Secret (API key, password, token) shows.
"""

from __future__ import annotations

import itertools
import re
import reprlib
from collections.abc import Mapping
from typing import Any, Final

from ._json import try_loads
from ._redact import redact

EXCERPT_LIMIT: Final = 200
MESSAGE_LIMIT: Final = 1000
_HTML_TITLE: Final = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)

MSG_INVALID_API_KEY: Final = (
    "Access denied due to invalid subscription key. "
    "Make sure to provide a valid key for an active subscription."
)
MSG_INVALID_TOKEN: Final = "Unauthorized. Access token is missing or invalid."
MSG_UNKNOWN_MANAGER: Final = "Unable to find a manager for the given OAuth ID claim data."


class FlinkeyError(Exception):
    """Base of every error this SDK raises for a failed call."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body_excerpt: str = "",
        method: str | None = None,
        url: object = None,
        trace_id: str | None = None,
        retry_after: float | None = None,
        retries_taken: int = 0,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.status = status
        self.body_excerpt = redact(body_excerpt)
        self.method = method
        # A yarl URL is accepted and turned into text only now, off the success path.
        self.url: str | None = None if url is None else str(url)
        self.trace_id = trace_id
        self.retry_after = retry_after
        self.retries_taken = retries_taken

    def __str__(self) -> str:
        where = f"{self.method} {_path_of(self.url)}: " if self.method and self.url else ""
        status = f"HTTP {self.status}: " if self.status is not None else ""
        return f"{where}{status}{self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class APIError(FlinkeyError):
    """flinkey answered with a non-2xx status."""

    status: int


class AuthenticationError(APIError):
    """The API key, the API manager's credentials or the bearer token were refused."""


class InvalidAPIKeyError(AuthenticationError):
    """The gateway refused the flinkey-API-Key header."""


class InvalidTokenError(AuthenticationError):
    """The bearer token is missing, invalid or expired (the client renews it once)."""


class UnknownManagerError(AuthenticationError):
    """The token's API manager is unknown to flinkey, or may not act for this customer."""


class TokenRequestError(AuthenticationError):
    """The token endpoint refused the username, password or form."""


class BadRequestError(APIError):
    """flinkey rejected the request as invalid (400)."""


class NotFoundError(APIError):
    """The resource does not exist or is not assigned to the customer (404)."""


class ConflictError(APIError):
    """The request conflicts with the resource's state (409)."""


class UnsupportedMediaTypeError(APIError):
    """flinkey refused the request's Content-Type (415)."""


class RateLimitError(APIError):
    """flinkey asked the client to slow down (429)."""


class ServerError(APIError):
    """flinkey failed to answer the request (5xx)."""


class RedirectError(APIError):
    """flinkey (or a proxy) redirected to another host, or redirected too often.

    The client never sends credentials to a host other than its base URL's, so a redirect there
    is refused instead of followed.
    """


class ConfigurationError(FlinkeyError):
    """The client's settings cannot work: the token endpoint is not at base_url, say."""


class ResponseDecodeError(FlinkeyError):
    """A successful response whose body is not the JSON the API documents."""

    def __init__(self, message: str, *, json_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.json_path = json_path


class TransportError(FlinkeyError):
    """The request got no HTTP answer (connection refused, reset, DNS, ...).

    ``request_sent`` is False only when the request provably never reached the server
    (connection refused, DNS failure, connect timeout), so even a POST may be retried.
    """

    def __init__(self, message: str, *, request_sent: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.request_sent = request_sent


class FlinkeyTimeoutError(TransportError, TimeoutError):
    """The call did not finish within its deadline, retries included."""


class ClientClosedError(FlinkeyError, RuntimeError):
    """The client was closed, before this call or while it was in flight."""


class WrongEventLoopError(FlinkeyError, RuntimeError):
    """The client's session belongs to another (or a closed) event loop."""


_BY_STATUS: Final[Mapping[int, type[APIError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    415: UnsupportedMediaTypeError,
    429: RateLimitError,
}

# Lower-case message prefixes that name a more specific error than the status alone.
_BY_MESSAGE: Final = (
    ("access denied due to invalid subscription key", InvalidAPIKeyError),
    ("invalid subscription key", InvalidAPIKeyError),
    ("unauthorized. access token is missing or invalid", InvalidTokenError),
    ("unable to find a manager", UnknownManagerError),
)


def excerpt(body: bytes | str, limit: int = EXCERPT_LIMIT) -> str:
    """Return the first characters of a body, decoded leniently and redacted, for messages."""
    # Enough of the start to fill the excerpt after redaction, and no more (bodies can be big).
    head = body[: limit * 4 + 1024]
    text = redact(head.decode("utf-8", "replace") if isinstance(head, bytes) else head)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _ShortRepr(reprlib.Repr):
    """reprlib's bounded repr, keeping a dict's keys in the order they arrived."""

    def repr_dict(self, x: dict[Any, Any], level: int) -> str:
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        items = itertools.islice(x.items(), self.maxdict)
        pieces = [f"{self.repr1(k, level - 1)}: {self.repr1(v, level - 1)}" for k, v in items]
        return "{" + ", ".join(pieces + ["..."] * (len(x) > self.maxdict)) + "}"


# Bounded: a body nested 1,000 deep would exceed the recursion limit in repr(), and one of
# 10,000 rows would be built in full only to be cut to an excerpt.
_SHORT_REPR: Final = _ShortRepr()
_SHORT_REPR.maxlevel = 8
_SHORT_REPR.maxdict = _SHORT_REPR.maxlist = _SHORT_REPR.maxtuple = 30
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = _SHORT_REPR.maxlong = EXCERPT_LIMIT


def short_repr(value: Any) -> str:
    """Return a bounded repr of a decoded body (8 levels, 30 items), for an excerpt."""
    return _SHORT_REPR.repr(value)


def parse_error_body(body: bytes) -> tuple[str, str | None]:
    """Return (message, trace id) from any error body shape flinkey is known to send."""
    text = body.decode("utf-8", "replace").strip()
    parsed, data = try_loads(text) if text else (False, None)
    if not parsed:
        title = _HTML_TITLE.search(text) if text.startswith("<") else None
        return (" ".join(title.group(1).split()) if title else text), None
    if isinstance(data, str):
        return data, None
    if isinstance(data, Mapping):
        trace = data.get("traceId")
        for key in ("message", "detail", "error_description", "title", "error"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return value, trace if isinstance(trace, str) else None
    return text, None


def error_for_response(
    status: int,
    body: bytes,
    *,
    method: str,
    url: str,
    retry_after: float | None = None,
) -> APIError:
    """Map a non-2xx status and body to the most specific APIError (pure; no I/O)."""
    message, trace_id = parse_error_body(body)
    if len(message) > MESSAGE_LIMIT:
        # Redacted before it is cut, so no secret is left half-masked at the cut.
        message = redact(message[: MESSAGE_LIMIT + 1024])[: MESSAGE_LIMIT - 1] + "…"
    if not message:
        message = f"HTTP {status} with an empty body"
    cls: type[APIError] = ServerError if status >= 500 else _BY_STATUS.get(status, APIError)
    if status in (401, 404):
        folded = message.lower()
        for prefix, specific in _BY_MESSAGE:
            if folded.startswith(prefix):
                cls = specific
                break
    return cls(
        message,
        status=status,
        body_excerpt=excerpt(body),
        method=method,
        url=url,
        trace_id=trace_id,
        retry_after=retry_after,
    )


def _path_of(url: str | None) -> str:
    """Return the URL without scheme, host and query, for short messages."""
    if not url:
        return ""
    rest = url.split("://", 1)[-1]
    path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return path.split("?", 1)[0]
