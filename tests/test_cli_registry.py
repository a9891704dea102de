"""Every read route of the registry is a command: its arguments, its request, its output."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest

from flinkey_async._cli import EXIT_API, EXIT_OK, build_parser, main
from flinkey_async._cli._commands import Command, commands
from flinkey_async._registry import ROUTES
from flinkey_async.testing import FakeFlinkey, Fault

COMMANDS = [command for listed in commands().values() for command in listed]
NAME_KEY = "Mercedes Benz"
ID_KEY = 7


@pytest.fixture
def env(flinkey_fake: FakeFlinkey, monkeypatch: pytest.MonkeyPatch) -> FakeFlinkey:
    """Point the FLINKEY_* variables at the fake server, without a default customer."""
    monkeypatch.setenv("FLINKEY_BASE_URL", str(flinkey_fake.url))
    monkeypatch.setenv("FLINKEY_API_KEY", flinkey_fake.api_key)
    monkeypatch.setenv("FLINKEY_USERNAME", flinkey_fake.username)
    monkeypatch.setenv("FLINKEY_PASSWORD", flinkey_fake.password)
    monkeypatch.delenv("FLINKEY_CUSTOMER_ID", raising=False)
    return flinkey_fake


def scripted(fake: FakeFlinkey, path: str, body: Any) -> None:
    """Answer one GET of a path with this JSON (whether or not the fake serves the route)."""
    fake.faults.add(path, Fault(200, body=json.dumps(body), content_type="application/json"))


def test_every_read_route_is_a_command() -> None:
    """Each GET route is one `flinkey <resource> <action>`; writes are not commands."""
    reads = [route for route in ROUTES if route.method == "GET"]
    assert sorted(c.route.template for c in COMMANDS) == sorted(r.template for r in reads)
    assert {(c.resource, c.action) for c in COMMANDS} == {
        ("customers", "list"),
        ("cars", "list"),
        ("cars", "get"),
        ("cars", "events"),
        ("cars", "assignments"),
        ("users", "list"),
        ("users", "get"),
        ("assignments", "get"),
        ("events", "get"),
        ("products", "list"),
        ("products", "get"),
        ("products", "service"),
        ("services", "list"),
        ("services", "get"),
        ("services", "product"),
        ("groups", "list"),
        ("groups", "cars"),
        ("brands", "list"),
        ("brands", "keys"),
    }
    assert [c.action for c in commands()["cars"]] == ["list", "get", "assignments", "events"]


def test_help_lists_resources_and_actions(capsys: pytest.CaptureFixture[str]) -> None:
    """`flinkey --help` names each resource with its actions, and every FLINKEY_* variable."""
    assert main(["--help"]) == EXIT_OK
    out = capsys.readouterr().out
    for resource, listed in commands().items():
        actions = ", ".join(c.action for c in listed)
        assert re.search(rf"^ +{resource} +{re.escape(actions)}$", out, re.MULTILINE), resource
    for variable in ("API_KEY", "USERNAME", "PASSWORD", "CUSTOMER_ID", "BASE_URL"):
        assert f"FLINKEY_{variable} " in out
    assert "2 usage or configuration, 3 authentication, 4 other API error" in out


def expected(command: Command) -> tuple[list[str], str, str]:
    """Return (argv, raw path, raw query) of a command called with every option it takes."""
    route = command.route
    argv = [command.resource, command.action]
    path = "/v3/" + route.template
    if command.param is not None:
        key = NAME_KEY if command.by_name else str(ID_KEY)
        argv.append(key)
        path = path.replace(f"{{{command.param}}}", key.replace(" ", "%20"))
    query = []
    if command.selectable:
        argv += ["--select", "id"]
        query.append("$select=id")
    if command.filterable:
        argv += ["--filter", "id gt 1", "--top", "3"]
        query.insert(0, "$filter=id%20gt%201")
        query.append("$top=3")
    if route.scoped:
        argv += ["--customer-id", "2"]
    return argv, path, "&".join(query)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: f"{c.resource}-{c.action}")
def test_each_command_sends_its_request(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str], command: Command
) -> None:
    """The path, the OData options and the Customer-ID (scoped routes only) go out as declared."""
    env.faults.add("*", Fault(404, body="scripted for the CLI test"), times=None)
    argv, path, query = expected(command)
    assert main(argv) == EXIT_API
    err = capsys.readouterr().err
    assert (
        err == f"flinkey: error: NotFoundError: GET {path}: HTTP 404: scripted for the CLI test\n"
    )
    (sent,) = env.api_requests()
    assert (sent.path, sent.raw_query_string) == (path, query)
    assert sent.headers.get("Customer-ID") == ("2" if command.route.scoped else None)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: f"{c.resource}-{c.action}")
def test_options_follow_the_route(command: Command) -> None:
    """--select/--filter/--top only on OData routes, --customer-id only on scoped ones."""
    argv, _, _ = expected(command)
    parser = build_parser()
    args = parser.parse_args(argv)
    assert args.command_spec == command
    assert hasattr(args, "select") is command.selectable
    assert hasattr(args, "filter") is hasattr(args, "top") is command.filterable
    assert hasattr(args, "customer_id") is command.route.scoped
    assert command.filterable <= command.route.odata


def test_car_events_send_the_documented_default_top(env: FakeFlinkey) -> None:
    """A car's events are asked for with $top=100 unless --top says otherwise."""
    env.faults.add("*", Fault(404, body="x"), times=None)
    assert main(["cars", "events", "12", "--customer-id", "1"]) == EXIT_API
    assert env.api_requests()[-1].raw_path == "/v3/cars/12/events?$top=100"
    assert main(["cars", "events", "12", "--customer-id", "1", "--top", "5"]) == EXIT_API
    assert env.api_requests()[-1].raw_path == "/v3/cars/12/events?$top=5"


