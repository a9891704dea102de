"""The flinkey command line, run against the fake server (through the shipped fixture)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from flinkey_async._cli import EXIT_API, EXIT_AUTH, EXIT_NETWORK, EXIT_OK, EXIT_USAGE, main
from flinkey_async.testing import FakeFlinkey


@pytest.fixture
def env(flinkey_fake: FakeFlinkey, monkeypatch: pytest.MonkeyPatch) -> FakeFlinkey:
    """Point the FLINKEY_* variables at the fake server."""
    monkeypatch.setenv("FLINKEY_BASE_URL", str(flinkey_fake.url))
    monkeypatch.setenv("FLINKEY_API_KEY", flinkey_fake.api_key)
    monkeypatch.setenv("FLINKEY_USERNAME", flinkey_fake.username)
    monkeypatch.setenv("FLINKEY_PASSWORD", flinkey_fake.password)
    monkeypatch.setenv("FLINKEY_CUSTOMER_ID", "1")
    return flinkey_fake


def test_services_list_json(env: FakeFlinkey, capsys: pytest.CaptureFixture[str]) -> None:
    """`services list --json` prints the wire-shaped services."""
    assert main(["services", "list", "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in data] == [101, 102, 103, 104, 105]
    assert data[3]["terminationDate"] == "2025-12-31T12:00:00+00:00"


def test_services_get_table(env: FakeFlinkey, capsys: pytest.CaptureFixture[str]) -> None:
    """`services get ID` prints a table with the service's values."""
    assert main(["services", "get", "103"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "id",
        "name",
        "isTerminated",
        "terminationDate",
        "terminationCause",
        "productId",
    ]
    assert "O'Brien & Sons + Co" in lines[2]


def test_services_product_for_another_customer(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str]
) -> None:
    """--customer-id overrides the environment's customer."""
    assert main(["services", "product", "201", "--customer-id", "2", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["uniqueId"] == "BOX-0601"
    assert env.api_requests()[-1].headers["Customer-ID"] == "2"


def test_exit_codes(
    env: FakeFlinkey, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """API errors, authentication errors, network errors and usage errors differ."""
    assert main(["services", "get", "999"]) == EXIT_API
    assert "NotFoundError" in capsys.readouterr().err
    monkeypatch.setenv("FLINKEY_PASSWORD", "wrong")
    assert main(["services", "list"]) == EXIT_AUTH
    assert "TokenRequestError" in capsys.readouterr().err
    monkeypatch.setenv("FLINKEY_BASE_URL", "http://127.0.0.1:9/v3")
    assert main(["services", "list"]) == EXIT_NETWORK
    monkeypatch.delenv("FLINKEY_API_KEY")
    assert main(["services", "list"]) == EXIT_USAGE
    assert "FLINKEY_API_KEY" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["services", "get", "-3"])
    assert info.value.code == EXIT_USAGE


def test_demo_runs_as_a_module() -> None:
    """`python -m flinkey_async demo` runs a whole session and exits 0."""
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "flinkey_async", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "GET /services -> 5 services" in done.stdout
    assert "caught NotFoundError: status=404" in done.stdout
    assert (
        "GET /services?$filter=contains(name,'Berlin')%20and%20id%20lt%20200&$select=id,name"
        " -> 2 partial services"
    ) in done.stdout
    assert "1 token request(s) (token reused)" in done.stdout
    assert done.stderr == ""


async def test_demo_without_the_odata_parser(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the testing extra, the demo still runs, with a query the fake needs no parser for."""
    import importlib.util

    from flinkey_async._demo import run_demo

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "odata_query" else real(name)
    )
    assert await run_demo() == EXIT_OK
    out = capsys.readouterr().out
    assert "install flinkey-async[testing]" in out
    assert "GET /services?$select=id,name&$orderby=name%20desc&$top=2 -> 2 partial services" in out
    assert "Rental Munich" in out.split("5. GET")[1].split("6. GET")[0]
