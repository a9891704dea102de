"""flinkey_async.webhooks without a server: the secret check, every bad body, the wire form."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import traceback
import types
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from multidict import CIMultiDict
from starlette.datastructures import Headers as StarletteHeaders

import flinkey_async
import flinkey_async.webhooks as webhooks
from flinkey_async import FlinkeyError, Secret
from flinkey_async.webhooks import (
    AssignmentCreated,
    AssignmentDeleted,
    AssignmentEvent,
    AssignmentUpdated,
    MissingWebhookSecretError,
    WebhookBodyError,
    WebhookBodyTooLargeError,
    WebhookError,
    WebhookJSONError,
    WebhookKind,
    WebhookPayloadError,
    WebhookSecretError,
    WrongWebhookSecretError,
    parse,
    to_json,
    to_wire,
    verify,
    webhook_headers,
)

SECRET = "whs-4b9d1e7a-very-secret"
WRONG = "whs-received-but-WRONG"
HEADERS = {"Secret": SECRET}
CHECKSUM = "12AB34567C8DE9012F3A45BCDE678901"
CREATED_WIRE: dict[str, Any] = {
    "checksum": CHECKSUM,
    "assignmentId": 501,
    "carId": 11,
    "userId": 21,
    "start": "2024-05-01T08:00:00",
    "end": "2024-05-31T18:00:00+02:00",
    "customerId": 1,
    "operationSucceeded": True,
    "errorMessage": None,
    "lifetime": 3600,
    "renewableAfter": 1800,
}
CREATED = AssignmentCreated(
    checksum=CHECKSUM,
    assignment_id=501,
    car_id=11,
    user_id=21,
    start=datetime(2024, 5, 1, 8, tzinfo=UTC),
    end=datetime(2024, 5, 31, 18, tzinfo=timezone(timedelta(hours=2))),
    customer_id=1,
    operation_succeeded=True,
    error_message=None,
    lifetime=3600,
    renewable_after=1800,
)
MINIMAL = {"checksum": CHECKSUM, "customerId": 1, "operationSucceeded": True}


def body(**changes: Any) -> bytes:
    """The created payload as JSON bytes; a change to ... removes the key."""
    data = {**CREATED_WIRE, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not ...}).encode()


def test_parse_created() -> None:
    """Every field is read; a date-time without offset is UTC, an offset is kept; extras ignored."""
    event = parse(HEADERS, body(newField={"a": [1]}), secret=SECRET, kind="created")
    assert event == CREATED
    assert event.start.tzinfo is UTC
    assert AssignmentCreated.kind is WebhookKind.CREATED


def test_parse_failed_create() -> None:
    """A failed create has no assignment id and an error message."""
    event = parse(
        HEADERS,
        body(assignmentId=None, operationSucceeded=False, errorMessage="User not found."),
        secret=SECRET,
        kind=WebhookKind.CREATED,
    )
    assert event == attrs.evolve(
        CREATED, assignment_id=None, operation_succeeded=False, error_message="User not found."
    )


def test_parse_updated_is_partial() -> None:
    """Only the checksum is required in an update (its payload is only partly documented)."""
    event = parse(HEADERS, json.dumps({"checksum": CHECKSUM}), secret=SECRET, kind="updated")
    assert event == AssignmentUpdated(checksum=CHECKSUM)
    full = parse(HEADERS, body(), secret=SECRET, kind="updated")
    assert full == AssignmentUpdated(**attrs.asdict(CREATED))


def test_parse_deleted() -> None:
    """A deletion needs checksum, assignmentId, customerId and operationSucceeded."""
    data = {**MINIMAL, "assignmentId": 501, "errorMessage": None}
    event = parse(HEADERS, json.dumps(data).encode(), secret=SECRET, kind="deleted")
    assert event == AssignmentDeleted(
        checksum=CHECKSUM, assignment_id=501, customer_id=1, operation_succeeded=True
    )
    with pytest.raises(WebhookPayloadError) as info:
        parse(HEADERS, json.dumps(MINIMAL), secret=SECRET, kind="deleted")
    assert info.value.json_path == "$.assignmentId"


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        ("created", AssignmentCreated),
        (WebhookKind.UPDATED, AssignmentUpdated),
        (" Deleted ", AssignmentDeleted),
        (None, AssignmentEvent),
        ("archived", AssignmentEvent),
    ],
)
def test_kind_picks_the_model(kind: WebhookKind | str | None, cls: type[Any]) -> None:
    """A known kind (any case) picks its model; None or an unknown kind the lenient one."""
    assert type(parse(HEADERS, body(), secret=SECRET, kind=kind)) is cls


def test_lenient_event() -> None:
    """AssignmentEvent needs only checksum, customerId and operationSucceeded."""
    assert parse(HEADERS, json.dumps(MINIMAL), secret=SECRET) == AssignmentEvent(
        checksum=CHECKSUM, customer_id=1, operation_succeeded=True
    )


def test_webhook_kind_is_open() -> None:
    """An unknown kind is kept (and cached), not refused."""
    later = WebhookKind("archived")
    assert later.value == "archived"
    assert later.is_known is False
    assert WebhookKind("archived") is later
    assert WebhookKind("CREATED") is WebhookKind.CREATED
    assert WebhookKind.CREATED.is_known
    assert repr(WebhookKind.DELETED) == "<WebhookKind.DELETED: 'deleted'>"


@pytest.mark.parametrize(
    "headers",
    [
        {"Secret": SECRET},
        {"secret": SECRET},
        {"SECRET": SECRET, "Target-Webhook-Address": "https://example.test/hook"},
        [("Content-Type", "application/json"), ("secret", SECRET)],
        [(b"content-type", b"application/json"), (b"secret", SECRET.encode())],
        [[b"Secret", f" {SECRET}\t".encode()]],
        CIMultiDict({"sEcReT": SECRET}),
        StarletteHeaders(raw=[(b"secret", SECRET.encode())]),
        webhook_headers(SECRET, target_address="https://example.test/hook"),
    ],
    ids=[
        "Secret",
        "secret",
        "SECRET",
        "str-pairs",
        "asgi",
        "list-pair",
        "multidict",
        "starlette",
        "sender",
    ],
)
def test_secret_header_forms(headers: Any) -> None:
    """The header is found in any case, in any mapping or (name, value) pairs, str or bytes."""
    assert parse(headers, body(), secret=SECRET, kind="created") == CREATED
    verify(headers, secret=Secret(SECRET))  # does not raise


def test_secret_may_be_a_secret() -> None:
    """flinkey_async.Secret is accepted wherever a str secret is."""
    assert parse(HEADERS, body(), secret=Secret(SECRET), kind="created") == CREATED


@pytest.mark.parametrize(
    ("headers", "cls", "message"),
    [
        ({}, MissingWebhookSecretError, "the webhook request has no Secret header"),
        (
            {"X-Secret": SECRET},
            MissingWebhookSecretError,
            "the webhook request has no Secret header",
        ),
        (
            {"Secret": WRONG},
            WrongWebhookSecretError,
            "the webhook request's Secret header does not match the configured secret",
        ),
        (
            {"Secret": SECRET.upper()},
            WrongWebhookSecretError,
            "the webhook request's Secret header does not match the configured secret",
        ),
        (
            {"Secret": ""},
            WrongWebhookSecretError,
            "the webhook request's Secret header does not match the configured secret",
        ),
        (
            {"Secret": SECRET, "secret": WRONG},
            WrongWebhookSecretError,
            "the webhook request has more than one Secret header",
        ),
        (
            [(b"secret", SECRET.encode()), (b"secret", SECRET.encode())],
            WrongWebhookSecretError,
            "the webhook request has more than one Secret header",
        ),
    ],
    ids=["none", "other-name", "wrong", "wrong-case-value", "empty", "two", "two-same"],
)
def test_secret_refused(headers: Any, cls: type[WebhookSecretError], message: str) -> None:
    """A missing, wrong or ambiguous secret is a 401 error, before the body is looked at."""
    with pytest.raises(WebhookError) as parsed:
        parse(headers, b"not even json", secret=SECRET)
    with pytest.raises(WebhookError) as verified:
        verify(headers, secret=SECRET)
    for error in (parsed.value, verified.value):
        assert type(error) is cls
        assert isinstance(error, WebhookSecretError)
        assert isinstance(error, FlinkeyError)
        assert error.http_status == 401
        assert error.message == str(error) == message
        assert repr(error) == f"{cls.__name__}(http_status=401, message={message!r})"
        _assert_no_secret(error)


NOT_AN_OBJECT = "the webhook body is not a payload: $: expected an object, got "
PAYLOAD = "the webhook body is not a payload: "


@pytest.mark.parametrize(
    ("raw", "cls", "message", "path"),
    [
        (b"", WebhookJSONError, "the webhook body is empty", None),
        (b" \r\n", WebhookJSONError, "the webhook body is empty", None),
        (
            b"checksum=12AB",
            WebhookJSONError,
            "the webhook body is not valid JSON (Expecting value at line 1 column 1)",
            None,
        ),
        (
            b'{"checksum": "12AB",',
            WebhookJSONError,
            "the webhook body is not valid JSON "
            "(Expecting property name enclosed in double quotes at line 1 column 21)",
            None,
        ),
        (b"\xff\xfe{}", WebhookJSONError, "the webhook body is not UTF-8 text", None),
        (
            b'{"checksum": NaN}',
            WebhookJSONError,
            "the webhook body is not valid JSON (NaN is not a JSON value)",
            None,
        ),
        (b"[]", WebhookPayloadError, NOT_AN_OBJECT + "an array", "$"),
        (body().join([b"[", b"]"]), WebhookPayloadError, NOT_AN_OBJECT + "an array", "$"),
        (b'"created"', WebhookPayloadError, NOT_AN_OBJECT + "a string", "$"),
        (b"null", WebhookPayloadError, NOT_AN_OBJECT + "null", "$"),
        (b"42", WebhookPayloadError, NOT_AN_OBJECT + "a number", "$"),
        (
            body(carId="11"),
            WebhookPayloadError,
            PAYLOAD + "$.carId: expected an integer, got a string",
            "$.carId",
        ),
        (
            body(carId=True),
            WebhookPayloadError,
            PAYLOAD + "$.carId: expected an integer, got a boolean",
            "$.carId",
        ),
        (
            body(carId=11.5),
            WebhookPayloadError,
            PAYLOAD + "$.carId: expected an integer, got a number",
            "$.carId",
        ),
        (
            body(carId=2**31),
            WebhookPayloadError,
            PAYLOAD + "$.carId: expected a 32-bit integer, got one out of range",
            "$.carId",
        ),
        (
            body(operationSucceeded="false"),
            WebhookPayloadError,
            PAYLOAD + "$.operationSucceeded: expected true or false, got a string",
            "$.operationSucceeded",
        ),
        (
            body(operationSucceeded=None),
            WebhookPayloadError,
            PAYLOAD + "$.operationSucceeded: expected true or false, got null",
            "$.operationSucceeded",
        ),
        (
            body(checksum=12),
            WebhookPayloadError,
            PAYLOAD + "$.checksum: expected a string, got a number",
            "$.checksum",
        ),
        (
            body(start=1714550400),
            WebhookPayloadError,
            PAYLOAD + "$.start: expected a date-time string, got a number",
            "$.start",
        ),
        (
            body(start="yesterday"),
            WebhookPayloadError,
            PAYLOAD + "$.start: expected an ISO 8601 date-time",
            "$.start",
        ),
        (
            body(customerId=...),
            WebhookPayloadError,
            PAYLOAD + "$.customerId: a required field is missing",
            "$.customerId",
        ),
        (
            body(checksum=..., userId="21", end=5),
            WebhookPayloadError,
            PAYLOAD
            + "$.checksum: a required field is missing; $.userId: expected an integer, got a "
            "string; $.end: expected a date-time string, got a number",
            "$.checksum",
        ),
        (b"{}", WebhookPayloadError, None, "$.checksum"),
    ],
    ids=[
        "empty",
        "blank",
        "form",
        "truncated",
        "not-utf8",
        "nan",
        "array",
        "array-of-payload",
        "string",
        "null",
        "number",
        "int-as-string",
        "int-as-bool",
        "int-as-fraction",
        "int-out-of-range",
        "bool-as-string",
        "bool-null",
        "str-as-number",
        "datetime-as-number",
        "datetime-garbage",
        "missing",
        "several",
        "empty-object",
    ],
)
def test_bad_body(
    raw: bytes, cls: type[WebhookBodyError], message: str | None, path: str | None
) -> None:
    """Each malformed body is a 400 error of its own class, naming the first wrong field."""
    with pytest.raises(WebhookError) as info:
        parse(HEADERS, raw, secret=SECRET, kind="created")
    error = info.value
    assert type(error) is cls
    assert isinstance(error, WebhookBodyError)
    assert error.http_status == 400
    if message is not None:
        assert str(error) == message
    assert getattr(error, "json_path", None) == path
    _assert_no_secret(error)


def test_body_as_str() -> None:
    """A str body works like its UTF-8 bytes (a BOM is tolerated in bytes)."""
    text = body(errorMessage="Schlüssel ungültig").decode()
    expected = attrs.evolve(CREATED, error_message="Schlüssel ungültig")
    assert parse(HEADERS, text, secret=SECRET, kind="created") == expected
    assert (
        parse(HEADERS, b"\xef\xbb\xbf" + text.encode(), secret=SECRET, kind="created") == expected
    )


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000,
        b'{"a":' + b"[" * 99_995,
        b'{"a":' * 20_000,
        body()[:-1] + b',"x":' + b"[" * 40 + b"]" * 40 + b"}",
    ],
    ids=["brackets", "in-object", "objects", "in-extra-key"],
)
def test_deep_nesting(raw: bytes) -> None:
    """A nesting bomb is a WebhookJSONError, never a RecursionError."""
    with pytest.raises(WebhookJSONError) as info:
        parse(HEADERS, raw, secret=SECRET, max_body_bytes=1_000_000)
    assert str(info.value) == "the webhook body is nested deeper than 32 levels"
    assert info.value.http_status == 400


def test_brackets_in_strings_are_not_nesting() -> None:
    """Brackets inside JSON strings (quotes escaped too) do not count as nesting."""
    raw = body(errorMessage='[[{ \\" ' + "[" * 5000 + '"')
    assert parse(HEADERS, raw, secret=SECRET, kind="created").error_message == (
        '[[{ \\" ' + "[" * 5000 + '"'
    )
    assert parse(HEADERS, body(extra=[[[[1]]]]), secret=SECRET, kind="created") == CREATED


@pytest.mark.parametrize(
    "number",
    ["9" * 5000, "-" + "9" * 5000, "1." + "0" * 5000, "1e" + "9" * 200],
    ids=["int", "negative", "fraction", "exponent"],
)
def test_huge_number(number: str) -> None:
    """A number too long to be an id is a WebhookJSONError (no int() digit-limit ValueError)."""
    raw = body()[:-1] + f',"carId2":{number}}}'.encode()
    with pytest.raises(WebhookJSONError) as info:
        parse(HEADERS, raw, secret=SECRET)
    assert str(info.value) == "the webhook body holds a number longer than 100 characters"


@pytest.mark.parametrize("number", ["1e999", "-1e999", "1e300"])
def test_overflowing_number_in_an_id(number: str) -> None:
    """An infinite or enormous number in an id is a payload error, never an OverflowError."""
    raw = body().replace(b'"carId": 11', f'"carId": {number}'.encode())
    with pytest.raises(WebhookPayloadError) as info:
        parse(HEADERS, raw, secret=SECRET, kind="created")
    assert info.value.json_path == "$.carId"


def test_integral_float_id_is_tolerated() -> None:
    """flinkey documents ids as JSON "number": 11.0 is read as 11."""
    assert parse(HEADERS, body(carId=11.0), secret=SECRET, kind="created") == CREATED


def test_body_too_large() -> None:
    """A body over max_body_bytes is a 413 error before any decoding; the limit is inclusive."""
    raw = body()
    assert parse(HEADERS, raw, secret=SECRET, kind="created", max_body_bytes=len(raw)) == CREATED
    for too_big in (raw, raw.decode()):
        with pytest.raises(WebhookBodyTooLargeError) as info:
            parse(HEADERS, too_big, secret=SECRET, max_body_bytes=len(raw) - 1)
        error = info.value
        assert (error.http_status, error.limit, error.size) == (413, len(raw) - 1, len(raw))
        assert str(error) == (
            f"the webhook body has {len(raw)} bytes and is larger than "
            f"max_body_bytes={len(raw) - 1}"
        )
    huge = b"[" * (webhooks.DEFAULT_MAX_BODY_BYTES + 1)
    with pytest.raises(WebhookBodyTooLargeError):
        parse(HEADERS, huge, secret=SECRET)
    ascii_sized = "ü" * 40_000  # 40 000 characters, 80 000 UTF-8 bytes
    with pytest.raises(WebhookBodyTooLargeError) as info:
        parse(HEADERS, ascii_sized, secret=SECRET)
    assert info.value.size == 80_000


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"secret": ""}, ValueError, "secret: a secret must not be empty or blank"),
        ({"secret": None}, TypeError, "secret: a secret must be a str, not NoneType"),
        ({"kind": 1}, TypeError, "kind must be a WebhookKind, a str or None, not int"),
        ({"max_body_bytes": 0}, ValueError, "max_body_bytes must be at least 1, got 0"),
        ({"max_body_bytes": True}, TypeError, "max_body_bytes must be an int, not bool"),
        ({"body": 5}, TypeError, "body must be bytes or str, not int"),
        ({"headers": [("Secret",)]}, TypeError, "headers must be a mapping or an iterable of"),
        ({"headers": [(1, 2)]}, TypeError, "a header name must be str or bytes, not int"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], exc: type[Exception], message: str) -> None:
    """A caller's mistake is a TypeError/ValueError (not a WebhookError a receiver would answer)."""
    call: dict[str, Any] = {"headers": HEADERS, "body": body(), "secret": SECRET, **kwargs}
    with pytest.raises(exc) as info:
        parse(call.pop("headers"), call.pop("body"), **call)
    assert not isinstance(info.value, WebhookError)
    assert str(info.value).startswith(message)