def test_action_help_names_the_route(capsys: pytest.CaptureFixture[str]) -> None:
    """`flinkey cars events --help` shows the route, the key argument and the default $top."""
    assert main(["cars", "events", "--help"]) == EXIT_OK
    out = " ".join(capsys.readouterr().out.split())
    assert "usage: flinkey cars events [-h] [--json] [--select a,b] [--filter TEXT]" in out
    assert "CAR_ID" in out
    assert "flinkey cars events: GET /cars/{carId}/events" in out
    assert "at most N items ($top; default 100)" in out


def test_cars_list_table(env: FakeFlinkey, capsys: pytest.CaptureFixture[str]) -> None:
    """A collection the fake may not serve yet, answered by script: table and JSON."""
    cars = [
        {"id": 1, "name": "Golf", "vin": "WVWZZZ1KZ", "licensePlate": "B-FL 1", "brand": "VW"},
        {"id": 12, "name": "Model 3", "description": "company car", "brand": "Tesla"},
    ]
    scripted(env, "/v3/cars", cars)
    assert main(["cars", "list", "--customer-id", "1"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        "id  name     description  vin        licensePlate  brand  model",
        "--  -------  -----------  ---------  ------------  -----  -----",
        " 1  Golf     -            WVWZZZ1KZ  B-FL 1        VW     -",
        "12  Model 3  company car  -          -             Tesla  -",
    ]
    scripted(env, "/v3/cars", cars)
    assert main(["cars", "list", "--customer-id", "1", "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data[0] == {**cars[0], "description": None, "model": None}


def test_brand_names_and_keys(env: FakeFlinkey, capsys: pytest.CaptureFixture[str]) -> None:
    """Plain values get their key as heading; nested objects become path columns."""
    scripted(env, "/v3/brands", ["BMW", "Mercedes Benz"])
    assert main(["brands", "list"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        "brand",
        "-------------",
        "BMW",
        "Mercedes Benz",
    ]
    key = {"id": 3, "brand": "BMW", "keyForm": {"id": 9, "name": "F30", "imageUrl": "https://x/y"}}
    scripted(env, "/v3/brands/BMW/keys", [key])
    assert main(["brands", "keys", "BMW"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "id",
        "brand",
        "keyForm/id",
        "keyForm/name",
        "keyForm/imageUrl",
        "boxName",
        "boxSapNumber",
    ]
    assert lines[2].split() == ["3", "BMW", "9", "F30", "https://x/y", "-", "-"]
    scripted(env, "/v3/brands/BMW/keys", [{"id": 3, "keyForm": {"name": "F30"}}])
    assert main(["brands", "keys", "BMW", "--select", "id,keyForm/name"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        "id  keyForm/name",
        "--  ------------",
        " 3  F30",
    ]
    assert env.api_requests()[-1].raw_query_string == "$select=id,keyForm%2Fname"


def test_group_cars_take_no_query(env: FakeFlinkey, capsys: pytest.CaptureFixture[str]) -> None:
    """A list without OData (a group's cars) is sent without a query string."""
    scripted(env, "/v3/groups/5/cars", [{"id": 1, "name": "Golf"}])
    assert main(["groups", "cars", "5", "--customer-id", "1", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)[0]["name"] == "Golf"
    assert env.api_requests()[-1].raw_path == "/v3/groups/5/cars"


def test_customers_need_no_customer_id(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unscoped route runs without FLINKEY_CUSTOMER_ID and sends no Customer-ID."""
    scripted(env, "/v3/customers", [{"id": "7", "name": "Fleet GmbH"}])
    assert main(["customers", "list"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines()[2].split() == ["7", "Fleet", "GmbH"]
    assert "Customer-ID" not in env.api_requests()[-1].headers


def test_an_answer_that_is_not_the_model(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 200 whose JSON does not fit the model is an API error (4), named by its JSON path."""
    scripted(env, "/v3/users/4", {"id": "four", "emailAddress": "a@b.c"})
    assert main(["users", "get", "4", "--customer-id", "1"]) == EXIT_API
    err = capsys.readouterr().err
    assert err.startswith("flinkey: error: ResponseDecodeError: ")
    assert err.count("\n") == 1


def usage_lines() -> list[str]:
    """Each command's usage as argparse prints it, the path parameter moved after the action."""
    lines = []
    for resource, listed in commands().items():
        for command in listed:
            parser = subparser(subparser(build_parser(), resource), command.action)
            words = parser.format_usage().split()[1:]
            words.remove("[-h]")
            if command.param is not None:
                words.insert(3, words.pop())
            lines.append(" ".join(words))
    return lines


def subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    """The parser of one subcommand."""
    (choices,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    found: argparse.ArgumentParser = choices.choices[name]
    return found


def test_the_readme_lists_every_command_exactly() -> None:
    """The README's usage block is what the parser accepts, one line per command."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- cli:usage -->\n```\n", 1)[1].split("```", 1)[0].splitlines()
    assert block == [
        *usage_lines(),
        "flinkey demo",
        "flinkey fake-server [--host 127.0.0.1] [--port 8080]",
    ]
