"""The argument parser: one subcommand per resource and read route, plus demo and fake-server."""

from __future__ import annotations

import argparse
from typing import Any, Final, NoReturn

from .._client import PRODUCTION_URL, UAT_URL
from .._validate import INT32_MAX, check_segment
from .._version import __version__
from ._commands import Command, commands, run_command
from ._exit import EXIT_CODES, EXIT_USAGE, one_line

MAX_PORT: Final = 65535

ENVIRONMENT: Final = f"""\
environment (read by the resource commands):
  FLINKEY_API_KEY      the flinkey-API-Key (subscription key)
  FLINKEY_USERNAME     the API manager's user name
  FLINKEY_PASSWORD     the API manager's password
  FLINKEY_CUSTOMER_ID  the Customer-ID of customer-scoped commands (or --customer-id)
  FLINKEY_BASE_URL     the API root (default {PRODUCTION_URL};
                       UAT: {UAT_URL})
"""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr (exit 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``flinkey: error: ...`` with where to find help, and exit 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> Parser:
    """Return the parser of every command (resource commands from the registry)."""
    parser = Parser(
        prog="flinkey",
        description="Read the flinkey API v3, run a demo, or serve a fake flinkey API.",
        epilog=f"{ENVIRONMENT}\n{EXIT_CODES}",
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=f"flinkey-async {__version__}")
    subcommands = parser.add_subparsers(
        title="commands", dest="command", required=True, metavar="COMMAND"
    )
    for resource, listed in commands().items():
        actions = ", ".join(command.action for command in listed)
        group = subcommands.add_parser(
            resource,
            help=actions,
            description=f"{resource}: {actions}",
            epilog=EXIT_CODES,
            formatter_class=_formatter,
        )
        choices = group.add_subparsers(
            title="actions", dest="action", required=True, metavar="ACTION"
        )
        for command in listed:
            _add_action(choices, command)

    demo = subcommands.add_parser("demo", help="a real session against an embedded fake API")
    demo.set_defaults(handler=_run_demo)
    fake = subcommands.add_parser(
        "fake-server",
        help="serve the fake flinkey API (demo data and credentials)",
        description="Serve the fake flinkey API until Ctrl-C; it prints the variables to use.",
    )
    fake.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    fake.add_argument(
        "--port", type=port, default=8080, help="port (default 8080; 0 picks a free one)"
    )
    fake.set_defaults(handler=_run_fake_server)
    return parser


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps subcommand help in one column (argparse leaves out the subcommands' indent)."""

    def add_argument(self, action: argparse.Action) -> None:
        """Count each subcommand name with its indent when aligning the help column."""
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction):
            longest = max(map(len, action.choices), default=0) + self._current_indent + 4
            self._action_max_length = max(self._action_max_length, longest)


def _formatter(prog: str) -> argparse.HelpFormatter:
    return _Formatter(prog, max_help_position=30)


def _add_action(choices: Any, command: Command) -> None:
    route = command.route
    action: Parser = choices.add_parser(
        command.action,
        help=f"GET /{route.template}",
        description=f"flinkey {command.resource} {command.action}: GET /{route.template}",
    )
    if command.param is not None:
        action.add_argument(
            "key",
            metavar=_metavar(command.param),
            type=name if command.by_name else positive_id,
            help=f"the {command.param}",
        )
    action.add_argument("--json", action="store_true", help="print wire-shaped JSON")
    if command.selectable:
        action.add_argument(
            "--select", metavar="a,b", help="only these fields (wire names, e.g. id,name)"
        )
    if command.filterable:
        action.add_argument("--filter", metavar="TEXT", help="OData $filter text, sent as is")
        default = "" if command.default_top is None else f"; default {command.default_top}"
        action.add_argument(
            "--top", type=count, metavar="N", help=f"at most N items ($top{default})"
        )
    if route.scoped:
        action.add_argument(
            "--customer-id", type=positive_id, metavar="N", help="instead of FLINKEY_CUSTOMER_ID"
        )
    action.set_defaults(handler=run_command, command_spec=command)


def _metavar(param: str) -> str:
    """``carId`` -> ``CAR_ID``."""
    return "".join(f"_{c}" if c.isupper() else c.upper() for c in param)


def _number(text: str, *, low: int, high: int, what: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(high))):
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    value = int(text)
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value


def positive_id(text: str) -> int:
    """An id: a positive 32-bit integer."""
    return _number(text, low=1, high=INT32_MAX, what=f"an id from 1 to {INT32_MAX}")


def count(text: str) -> int:
    """A number of items: 0 to 2**31-1."""
    return _number(text, low=0, high=INT32_MAX, what=f"a number from 0 to {INT32_MAX}")


def port(text: str) -> int:
    """A TCP port (0 picks a free one)."""
    return _number(text, low=0, high=MAX_PORT, what=f"a port from 0 to {MAX_PORT}")


def name(text: str) -> str:
    """A name sent as one path segment: not blank, printable, not a dot segment."""
    try:
        check_segment(text, "name")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a name, got {text!r}") from None
    if any(not c.isprintable() for c in text):
        raise argparse.ArgumentTypeError(f"expected a name, got {text!r}")
    return text


def _run_demo(args: argparse.Namespace) -> int:
    from ._demo import run

    return run()


def _run_fake_server(args: argparse.Namespace) -> int:
    from ._serve import serve

    return serve(host=args.host, port=args.port)