def _assert_no_secret(error: BaseException) -> None:
    """Neither the secret nor a received header value is in the error or its frames' locals."""
    assert error.__traceback__ is not None
    # The first frame is the test's own (it holds the headers); the SDK's frames follow.
    frames = traceback.TracebackException(
        type(error), error, error.__traceback__.tb_next, capture_locals=True
    )
    rendered = "".join(frames.format()) + str(error) + repr(error) + repr(error.args)
    rendered += repr(vars(error)) + repr(pickle.loads(pickle.dumps(error)))
    for value in (SECRET, WRONG, SECRET.upper()):
        assert value not in rendered


@pytest.mark.parametrize(
    ("headers", "raw"),
    [
        ({"Secret": SECRET}, b"[" * 60_000),
        ({"Secret": SECRET}, body(carId="x")),
        ({"Secret": SECRET}, b"nope"),
        ({"Secret": SECRET}, b"\x00" * 70_000),
        ({"Secret": WRONG}, body()),
        ({"Secret": SECRET.upper()}, body()),
    ],
)
def test_secret_never_in_errors_or_tracebacks(headers: dict[str, str], raw: bytes) -> None:
    """Even with capture_locals, no SDK frame shows the secret or the received value."""
    with pytest.raises(WebhookError) as info:
        parse(headers, raw, secret=SECRET)
    _assert_no_secret(info.value)


