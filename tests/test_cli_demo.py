"""`flinkey demo`: a real session against the embedded fake server, as a list of steps."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from flinkey_async._cli import EXIT_OK, _demo


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
    out = done.stdout
    assert "1. GET /customers -> 2 customers (sent without a Customer-ID)" in out
    assert (
        "2. GET /cars?$filter=licensePlate%20ne%20null&$select=id,name,licensePlate,brand"
        " -> 2 partial cars (Customer-ID: 1)"
    ) in out
    assert "caught ConflictError: 'The product is already installed into a car.'" in out
    assert "4. GET /cars/1001/events?$orderby=utcDateTime%20desc&$top=3 -> 3 events" in out
    assert "webhook receiver got 2 AssignmentDeleted events:" in out
    assert "- assignment 4001 (user 3001), " in out
    assert "caught NotFoundError: status=404" in out
    assert "10 API calls, 1 token request(s) (token reused)" in out
    assert done.stderr == ""


async def test_demo_without_the_odata_parser(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the testing extra, the demo still runs, with a query the fake needs no parser for."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "odata_query" else real(name)
    )
    assert await _demo.run_steps() == EXIT_OK
    out = capsys.readouterr().out
    assert "install flinkey-async[testing]" in out
    assert (
        "GET /cars?$select=id,name,licensePlate,brand&$orderby=name%20desc&$top=2 -> 2 partial cars"
    ) in out
    assert "VW Golf Berlin" in out.split("2. GET")[1].split("3. PUT")[0]


async def test_demo_steps_are_a_list() -> None:
    """A step is an async function of a Demo; run_steps numbers and runs the ones given."""

    async def list_customer_2(demo: _demo.Demo) -> None:
        services = await demo.client.services.list(customer_id=2)
        demo.step(f"GET /services for customer 2 -> {len(services)}")
        demo.show(services)

    out = io.StringIO()
    assert await _demo.run_steps([_demo.handle_not_found, list_customer_2], out=out) == EXIT_OK
    text = out.getvalue()
    assert "\n1. GET /cars/999 (a handled error)\n" in text
    assert "\n2. GET /services for customer 2 -> " in text
    assert "Done: 2 API calls, 1 token request(s) (token reused)." in text
    assert _demo.STEPS[0] is _demo.list_customers
