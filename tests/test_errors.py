"""The pure error mapper: every body shape flinkey sends, every documented status."""

from __future__ import annotations

import pytest

from flinkey_async import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FlinkeyError,
    FlinkeyTimeoutError,
    InvalidAPIKeyError,
    InvalidTokenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnknownManagerError,
    UnsupportedMediaTypeError,
)
from flinkey_async._errors import error_for_response, excerpt, parse_error_body

URL = "https://api.flinkey.de/v3/services/7?$top=1"


@pytest.mark.parametrize(
    ("body", "message", "trace"),
    [
        (b'{"statusCode": 401, "message": "Nope."}', "Nope.", None),
        (
            b'{"type": "t", "title": "Unsupported Media Type", "status": "415", "traceId": "x1"}',
            "Unsupported Media Type",
            "x1",
        ),
        (b'{"title": "Bad", "detail": "Field x is wrong."}', "Field x is wrong.", None),
        (b'"Invalid brand provided."', "Invalid brand provided.", None),
        (b"Internal server error.\n", "Internal server error.", None),
        (
            b'{"error": "invalid_grant", "error_description": "Bad password."}',
            "Bad password.",
            None,
        ),
        (b"[1, 2]", "[1, 2]", None),
        (b"", "", None),
    ],
)
def test_parse_error_body_shapes(body: bytes, message: str, trace: str | None) -> None:
    """APIM JSON, RFC 7807, bare JSON strings, OAuth errors and plain text are all read."""
    assert parse_error_body(body) == (message, trace)


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (
            401,
            b'{"statusCode": 401, "message": "Access denied due to invalid subscription key. '
            b'Make sure to provide a valid key for an active subscription."}',
            InvalidAPIKeyError,
        ),
        (401, b"Invalid subscription key.", InvalidAPIKeyError),
        (
            401,
            b'{"statusCode": 401, "message": "Unauthorized. Access token is missing or invalid."}',
            InvalidTokenError,
        ),
        (401, b"something else", AuthenticationError),
        (404, b"Unable to find a manager for the given OAuth ID claim data.", UnknownManagerError),
        (404, b"UNABLE TO FIND A MANAGER for the given OAuth ID claim data.", UnknownManagerError),
        (
            404,
            b"Unable to find a service for the given serviceId which is assigned to the "
            b"given customerId.",
            NotFoundError,
        ),
        (400, b"Couldn't install product into car. No valid carId provided.", BadRequestError),
        (409, b"The product is already installed into a car.", ConflictError),
        (415, b'{"title": "Unsupported Media Type", "status": "415"}', UnsupportedMediaTypeError),
        (429, b"", RateLimitError),
        (500, b"Internal server error.", ServerError),
        (503, b"<html>Service Unavailable</html>", ServerError),
        (418, b"teapot", APIError),
    ],
)
def test_status_and_message_pick_the_class(status: int, body: bytes, cls: type[APIError]) -> None:
    """The mapper picks the most specific class and keeps status, method, URL and excerpt."""
    err = error_for_response(status, body, method="GET", url=URL)
    assert type(err) is cls
    assert (err.status, err.method, err.url) == (status, "GET", URL)
    assert err.body_excerpt == excerpt(body)
    assert isinstance(err, FlinkeyError)


def test_message_and_str() -> None:
    """str() gives method, path (no host, no query), status and the server's message."""
    err = error_for_response(404, b"No such thing.", method="GET", url=URL)
    assert err.message == "No such thing."
    assert str(err) == "GET /v3/services/7: HTTP 404: No such thing."
    assert repr(err) == "NotFoundError(status=404, message='No such thing.')"
    empty = error_for_response(502, b"", method="GET", url=URL)
    assert empty.message == "HTTP 502 with an empty body"


def test_excerpt_is_short_and_single_line() -> None:
    """Bodies are cut to 200 characters with whitespace folded."""
    text = excerpt(b"a\n\n b" + b"x" * 500)
    assert text.startswith("a bxxx")
    assert len(text) == 200
    assert text.endswith("…")
    assert excerpt(b"\xff\xfeok") == "\ufffd\ufffdok"


def test_timeout_error_is_a_builtin_timeout() -> None:
    """FlinkeyTimeoutError is caught by 'except TimeoutError' as well as by FlinkeyError."""
    assert issubclass(FlinkeyTimeoutError, TimeoutError)
    assert issubclass(FlinkeyTimeoutError, FlinkeyError)
