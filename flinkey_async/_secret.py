"""A string wrapper for credentials that never shows its value."""

from __future__ import annotations

import hmac
from typing import Final, final

_MASK: Final = "********"


@final
class Secret:
    """Hold an API key, password or token; reprs, str() and pickles never reveal it."""

    __slots__ = ("_value",)

    def __init__(self, value: object) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"a secret must be a str, not {type(value).__name__}")
        if not value.strip():
            raise ValueError("a secret must not be empty or blank")
        self._value: str = value

    def reveal(self) -> str:
        """Return the plain value, for the one place that puts it on the wire."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("secrets cannot be pickled")


def as_secret(value: str | Secret, name: str) -> Secret:
    """Wrap a caller's credential, naming the parameter when it is unusable."""
    try:
        return Secret(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from None
