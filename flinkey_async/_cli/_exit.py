"""Exit codes of the `flinkey` command, and the one-line message for each kind of failure."""

from __future__ import annotations

import contextlib
import sys
from typing import Final, TextIO

from yarl import URL

from .._errors import (
    AuthenticationError,
    ConfigurationError,
    FlinkeyError,
    InvalidAPIKeyError,
    TokenRequestError,
    TransportError,
    UnknownManagerError,
)

EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
EXIT_AUTH: Final = 3
EXIT_API: Final = 4
EXIT_NETWORK: Final = 5
EXIT_INTERRUPTED: Final = 130
EXIT_PIPE: Final = 141

EXIT_CODES: Final = (
    "exit codes:\n"
    "  0 ok, 2 usage or configuration, 3 authentication, 4 other API error,\n"
    "  5 network or timeout, 130 interrupted (Ctrl-C), 141 output closed early (| head)"
)

# What to check, by the kind of authentication failure.
_HINTS: Final[tuple[tuple[type[AuthenticationError], str], ...]] = (
    (InvalidAPIKeyError, "check FLINKEY_API_KEY"),
    (UnknownManagerError, "check FLINKEY_CUSTOMER_ID or --customer-id"),
    (TokenRequestError, "check FLINKEY_USERNAME and FLINKEY_PASSWORD"),
)


class UsageError(Exception):
    """A command line or configuration the CLI cannot run with (exit 2)."""


def one_line(text: str) -> str:
    """Return text on one line, control characters escaped (a server's text reaches a terminal)."""
    flat = " ".join(text.split())
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in flat)


def say(message: str, *, kind: str = "error", err: TextIO | None = None) -> None:
    """Print ``flinkey: <kind>: <message>`` as one line on stderr (a closed stderr is ignored)."""
    with contextlib.suppress(OSError, ValueError):
        print(f"flinkey: {kind}: {one_line(message)}", file=err or sys.stderr, flush=True)


def exit_code(exc: FlinkeyError) -> tuple[int, str]:
    """Return the exit code and the one-line message for a failed call."""
    if isinstance(exc, ConfigurationError):
        where = URL(exc.url).with_user(None).with_query(None) if exc.url else "the base URL"
        return EXIT_USAGE, f"no token endpoint at {where}; check FLINKEY_BASE_URL (it ends in /v3)"
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, AuthenticationError):
        hint = next((text for kind, text in _HINTS if isinstance(exc, kind)), "check credentials")
        return EXIT_AUTH, f"{message} ({hint})"
    if isinstance(exc, TransportError):
        return EXIT_NETWORK, message
    return EXIT_API, message
