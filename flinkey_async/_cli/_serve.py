"""`flinkey fake-server`: the fake flinkey API, served until Ctrl-C."""

from __future__ import annotations

import asyncio
import ipaddress
import sys
from typing import TextIO

from ._exit import EXIT_OK, UsageError, say


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach a listening address (``localhost``, 127.x, ::1)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(*, host: str, port: int, out: TextIO | None = None) -> int:
    """Serve the fake API on host:port until interrupted (a bad address is exit 2)."""
    if not is_loopback(host):
        say(
            f"--host {host} serves the fake API to the network; anyone who can reach it may "
            "use its fixed, published demo credentials",
            kind="warning",
        )
    return asyncio.run(_serve(host, port, out or sys.stdout))


async def _serve(host: str, port: int, out: TextIO) -> int:
    from ..testing import FakeFlinkey

    fake = FakeFlinkey()
    try:
        url = await fake.start(host=host, port=port)
    except OSError as exc:
        await fake.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        out.write(
            f"fake flinkey API serving at {url} (Ctrl-C to stop); try:\n"
            f"  export FLINKEY_BASE_URL={url} FLINKEY_API_KEY={fake.api_key} "
            f"FLINKEY_USERNAME={fake.username} FLINKEY_PASSWORD={fake.password} "
            "FLINKEY_CUSTOMER_ID=1\n  flinkey services list\n"
        )
        out.flush()
        await asyncio.Event().wait()
    finally:
        await fake.close()
    return EXIT_OK  # pragma: no cover - only reached through cancellation