def test_errors_pickle() -> None:
    """Webhook errors survive pickling with their fields (e.g. through a logging queue)."""
    for error in (
        WebhookBodyTooLargeError("too large", limit=10, size=11),
        WebhookPayloadError("bad", json_path="$.carId"),
        MissingWebhookSecretError("none"),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert vars(copy) == vars(error)
        assert str(copy) == str(error)


def test_to_wire_is_flinkeys_shape() -> None:
    """to_wire gives camelCase keys in the documented order, ISO date-times and nulls."""
    assert to_wire(CREATED) == {
        **CREATED_WIRE,
        "start": "2024-05-01T08:00:00+00:00",
        "end": "2024-05-31T18:00:00+02:00",
    }
    assert list(to_wire(CREATED)) == list(CREATED_WIRE)
    deleted = AssignmentDeleted(
        checksum=CHECKSUM, assignment_id=7, customer_id=1, operation_succeeded=True
    )
    assert to_json(deleted) == (
        b'{"checksum":"12AB34567C8DE9012F3A45BCDE678901","assignmentId":7,"carId":null,'
        b'"userId":null,"start":null,"end":null,"customerId":1,"operationSucceeded":true,'
        b'"errorMessage":null,"lifetime":null,"renewableAfter":null}'
    )
    with pytest.raises(TypeError, match="expected a webhook event, not dict"):
        to_wire({"checksum": CHECKSUM})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "event",
    [
        CREATED,
        AssignmentUpdated(checksum=CHECKSUM, error_message='ä \u2028 "quoted"'),
        AssignmentDeleted(
            checksum=CHECKSUM, assignment_id=7, customer_id=1, operation_succeeded=False
        ),
        AssignmentEvent(checksum=CHECKSUM, customer_id=1, operation_succeeded=True, car_id=3),
    ],
)
def test_to_json_round_trips(event: webhooks.WebhookEvent) -> None:
    """What a sender builds with to_json and webhook_headers, parse reads back equal."""
    headers = webhook_headers(Secret(SECRET), target_address="https://example.test/hook")
    assert headers == {
        "Content-Type": "application/json",
        "Secret": SECRET,
        "Target-Webhook-Address": "https://example.test/hook",
    }
    assert parse(headers, to_json(event), secret=SECRET, kind=event.kind) == event


