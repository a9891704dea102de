"""Credentials that never show their value: Secret (one string) and Sealed (headers, a form)."""

from __future__ import annotations

import hmac
import weakref
from collections.abc import Mapping
from typing import Final, Generic, TypeVar, final

_MASK: Final = "********"
T = TypeVar("T")

# Every live Secret, by identity: the texts every FlinkeyError is redacted of (see _redact).
_LIVE: Final[weakref.WeakValueDictionary[int, Secret]] = weakref.WeakValueDictionary()


@final
class Secret:
    """Hold an API key, password or token; reprs, str() and pickles never reveal it."""

    __slots__ = ("__weakref__", "_value")

    def __init__(self, value: object) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"a secret must be a str, not {type(value).__name__}")
        if not value.strip():
            raise ValueError("a secret must not be empty or blank")
        self._value: str = value
        _LIVE[id(self)] = self

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


def live_secrets() -> list[Secret]:
    """Return every Secret still alive (for redacting error texts)."""
    return list(_LIVE.values())


def as_secret(value: str | Secret, name: str) -> Secret:
    """Wrap a caller's credential, naming the parameter when it is unusable."""
    try:
        return Secret(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from None


@final
class Sealed(Generic[T]):
    """Headers, a form or a body that hold credentials; its repr names no value."""

    __slots__ = ("_value",)

    def __init__(self, value: T) -> None:
        self._value = value

    def reveal(self) -> T:
        """Return the plain value, written to the wire right away."""
        return self._value

    def __repr__(self) -> str:
        return f"Sealed('{_MASK}')"

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("sealed values cannot be pickled")


def seal(items: Mapping[str, str | Secret]) -> Sealed[dict[str, str]]:
    """Return the items as a sealed dict of plain strings (each Secret revealed in here)."""
    return Sealed({k: v.reveal() if isinstance(v, Secret) else v for k, v in items.items()})
