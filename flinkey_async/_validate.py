"""Checks of caller input that run before any I/O."""

from __future__ import annotations

from typing import Final

INT32_MAX: Final = 2**31 - 1


def check_id(value: object, name: str) -> int:
    """Return a database id (a positive int32), or raise TypeError/ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not 0 < value <= INT32_MAX:
        raise ValueError(f"{name} must be a positive 32-bit integer, got {value}")
    return value


def check_text(value: object, name: str) -> str:
    """Return a non-blank string, or raise TypeError/ValueError naming the parameter."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty or blank")
    return value