def test_events_are_frozen() -> None:
    """Events are immutable and hashable (usable as de-duplication keys)."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        CREATED.car_id = 12  # type: ignore[misc]
    assert len({CREATED, attrs.evolve(CREATED)}) == 1


@pytest.mark.parametrize("name", ["flinkey_async.webhooks", "flinkey_async.webhooks.asgi"])
def test_no_web_framework_is_imported(name: str) -> None:
    """The parser and the ASGI app import no web framework (checked in a fresh process).

    The parent package is stubbed: its own __init__ imports the HTTP client (and aiohttp).
    """
    package_dir = Path(flinkey_async.__file__).parent
    code = (
        "import sys, types\n"
        f"stub = types.ModuleType('flinkey_async'); stub.__path__ = [{str(package_dir)!r}]\n"
        "sys.modules['flinkey_async'] = stub\n"
        f"import {name}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'aiohttp', 'starlette', 'fastapi', 'httpx', 'multidict', 'yarl'})\n"
        "assert not bad, bad\n"
        f"assert {name}.__name__ == {name!r}\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_public_surface() -> None:
    """Each webhooks module pins a sorted, complete __all__; classes present as the package."""
    import flinkey_async.webhooks.aiohttp
    import flinkey_async.webhooks.asgi

    public = sorted(
        name
        for name, value in vars(webhooks).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    )
    assert webhooks.__all__ == public
    assert flinkey_async.webhooks.asgi.__all__ == ["WebhookApp"]
    assert flinkey_async.webhooks.aiohttp.__all__ == ["Handler", "webhook_handler"]
    assert webhooks.AssignmentDeleted.__module__ == "flinkey_async.webhooks"
    assert webhooks.WebhookError.__module__ == "flinkey_async.webhooks"
    assert webhooks.parse.__module__ == "flinkey_async.webhooks"
