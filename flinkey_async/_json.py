"""The one JSON codec: orjson when installed, else the standard library."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number is infinity when parsed as double: {text[:40]}")
    return value


# The standard library reads NaN, Infinity and 1e999 (inf), which are not JSON: refused, as
# orjson refuses them, so a model never holds a value the server could not have meant.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite)


def _std_loads(body: bytes | str) -> Any:
    return _DECODER.decode(body.decode() if isinstance(body, bytes) else body)


def _load_codec() -> tuple[Callable[[bytes | str], Any], Callable[[Any], bytes]]:
    try:
        import orjson
    except ImportError:
        return _std_loads, lambda value: json.dumps(
            value, separators=(",", ":"), allow_nan=False
        ).encode()
    return orjson.loads, orjson.dumps


loads, dumps = _load_codec()


def try_loads(body: bytes | str) -> tuple[bool, Any]:
    """Return (True, value) for JSON, else (False, why): deep nesting included."""
    try:
        return True, loads(body)
    except RecursionError:
        return False, "nested too deeply"
    except ValueError as exc:
        return False, str(exc)
