"""The one JSON codec: orjson when installed, else the standard library."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def _load_codec() -> tuple[Callable[[bytes | str], Any], Callable[[Any], bytes]]:
    try:
        import orjson
    except ImportError:
        return json.loads, lambda value: json.dumps(value, separators=(",", ":")).encode()
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
