"""Checks of caller input that run before any I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from yarl import URL

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


def check_base_url(base_url: object) -> URL:
    """Return the API root as a URL without a trailing slash (absolute http(s), no query)."""
    if not isinstance(base_url, str | URL):
        raise TypeError("base_url must be a str or yarl.URL")
    url = URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {str(base_url)!r}")
    if url.query_string or url.fragment:
        raise ValueError("base_url must not have a query or fragment")
    return url.with_path(url.path.rstrip("/") or "/")


def check_seconds(value: object, name: str) -> float:
    """Return a positive, finite number of seconds; None is refused (it would wait forever)."""
    if value is None:
        raise ValueError(f"{name}=None would wait forever; pass a number of seconds")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds")
    if not 0 < value < float("inf"):
        raise ValueError(f"{name} must be a positive, finite number of seconds")
    return float(value)


def settings_from_env(env: Mapping[str, str], default_base_url: str) -> dict[str, Any]:
    """Read FLINKEY_* variables into client settings, naming every missing one."""
    required = ("FLINKEY_API_KEY", "FLINKEY_USERNAME", "FLINKEY_PASSWORD", "FLINKEY_CUSTOMER_ID")
    missing = [name for name in required if not env.get(name, "").strip()]
    if missing:
        raise ValueError(f"missing environment variable(s): {', '.join(missing)}")
    raw_id = env["FLINKEY_CUSTOMER_ID"].strip()
    if not raw_id.isdigit():
        raise ValueError("FLINKEY_CUSTOMER_ID must be a positive integer")
    return {
        "api_key": env["FLINKEY_API_KEY"].strip(),
        "username": env["FLINKEY_USERNAME"].strip(),
        "password": env["FLINKEY_PASSWORD"],
        "customer_id": int(raw_id),
        "base_url": env.get("FLINKEY_BASE_URL", "").strip() or default_base_url,
    }


def check_count(
    value: object, name: str, *, minimum: int = 0, maximum: int | None = None, note: str = ""
) -> int:
    """Return an int within [minimum, maximum], or raise TypeError/ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int{note}, not {type(value).__name__}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f">= {minimum}" if maximum is None else f"from {minimum} to {maximum:,}"
        raise ValueError(f"{name} must be {bound}{note}, got {value}")
    return value


def check_optional_count(value: object, name: str) -> int | None:
    """Return None or a non-negative int (``$top``, ``$skip``), or raise TypeError/ValueError."""
    if value is None or (type(value) is int and value >= 0):
        return value
    if type(value) is not int:  # exactly int: no bool, no subclass with its own str()
        raise TypeError(f"{name} takes a non-negative int or None, not {value!r}")
    return check_count(value, name)
