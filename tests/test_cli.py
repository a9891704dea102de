"""The flinkey command line, run in-process against the fake server (the shipped fixture)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from flinkey_async._cli import (
    EXIT_API,
    EXIT_AUTH,
    EXIT_INTERRUPTED,
    EXIT_NETWORK,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_USAGE,
    _demo,
    main,
)
from flinkey_async.testing import FakeFlinkey, Fault

SERVICE_HEADERS = [
    "id",
    "name",
    "isTerminated",
    "terminationDate",
    "terminationCause",
    "productId",
]


@pytest.fixture
def env(flinkey_fake: FakeFlinkey, monkeypatch: pytest.MonkeyPatch) -> FakeFlinkey:
    """Point the FLINKEY_* variables at the fake server."""
    monkeypatch.setenv("FLINKEY_BASE_URL", str(flinkey_fake.url))
    monkeypatch.setenv("FLINKEY_API_KEY", flinkey_fake.api_key)
    monkeypatch.setenv("FLINKEY_USERNAME", flinkey_fake.username)
    monkeypatch.setenv("FLINKEY_PASSWORD", flinkey_fake.password)
    monkeypatch.setenv("FLINKEY_CUSTOMER_ID", "1")
    return flinkey_fake


def one_error_line(err: str) -> str:
    """Return the only line of stderr (a failure is exactly one line)."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_services_list_json(env: FakeFlinkey, capsys: pytest.CaptureFixture[str]) -> None:
    """`services list --json` prints the wire-shaped services."""
    assert main(["services", "list", "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in data] == [101, 102, 103, 104, 105]
    assert data[3]["terminationDate"] == "2025-12-31T12:00:00+00:00"
    assert data[4]["name"] == "Car sharing Köln"


def test_services_get_table(env: FakeFlinkey, capsys: pytest.CaptureFixture[str]) -> None:
    """`services get ID` prints a header, a dashed rule and one row; numbers right-aligned."""
    assert main(["services", "get", "103"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == SERVICE_HEADERS
    assert set(lines[1]) == {"-", " "}
    assert lines[2].startswith("103  O'Brien & Sons + Co  false")
    assert lines[2].endswith("  503")
    assert len(lines) == 3


def test_services_list_table_has_a_row_per_service(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str]
) -> None:
    """Missing values show as '-', and every row is one line."""
    assert main(["services", "list"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == SERVICE_HEADERS
    assert [line.split()[0] for line in lines[2:]] == ["101", "102", "103", "104", "105"]
    assert lines[5].split()[-3:] == ["Contract", "ended", "-"]


def test_services_product_for_another_customer(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str]
) -> None:
    """--customer-id overrides the environment's customer."""
    assert main(["services", "product", "201", "--customer-id", "2", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["uniqueId"] == "BOX-0601"
    assert env.api_requests()[-1].headers["Customer-ID"] == "2"


def test_customer_id_option_replaces_the_variable(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --customer-id, FLINKEY_CUSTOMER_ID is not needed (nor read)."""
    monkeypatch.setenv("FLINKEY_CUSTOMER_ID", "not a number")
    assert main(["services", "get", "201", "--customer-id", "2", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["id"] == 201


def test_select_filter_top_go_on_the_wire(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str]
) -> None:
    """--select, --filter (raw text) and --top become one percent-encoded query."""
    argv = ["services", "list", "--json", "--select", "id, name", "--top", "1"]
    argv += ["--filter", "contains(name,'Berlin') and id lt 200"]
    assert main(argv) == EXIT_OK
    assert json.loads(capsys.readouterr().out) == [{"id": 101, "name": "Fleet Berlin 01"}]
    assert env.api_requests()[-1].raw_query_string == (
        "$filter=contains(name,'Berlin')%20and%20id%20lt%20200&$select=id,name&$top=1"
    )


def test_select_on_one_item_prints_only_those_columns(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str]
) -> None:
    """A selected read is partial: the table has only the selected columns."""
    assert main(["services", "product", "102", "--select", "id,type"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        " id  type",
        "---  ----------",
        "502  flinkey IQ",
    ]
    assert env.api_requests()[-1].raw_query_string == "$select=id,type"


def test_an_empty_list(env: FakeFlinkey, capsys: pytest.CaptureFixture[str]) -> None:
    """No rows: a table says so, JSON is an empty array."""
    assert main(["services", "list", "--top", "0"]) == EXIT_OK
    assert capsys.readouterr().out == "(no results)\n"
    assert main(["services", "list", "--top", "0", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["services", "get", "2147483648"],
            "expected an id from 1 to 2147483647, got '2147483648'",
        ),
        (["services", "get", "0"], "argument SERVICE_ID: expected an id"),
        (["services", "get", "-3"], "flinkey services get: error:"),
        (["services", "get", "١٢"], "got '١٢'"),
        (["services", "get", "9" * 5000], "argument SERVICE_ID: expected an id"),
        (["services", "list", "--customer-id", "99999999999"], "argument --customer-id"),
        (["services", "list", "--top", "-1"], "argument --top"),
        (["services", "list", "--top", "2147483648"], "argument --top: expected a number"),
        (["services", "list", "--select", "id,nmae"], "unknown field 'nmae' of services"),
        (["services", "list", "--select", ""], "--select: unknown field ''"),
        (["services", "list", "--filter", " "], "--filter: raw() needs non-empty OData text"),
        (["services", "get", "1", "--top", "3"], "unrecognized arguments: --top 3"),
        (["customers", "list", "--customer-id", "2"], "unrecognized arguments: --customer-id"),
        (["groups", "list", "--select", "id"], "unrecognized arguments: --select id"),
        (["brands", "keys", "\x1b[31m"], "expected a name, got '\\x1b[31m'"),
        (["brands", "keys", ".."], "argument BRAND: expected a name, got '..'"),
        (["brands", "keys", " "], "argument BRAND: expected a name, got ' '"),
        (["services"], "the following arguments are required: ACTION"),
        (["installations"], "invalid choice: 'installations'"),
        ([], "the following arguments are required: COMMAND"),
        (["fake-server", "--port", "70000"], "expected a port from 0 to 65535, got '70000'"),
    ],
)
def test_usage_errors(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """A bad command line is exit 2 with one line on stderr, and sends nothing."""
    assert main(argv) == EXIT_USAGE
    captured = capsys.readouterr()
    assert message in one_error_line(captured.err)
    assert "\x1b" not in captured.err
    assert captured.out == ""
    assert env.requests == []


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FLINKEY_API_KEY", None, "missing environment variable(s): FLINKEY_API_KEY"),
        ("FLINKEY_CUSTOMER_ID", "", "missing environment variable(s): FLINKEY_CUSTOMER_ID"),
        ("FLINKEY_CUSTOMER_ID", "12345678901", "FLINKEY_CUSTOMER_ID must be a positive integer"),
        ("FLINKEY_BASE_URL", "ftp://example.com/v3", "base_url must be an absolute http(s) URL"),
        ("FLINKEY_BASE_URL", "http://[::1", "configuration:"),
    ],
)
def test_configuration_errors(
    env: FakeFlinkey,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str | None,
    message: str,
) -> None:
    """Missing or bad FLINKEY_* variables are exit 2, one line naming the problem."""
    if value is None:
        monkeypatch.delenv(variable)
    else:
        monkeypatch.setenv(variable, value)
    assert main(["services", "list"]) == EXIT_USAGE
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith("flinkey: error: configuration: ")
    assert message in line
    assert line.endswith("(see flinkey --help)")


def test_a_wrong_base_url_is_a_configuration_error(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token endpoint answering 404 means the base URL is wrong (not the password): exit 2."""
    monkeypatch.setenv("FLINKEY_BASE_URL", str(env.url.with_path("/")))
    assert main(["services", "list"]) == EXIT_USAGE
    assert one_error_line(capsys.readouterr().err) == (
        f"flinkey: error: no token endpoint at {env.url.with_path('/oauth2/token')}; "
        "check FLINKEY_BASE_URL (it ends in /v3)"
    )


def test_api_auth_and_network_errors(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """API errors (4), authentication errors (3) and network errors (5) differ."""
    assert main(["services", "get", "999"]) == EXIT_API
    assert one_error_line(capsys.readouterr().err) == (
        "flinkey: error: NotFoundError: GET /v3/services/999: HTTP 404: Unable to find a "
        "service for the given serviceId which is assigned to the given customerId."
    )
    assert main(["services", "list", "--customer-id", "3"]) == EXIT_AUTH
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith("flinkey: error: UnknownManagerError: GET /v3/services: HTTP 404")
    assert line.endswith("(check FLINKEY_CUSTOMER_ID or --customer-id)")
    monkeypatch.setenv("FLINKEY_PASSWORD", "wrong")
    assert main(["services", "list"]) == EXIT_AUTH
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith("flinkey: error: TokenRequestError: POST /v3/oauth2/token: HTTP 400")
    assert line.endswith("(check FLINKEY_USERNAME and FLINKEY_PASSWORD)")
    monkeypatch.setenv("FLINKEY_API_KEY", "wrong")
    assert main(["services", "list"]) == EXIT_AUTH
    assert one_error_line(capsys.readouterr().err).endswith("(check FLINKEY_API_KEY)")
    monkeypatch.setenv("FLINKEY_BASE_URL", "http://127.0.0.1:9/v3")
    assert main(["services", "list"]) == EXIT_NETWORK
    assert "TransportError: POST /v3/oauth2/token" in one_error_line(capsys.readouterr().err)


def test_a_server_message_stays_on_one_line(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str]
) -> None:
    """A multi-line error body with terminal escapes is printed as one escaped line."""
    env.faults.add("/v3/services", Fault(500, body="boom\n\x1b[2Jcleared\r\nscreen"), times=None)
    assert main(["services", "list"]) == EXIT_API
    assert one_error_line(capsys.readouterr().err) == (
        "flinkey: error: ServerError: GET /v3/services: HTTP 500: boom \\x1b[2Jcleared screen"
    )


def test_interrupted(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C is exit 130 with one line, no traceback."""

    def interrupt(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(_demo, "run", interrupt)
    assert main(["demo"]) == EXIT_INTERRUPTED
    assert one_error_line(capsys.readouterr().err) == "flinkey: error: interrupted"


def test_broken_pipe_in_process(env: FakeFlinkey, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader that went away (`| head`) ends the command quietly with 141."""

    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    err = io.StringIO()
    monkeypatch.setattr(sys, "stdout", Closed())
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["services", "list", "--json"]) == EXIT_PIPE
    assert err.getvalue() == ""


def test_help_and_version_return_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """--help and --version print on stdout and return 0 (no SystemExit)."""
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("flinkey-async ")
    assert main(["services", "--help"]) == EXIT_OK
    assert "GET /services/{serviceId}/products" in capsys.readouterr().out
