"""Checks of caller input that run before any I/O."""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from yarl import URL

from ._secret import Secret, as_secret

INT32_MAX: Final = 2**31 - 1
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_QUERY_TEXT: Final = re.compile(r"[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*")
RETRIES_NOTE: Final = " (0 disables retries)"
OPTION_NAMES: Final = frozenset({"customer_id", "timeout", "max_retries"})
METHODS: Final = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


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


def check_base_url(base_url: object, *, allow_insecure_http: bool = False) -> URL:
    """Return the API root (absolute http(s), no userinfo or query, no trailing slash)."""
    # Plain http only to this machine unless allowed: the password would travel in clear.
    if not isinstance(base_url, str | URL):
        raise TypeError("base_url must be a str or yarl.URL")
    if not isinstance(allow_insecure_http, bool):
        raise TypeError("allow_insecure_http must be a bool")
    try:
        url = URL(base_url)
        host, credentials = url.host, url.user is not None or url.password is not None
    except ValueError:  # UnicodeError too; the text is not echoed (it may hold a password)
        raise ValueError("base_url is not a valid URL") from None
    if credentials:
        raise ValueError(
            "base_url must not contain a user name or password; pass username= and password="
        )
    if url.scheme not in ("http", "https") or not host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {str(base_url)!r}")
    if url.query_string or url.fragment:
        raise ValueError("base_url must not have a query or fragment")
    if url.scheme == "http" and not allow_insecure_http and not _is_local(host):
        raise ValueError(
            f"base_url {str(url)!r} is plain http:// to another machine: the password and "
            "tokens would travel unencrypted; use https://, or pass allow_insecure_http=True "
            "(FLINKEY_ALLOW_INSECURE_HTTP=1) for a test server on a trusted network"
        )
    return url.with_path(url.path.rstrip("/") or "/")


def _is_local(host: str) -> bool:
    """Whether a host is this machine: localhost, a loopback or the unspecified address."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def check_credential(value: str | Secret, name: str, *, header: bool = False) -> Secret:
    """Return a credential as a Secret; refuse control characters (and non-ASCII in a header)."""
    secret = as_secret(value, name)
    check_no_control(secret.reveal(), name)
    if header and not secret.reveal().isascii():
        raise ValueError(f"{name} must contain only ASCII characters (it is sent as a header)")
    return secret


def check_no_control(text: str, name: str) -> str:
    """Return text if it has no control character (CR, LF, NUL, ...); never echo it."""
    if _CONTROL.search(text):
        raise ValueError(f"{name} must not contain control characters (CR, LF, NUL, tab, ...)")
    return text


def check_seconds(value: object, name: str) -> float:
    """Return a positive, finite number of seconds; None is refused (it would wait forever)."""
    if value is None:
        raise ValueError(f"{name}=None would wait forever; pass a number of seconds")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds")
    if not 0 < value < float("inf"):
        raise ValueError(f"{name} must be a positive, finite number of seconds")
    return float(value)


ENV_SETTINGS: Final = {
    "api_key": "FLINKEY_API_KEY",
    "username": "FLINKEY_USERNAME",
    "password": "FLINKEY_PASSWORD",
    "customer_id": "FLINKEY_CUSTOMER_ID",
}


def settings_from_env(
    env: Mapping[str, str], given: Mapping[str, object], default_base_url: str
) -> dict[str, Any]:
    """Read the FLINKEY_* variables of the settings not given, naming every missing one."""
    wanted = {name: var for name, var in ENV_SETTINGS.items() if name not in given}
    missing = [var for var in wanted.values() if not env.get(var, "").strip()]
    if missing:
        raise ValueError(f"missing environment variable(s): {', '.join(missing)}")
    settings: dict[str, Any] = {name: env[var].strip() for name, var in wanted.items()}
    if "password" in settings:
        settings["password"] = env["FLINKEY_PASSWORD"]
    if "customer_id" in settings:
        raw_id = settings["customer_id"]
        if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 10):
            raise ValueError("FLINKEY_CUSTOMER_ID must be a positive integer")
        settings["customer_id"] = int(raw_id)
    if "base_url" not in given:
        settings["base_url"] = env.get("FLINKEY_BASE_URL", "").strip() or default_base_url
    if "allow_insecure_http" not in given:
        flag = env.get("FLINKEY_ALLOW_INSECURE_HTTP", "").strip().lower()
        if flag not in _FLAGS:
            raise ValueError("FLINKEY_ALLOW_INSECURE_HTTP must be 1 or 0 (or true/false)")
        settings["allow_insecure_http"] = _FLAGS[flag]
    return settings


_FLAGS: Final = {"": False, "0": False, "false": False, "no": False, "1": True, "true": True}


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


def check_non_negative(value: object, name: str) -> float:
    """Return a finite number of seconds >= 0 (0 allowed: no backoff, say)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds")
    if not 0 <= value < float("inf"):
        raise ValueError(f"{name} must be zero or a positive, finite number")
    return float(value)


