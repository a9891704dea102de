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
    assert "1. GET /services -> 5 services" in done.stdout
    assert "caught NotFoundError: status=404" in done.stdout
    assert (
        "4. GET /services?$filter=contains(name,'Berlin')%20and%20id%20lt%20200&$select=id,name"
        " -> 2 partial services"
    ) in done.stdout
    assert "5 API calls, 1 token request(s) (token reused)" in done.stdout
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
    assert "GET /services?$select=id,name&$orderby=name%20desc&$top=2 -> 2 partial services" in out
    assert "Rental Munich" in out.split("4. GET")[1].split("5. GET")[0]


async def test_demo_steps_are_a_list() -> None:
    """A step is an async function of a Demo; run_steps numbers and runs the ones given."""

    async def list_customer_2(demo: _demo.Demo) -> None:
        services = await demo.client.services.list(customer_id=2)
        demo.step(f"GET /services for customer 2 -> {len(services)}")
        demo.show(services)

    out = io.StringIO()
    assert await _demo.run_steps([_demo.get_service, list_customer_2], out=out) == EXIT_OK
    text = out.getvalue()
    assert "\n1. GET /services/103\n" in text
    assert "\n2. GET /services for customer 2 -> " in text
    assert "Done: 2 API calls, 1 token request(s) (token reused)." in text
    assert _demo.STEPS[0] is _demo.list_services
