"""The flinkey command as a separate process: start-up cost, exit codes, pipes, signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import flinkey_async
from flinkey_async._cli._serve import is_loopback
from flinkey_async.testing import FakeFlinkey

CLI = [sys.executable, "-W", "error", "-m", "flinkey_async"]


def run(
    *args: str, env: dict[str, str] | None = None, stdout: int = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    """Run `python -m flinkey_async ARGS` and return its outcome."""
    return subprocess.run(
        [*CLI, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def fake_env(fake: FakeFlinkey) -> dict[str, str]:
    """The FLINKEY_* variables of a fake server."""
    return {
        "FLINKEY_BASE_URL": str(fake.url),
        "FLINKEY_API_KEY": fake.api_key,
        "FLINKEY_USERNAME": fake.username,
        "FLINKEY_PASSWORD": fake.password,
        "FLINKEY_CUSTOMER_ID": "1",
    }


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["cars", "--help"], ["brands", "keys", "--help"]],
)
def test_help_and_version_do_not_import_aiohttp(argv: list[str]) -> None:
    """--help and --version answer from the registry without importing aiohttp."""
    script = (
        "import sys\n"
        "from flinkey_async._cli import main\n"
        f"code = main({argv!r})\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('aiohttp', 'tabulate'))\n"
        "assert not heavy, heavy\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("flinkey-async " if argv == ["--version"] else "usage: flinkey")


def test_the_console_script() -> None:
    """The installed `flinkey` script is the same command."""
    script = Path(sys.executable).with_name("flinkey")
    if not script.exists():
        pytest.skip("the flinkey script is not installed next to this interpreter")
    done = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout) == (0, f"flinkey-async {flinkey_async.__version__}\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["services", "get", "2147483648"], "argument SERVICE_ID: expected an id from 1 to"),
        (["services", "list", "--customer-id", "99999999999"], "argument --customer-id"),
        (["fake-server", "--port", "70000"], "expected a port from 0 to 65535, got '70000'"),
        (["fake-server", "--port", "http"], "expected a port from 0 to 65535, got 'http'"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(argv: list[str], message: str) -> None:
    """The command lines that used to print tracebacks are one-line usage errors (exit 2)."""
    done = run(*argv)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert message in done.stderr


def test_exit_codes_of_calls(flinkey_fake: FakeFlinkey) -> None:
    """Configuration 2, API error 4, success 0: through the real entry point."""
    env = fake_env(flinkey_fake)
    done = run("services", "get", "999", env=env)
    assert (done.returncode, done.stdout) == (4, "")
    assert done.stderr.startswith("flinkey: error: NotFoundError: GET /v3/services/999: HTTP 404")
    done = run("services", "list", env={**env, "FLINKEY_API_KEY": ""})
    assert done.returncode == 2
    assert done.stderr == (
        "flinkey: error: configuration: missing environment variable(s): FLINKEY_API_KEY "
        "(see flinkey --help)\n"
    )
    done = run("services", "get", "101", "--json", env=env)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["name"] == "Fleet Berlin 01"


@pytest.mark.parametrize(
    ("argv", "code"),
    # argparse itself ignores a failed write of --help, so that one ends with 0.
    [(["services", "list", "--json"], 141), (["demo"], 141), (["--help"], 0)],
)
def test_a_closed_pipe_ends_quietly(flinkey_fake: FakeFlinkey, argv: list[str], code: int) -> None:
    """`flinkey ... | head -1`: the reader is gone; exit 141, nothing on stderr."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = run(*argv, env=fake_env(flinkey_fake), stdout=writer)
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (code, "")


def test_the_fake_server_serves_until_ctrl_c(flinkey_fake: FakeFlinkey) -> None:
    """`flinkey fake-server --port 0` prints its variables, answers, and Ctrl-C ends it (130)."""
    server = subprocess.Popen(
        [*CLI, "fake-server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert first.startswith("fake flinkey API serving at http://127.0.0.1:")
        exports = server.stdout.readline().split()
        assert exports[0] == "export"
        env = dict(item.split("=", 1) for item in exports[1:])
        assert server.stdout.readline().strip() == "flinkey services list"
        done = run("services", "list", "--select", "id", "--json", env=env)
        assert (done.returncode, done.stderr) == (0, "")
        assert [row["id"] for row in json.loads(done.stdout)] == [101, 102, 103, 104, 105]
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    finally:
        server.kill()
        server.wait()
    assert server.returncode == 130
    assert err == "flinkey: error: interrupted\n"


def test_fake_server_on_another_address_warns() -> None:
    """A non-loopback --host warns about the fixed credentials; an address it cannot use is 2."""
    done = run("fake-server", "--host", "192.0.2.1", "--port", "0")
    lines = done.stderr.splitlines()
    assert done.returncode == 2
    assert lines[0] == (
        "flinkey: warning: --host 192.0.2.1 serves the fake API to the network; anyone who can "
        "reach it may use its fixed, published demo credentials"
    )
    assert lines[1].startswith("flinkey: error: cannot listen on 192.0.2.1:0: ")
    assert len(lines) == 2


def test_a_port_in_use_is_a_usage_error(flinkey_fake: FakeFlinkey) -> None:
    """A port another server listens on is exit 2, one line."""
    port = str(flinkey_fake.url.port)
    done = run("fake-server", "--port", port)
    assert done.returncode == 2
    assert done.stderr.startswith(f"flinkey: error: cannot listen on 127.0.0.1:{port}: ")
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("LOCALHOST.", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    """Only loopback addresses are served without the warning."""
    assert is_loopback(host) is loopback
