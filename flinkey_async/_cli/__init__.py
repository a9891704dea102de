"""The `flinkey` command: read every resource of the registry, run the demo, serve the fake API."""

# Importing this package, --help and --version do not import aiohttp: the package root imports
# it only when a client is built, and the demo and fake server import ``testing`` when they run.

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from .._errors import FlinkeyError
from ._exit import (
    EXIT_API,
    EXIT_AUTH,
    EXIT_INTERRUPTED,
    EXIT_NETWORK,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_USAGE,
    UsageError,
    exit_code,
    say,
)
from ._parser import build_parser

__all__ = [
    "EXIT_API",
    "EXIT_AUTH",
    "EXIT_INTERRUPTED",
    "EXIT_NETWORK",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_USAGE",
    "build_parser",
    "main",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code; a failure is one line on stderr."""
    try:
        code = _run(argv)
        sys.stdout.flush()
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_PIPE
    return code


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        code: int = args.handler(args)
    except UsageError as exc:
        say(str(exc))
        return EXIT_USAGE
    except FlinkeyError as exc:
        code, message = exit_code(exc)
        say(message)
    return code


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
