"""The `flinkey` command: query the Services API, run the demo, or serve the fake API."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Final, TextIO

from tabulate import tabulate

from ._client import FlinkeyClient
from ._convert import unstructure
from ._errors import AuthenticationError, FlinkeyError, TransportError
from ._version import __version__

EXIT_OK: Final = 0
EXIT_USAGE: Final = 2
EXIT_AUTH: Final = 3
EXIT_API: Final = 4
EXIT_NETWORK: Final = 5
EXIT_INTERRUPTED: Final = 130


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="flinkey",
        description="Query the flinkey API v3 (credentials from FLINKEY_* variables).",
        epilog="Exit codes: 0 ok, 2 usage or configuration, 3 authentication, "
        "4 other API error, 5 network or timeout.",
    )
    parser.add_argument("--version", action="version", version=f"flinkey-async {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    services = commands.add_parser("services", help="list or show services")
    actions = services.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="list the customer's services", parents=[_output()])
    for name, text in (("get", "show one service"), ("product", "show a service's product")):
        action = actions.add_parser(name, help=text, parents=[_output()])
        action.add_argument("service_id", type=_positive_int, metavar="ID")

    commands.add_parser("demo", help="run a real session against the embedded fake server")
    fake = commands.add_parser("fake-server", help="serve the fake flinkey API on loopback")
    fake.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    fake.add_argument("--port", type=int, default=8080, help="port (default 8080, 0 = any)")
    return parser


def _output() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")
    common.add_argument("--customer-id", type=_positive_int, help="override FLINKEY_CUSTOMER_ID")
    return common


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = build_parser().parse_args(argv)
    runner: Callable[[], Coroutine[Any, Any, int]]
    if args.command == "demo":
        from ._demo import run_demo

        runner = run_demo
    elif args.command == "fake-server":
        runner = lambda: _serve_fake(args.host, args.port)  # noqa: E731
    else:
        runner = lambda: _run_services(args)  # noqa: E731
    try:
        return asyncio.run(runner())
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


async def _run_services(args: argparse.Namespace) -> int:
    try:
        client = FlinkeyClient.from_env()
    except ValueError as exc:
        print(f"flinkey: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        async with client:
            calls = client.services
            if args.action == "list":
                result: Any = await calls.list(customer_id=args.customer_id)
            elif args.action == "get":
                result = await calls.get(args.service_id, customer_id=args.customer_id)
            else:
                result = await calls.get_product(args.service_id, customer_id=args.customer_id)
    except FlinkeyError as exc:
        return report_error(exc)
    print_result(result, as_json=args.json)
    return EXIT_OK


def report_error(exc: FlinkeyError, out: TextIO | None = None) -> int:
    """Print an error on stderr and return the exit code for its kind."""
    print(f"flinkey: {type(exc).__name__}: {exc}", file=out or sys.stderr)
    if isinstance(exc, AuthenticationError):
        return EXIT_AUTH
    if isinstance(exc, TransportError):
        return EXIT_NETWORK
    return EXIT_API


def print_result(result: Any, *, as_json: bool, out: TextIO | None = None) -> None:
    """Print a model or a list of models as JSON (wire shape) or as a readable table."""
    stream = out or sys.stdout
    data = unstructure(result)
    if as_json:
        json.dump(data, stream, indent=2, ensure_ascii=False)
        stream.write("\n")
        return
    rows = data if isinstance(data, list) else [data]
    if not rows:
        stream.write("(no results)\n")
        return
    stream.write(tabulate(rows, headers="keys", tablefmt="simple", missingval="-") + "\n")


async def _serve_fake(host: str, port: int) -> int:
    from .testing import FakeFlinkey

    fake = FakeFlinkey()
    try:
        url = await fake.start(host=host, port=port)
    except OSError as exc:
        print(f"flinkey: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"fake flinkey API serving at {url} (Ctrl-C to stop); try:", flush=True)
    print(
        f"  FLINKEY_BASE_URL={url} FLINKEY_API_KEY={fake.api_key} "
        f"FLINKEY_USERNAME={fake.username} FLINKEY_PASSWORD={fake.password} "
        "FLINKEY_CUSTOMER_ID=1 flinkey services list",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await fake.close()
    return EXIT_OK  # pragma: no cover - only reached through cancellation