def check_retries(value: object) -> int:
    """Return a retry budget (an int >= 0)."""
    return check_count(value, "max_retries", note=RETRIES_NOTE)


def check_max_items(value: object) -> int | None:
    """Return a valid item limit (None, or an int >= 0)."""
    return None if value is None else check_count(value, "max_items")


def check_ids(ids: Iterable[int], name: str) -> tuple[int, ...]:
    """Return the ids as a tuple, each checked like a single id (before any I/O)."""
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        raise TypeError(f"{name} must be an iterable of ints, not {type(ids).__name__}")
    return tuple(check_id(value, f"{name}[{index}]") for index, value in enumerate(ids))


def check_segment(value: object, name: str) -> str:
    """Return a non-blank path parameter of text (sent percent-encoded as one segment)."""
    text = check_text(value, name)
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise ValueError(f"{name} must not contain control characters")
    if text in (".", ".."):
        # Servers resolve dot segments (RFC 3986, 5.2.4), even percent-encoded ones: the
        # request would reach another endpoint than the one called.
        raise ValueError(f"{name} must not be '.' or '..' (a server resolves it as a step)")
    return text


def check_options(options: Mapping[str, object]) -> tuple[int | None, float | None, int | None]:
    """Return (customer_id, timeout, max_retries) of per-call options; None keeps the default."""
    unknown = options.keys() - OPTION_NAMES
    if unknown:
        names = ", ".join(sorted(OPTION_NAMES))
        raise TypeError(f"unexpected keyword argument {min(unknown)!r} (per-call options: {names})")
    customer = options.get("customer_id")
    timeout = options.get("timeout")
    retries = options.get("max_retries")
    return (
        None if customer is None else check_id(customer, "customer_id"),
        None if timeout is None else check_seconds(timeout, "timeout"),
        None if retries is None else check_retries(retries),
    )


def check_product_ref(
    product_id: int | None, serial_number: str | None, unique_id: str | None
) -> dict[str, Any]:
    """Return the one product reference given (id, serial number or unique id), checked."""
    given = {
        name: value
        for name, value in (
            ("product_id", product_id),
            ("serial_number", serial_number),
            ("unique_id", unique_id),
        )
        if value is not None
    }
    if len(given) != 1:
        raise ValueError(
            "identify the product by exactly one of product_id, serial_number or unique_id"
            f" (got {', '.join(given) or 'none'})"
        )
    ((name, value),) = given.items()
    return {name: check_id(value, name) if name == "product_id" else check_text(value, name)}


def check_method(value: object) -> str:
    """Return an HTTP method flinkey uses, upper-cased."""
    if not isinstance(value, str):
        raise TypeError(f"method must be a str, not {type(value).__name__}")
    method = value.upper()
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(sorted(METHODS))}, got {value!r}")
    return method


def check_query_text(value: str) -> str:
    """Return a hand-written, already percent-encoded query string (no leading '?')."""
    if not _QUERY_TEXT.fullmatch(value):
        raise ValueError(
            "a query string must be percent-encoded (no spaces, '#' or non-ASCII); "
            "build it with flinkey_async.Query instead"
        )
    return value.removeprefix("?")


def check_optional_count(value: object, name: str) -> int | None:
    """Return None or a non-negative int (``$top``, ``$skip``), or raise TypeError/ValueError."""
    if value is None or (type(value) is int and value >= 0):
        return value
    if type(value) is not int:  # exactly int: no bool, no subclass with its own str()
        raise TypeError(f"{name} takes a non-negative int or None, not {value!r}")
    return check_count(value, name)


def check_path(value: object) -> list[str]:
    """Return the segments of a relative path: "a/b/c" or a sequence of segment texts."""
    if isinstance(value, str):
        value = check_text(value, "path").strip("/").split("/")
    elif not isinstance(value, list | tuple) or not value:
        raise TypeError("path must be a str or a non-empty sequence of segments")
    return [check_segment(segment, f"path[{index}]") for index, segment in enumerate(value)]


def check_finite_json(value: object) -> None:
    """Refuse NaN and infinities in a JSON body: not JSON, and orjson would send them as null."""
    pending, seen = [value], set()
    while pending:  # a loop, not recursion: a caller's deep value may not end in RecursionError
        item = pending.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ValueError(f"a JSON body cannot hold {item!r}")
        elif isinstance(item, Mapping | list | tuple) and id(item) not in seen:
            seen.add(id(item))  # a value holding itself is left to the encoder to refuse
            pending.extend(item.values() if isinstance(item, Mapping) else item)
