"""Bytes to events and back: bounded JSON decoding, one strict converter, the wire form."""

from __future__ import annotations

import json
import re
from typing import Any, Final, NoReturn, TypeVar

import attrs
from cattrs import Converter
from cattrs.errors import AttributeValidationNote, ClassValidationError

from .._convert import make_converter
from .._hooks import json_type, strict_int
from .._model import wire_names
from ._errors import WebhookBodyTooLargeError, WebhookJSONError, WebhookPayloadError
from ._events import EVENT_CLASSES, AssignmentEvent, WebhookEvent

T = TypeVar("T")

DEFAULT_MAX_BODY_BYTES: Final = 64 * 1024
"""The default body limit: a payload is about 400 bytes, so 64 KiB leaves ample room."""

# A payload is one flat object; deeper nesting can only be an attack or a mistake.
MAX_DEPTH: Final = 32
# int32 needs 11 characters; longer numbers (in unknown extra keys) are refused, not converted.
MAX_NUMBER_CHARS: Final = 100
INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1
_TOKENS: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_EVENT_TYPES: Final = (*EVENT_CLASSES.values(), AssignmentEvent)


def check_limit(max_body_bytes: int) -> int:
    """Refuse a body limit that is not a positive int (a programming error, not a bad request)."""
    if type(max_body_bytes) is not int:
        raise TypeError(f"max_body_bytes must be an int, not {type(max_body_bytes).__name__}")
    if max_body_bytes < 1:
        raise ValueError(f"max_body_bytes must be at least 1, got {max_body_bytes}")
    return max_body_bytes


def too_large(limit: int, size: int | None = None) -> WebhookBodyTooLargeError:
    """Build the error for a body over the limit (size None: refused while streaming)."""
    has = "" if size is None else f" has {size} bytes and"
    return WebhookBodyTooLargeError(
        f"the webhook body{has} is larger than max_body_bytes={limit}", limit=limit, size=size
    )


def decode(body: bytes | str, cls: type[T], max_body_bytes: int) -> T:
    """Check the size, then decode bounded JSON and structure it into ``cls``."""
    if isinstance(body, str):
        # Every character is at least one byte: a long str is refused without encoding it.
        size = len(body) if len(body) > max_body_bytes else len(body.encode("utf-8", "replace"))
        text = body
    elif isinstance(body, bytes | bytearray | memoryview):
        size = len(body)
        text = ""
    else:
        raise TypeError(f"body must be bytes or str, not {type(body).__name__}")
    if size > max_body_bytes:
        raise too_large(max_body_bytes, size)
    if not isinstance(body, str):
        try:
            text = bytes(body).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise WebhookJSONError("the webhook body is not UTF-8 text") from None
    return structure(loads(text), cls)


def loads(text: str) -> Any:
    """Parse JSON text whose depth and numbers are bounded, or raise WebhookJSONError."""
    if not text.strip():
        raise WebhookJSONError("the webhook body is empty")
    _check_depth(text)
    try:
        return json.loads(
            text, parse_int=_int, parse_float=_float, parse_constant=_not_json_constant
        )
    except ValueError as exc:
        where = (
            f" ({exc.msg} at line {exc.lineno} column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise WebhookJSONError(f"the webhook body is not valid JSON{where}") from None
    except RecursionError:  # pragma: no cover - _check_depth refuses such bodies first
        raise _too_deep() from None


def _check_depth(text: str) -> None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # cannot be too deep; skip the scan
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()[0]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep()
        elif char in "]}":
            depth -= 1


def _too_deep() -> WebhookJSONError:
    return WebhookJSONError(f"the webhook body is nested deeper than {MAX_DEPTH} levels")


def _number_too_long() -> NoReturn:
    raise WebhookJSONError(
        f"the webhook body holds a number longer than {MAX_NUMBER_CHARS} characters"
    )


def _int(text: str) -> int:
    return int(text) if len(text) <= MAX_NUMBER_CHARS else _number_too_long()


def _float(text: str) -> float:
    return float(text) if len(text) <= MAX_NUMBER_CHARS else _number_too_long()


def _not_json_constant(name: str) -> NoReturn:
    raise WebhookJSONError(f"the webhook body is not valid JSON ({name} is not a JSON value)")


def structure(data: Any, cls: type[T]) -> T:
    """Structure parsed JSON into an event, or raise WebhookPayloadError naming every problem."""
    if type(data) is not dict:
        raise WebhookPayloadError(
            f"the webhook body is not a payload: $: expected an object, got {json_type(data)}",
            json_path="$",
        )
    try:
        return CONVERTER.structure(data, cls)
    except ClassValidationError as exc:
        problems = list(_problems(exc, cls))
        listed = "; ".join(f"{path}: {reason}" for path, reason in problems)
        raise WebhookPayloadError(
            f"the webhook body is not a payload: {listed}", json_path=problems[0][0]
        ) from None


def _problems(exc: ClassValidationError, cls: type[Any]) -> list[tuple[str, str]]:
    names = [a.name for a in attrs.fields(cls)]
    found: list[tuple[int, str, str]] = []
    for sub in exc.exceptions:
        name = next(
            (
                n.name
                for n in getattr(sub, "__notes__", ())
                if isinstance(n, AttributeValidationNote)
            ),
            None,
        )
        path = f"$.{wire_names(cls)[name]}" if name is not None and name in names else "$"
        # Only this module's own messages are shown: they never echo a value from the body.
        reason = "a required field is missing" if isinstance(sub, KeyError) else str(sub)
        found.append((names.index(name) if name in names else -1, path, reason))
    # In declaration (wire) order, whatever order cattrs collected them in.
    return [(path, reason) for _, path, reason in sorted(found)] or [("$", "not the payload")]


def to_wire(event: WebhookEvent) -> dict[str, Any]:
    """Return the JSON-ready, camelCase form of an event, as flinkey sends it (nulls kept)."""
    if not isinstance(event, _EVENT_TYPES):
        raise TypeError(f"expected a webhook event, not {type(event).__name__}")
    return CONVERTER.unstructure(event)  # type: ignore[no-any-return]


def to_json(event: WebhookEvent) -> bytes:
    """Return the UTF-8 JSON body flinkey would POST for this event (for senders and tests)."""
    return json.dumps(to_wire(event), ensure_ascii=False, separators=(",", ":")).encode()


def _int32(value: Any, _: Any) -> int:
    number = strict_int(value, int)
    if not INT32_MIN <= number <= INT32_MAX:
        raise ValueError("expected a 32-bit integer, got one out of range")
    return number


def _make_converter() -> Converter:
    # The project's one converter factory (camelCase, strict primitives, aware date-times,
    # every problem collected), with ids held to flinkey's 32 bits.
    conv = make_converter(detailed_validation=True)
    conv.register_structure_hook(int, _int32)
    return conv


CONVERTER: Final = _make_converter()
"""The webhook events' converter: camelCase keys, strict primitives, aware date-times."""
