"""What every handler of the fake shares: credentials, answer shapes, checked parsing of input."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final, Protocol

from aiohttp import web

from .._validate import INT32_MAX

if TYPE_CHECKING:
    from ._store import FakeStore
    from ._webhooks import WebhookSender

JSON = dict[str, Any]

API_KEY: Final = "fake-api-key"
USERNAME: Final = "manager@example.com"
PASSWORD: Final = "fake-password"
SDK_KEY: Final = "fake-sdk-key"
MSG_SERVER_ERROR: Final = "Internal server error."
# The fake's wording (flinkey documents no text for a missing or malformed Customer-ID).
MSG_BAD_CUSTOMER_ID: Final = "The Customer-ID header is missing or invalid."

_PROBLEM_TYPES: Final = {
    400: "https://tools.ietf.org/html/rfc7231#section-6.5.1",
    415: "https://tools.ietf.org/html/rfc7231#section-6.5.13",
}
_SHOWN: Final = 40


class Server(Protocol):
    """The state of the fake server that its handlers read and change."""

    api_key: str
    manager_known: bool
    customers: set[int]
    sdk_key: str
    store: FakeStore
    webhooks: WebhookSender

    def token_valid(self, token: str) -> bool:
        """Whether a bearer token was issued by this server and has not expired."""
        ...

    def evaluate(self, request: web.Request, rows: Any, *, entity: type[Any] | None = None) -> Any:
        """Apply the request's OData options to rows (or to one row)."""
        ...


class Refusal(Exception):
    """An answer other than success, raised deep in a handler: a status and flinkey's text."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> web.Response:
        """The plain-text answer flinkey gives for its documented 4xx texts."""
        return text(self.status, self.message)


def customer_of(request: web.Request) -> int:
    """The Customer-ID of a request to a scoped endpoint (the middleware has checked it)."""
    return int(request.headers["Customer-ID"])


def json_response(data: Any, status: int = 200) -> web.Response:
    """Answer with a JSON body."""
    return web.Response(
        status=status, body=json.dumps(data).encode(), content_type="application/json"
    )


def text(status: int, message: str) -> web.Response:
    """Answer with a plain-text body (flinkey's 400/404/409/500 texts)."""
    return web.Response(status=status, text=message)


def apim(status: int, message: str) -> web.Response:
    """Answer like the Azure API Management gateway in front of flinkey (its 401s)."""
    return web.json_response({"statusCode": status, "message": message}, status=status)


def problem(status: int, title: str) -> web.Response:
    """Answer with ASP.NET Core's problem JSON (status as a string, as flinkey documents it)."""
    body = {
        "type": _PROBLEM_TYPES.get(status, "about:blank"),
        "title": title,
        "status": str(status),
        "traceId": "00-fake-trace-00",
    }
    return web.json_response(body, status=status, content_type="application/problem+json")


def unsupported_media_type() -> web.Response:
    """The documented 415 for a body without the expected Content-Type."""
    return problem(415, "Unsupported Media Type")


def shown(value: str) -> str:
    """Return input for an error message, cut short so hostile input cannot bloat the answer."""
    return value if len(value) <= _SHOWN else value[:_SHOWN] + "..."


def parse_int32(value: object) -> int | None:
    """Return a positive int32 from a JSON number or a numeric string ("12"), else None.

    flinkey's own web component sends ids as strings and the server accepts them (reference
    §5.18); ASP.NET Core reads numbers from strings by default.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= 10):
            return None
        value = int(value)
    if not isinstance(value, int) or not 0 < value <= INT32_MAX:
        return None
    return value


def path_id(request: web.Request, name: str) -> int:
    """Return the integer path parameter ``name``, or refuse with 400 (never a 500).

    The text is ASP.NET Core's model-binding wording; flinkey documents none (an assumption).
    """
    raw = request.match_info[name]
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= INT32_MAX:
        return int(raw)  # 0 is a number that names nothing: a 404 later, not a 400
    raise Refusal(400, f"The value '{shown(raw)}' is not valid for {name}.")


async def read_json(request: web.Request) -> JSON:
    """Return a JSON object body, or refuse: 415 without ``application/json``, 400 if malformed."""
    if request.content_type != "application/json":
        raise _Answer(unsupported_media_type())
    raw = await request.read()
    try:
        body = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError):
        body = None  # not JSON, invalid UTF-8, a number too long to read, nested too deeply
    if not isinstance(body, dict):
        raise _Answer(problem(400, "One or more validation errors occurred."))
    return body


class _Answer(Refusal):
    """A refusal whose answer is not plain text (a problem JSON)."""

    def __init__(self, answer: web.Response) -> None:
        super().__init__(answer.status, answer.reason or "")
        self.answer = answer

    def response(self) -> web.Response:
        return self.answer
