"""FakeFlinkeyProcess: the fake flinkey API served by a process of its own, controlled by a pipe."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Self

from yarl import URL

from ._faults import Fault
from ._wire import API_KEY, PASSWORD, USERNAME

FIRST_SERVICE_ID = 100_000


class FakeFlinkeyProcess:
    """A FakeFlinkey in its own process, for tests and demos where other processes are clients.

    ``services`` generated services (ids from 100000) are added to customer 1. The last
    ``max_requests`` requests are recorded in that process: ask with ``token_requests()``,
    ``count()`` and ``request_times()``; script faults with ``add_fault()``.
    """

    api_key = API_KEY
    username = USERNAME
    password = PASSWORD

    def __init__(
        self, *, services: int = 0, token_lifetime: float = 3600, max_requests: int = 100_000
    ) -> None:
        self._options = {
            "services": services,
            "token_lifetime": token_lifetime,
            "max_requests": max_requests,
        }
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._url: URL | None = None

    @property
    def url(self) -> URL:
        """The base URL (http://127.0.0.1:PORT/v3)."""
        if self._url is None:
            raise RuntimeError("the fake server process is not running; call start()")
        return self._url

    def env(self) -> dict[str, str]:
        """The FLINKEY_* variables that point FlinkeyClient.from_env() at this server."""
        return {
            "FLINKEY_BASE_URL": str(self.url),
            "FLINKEY_API_KEY": self.api_key,
            "FLINKEY_USERNAME": self.username,
            "FLINKEY_PASSWORD": self.password,
            "FLINKEY_CUSTOMER_ID": "1",
        }

    def start(self, timeout: float = 30.0) -> URL:
        """Start the server process and return its base URL once it serves."""
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, self._options), daemon=True)
        process.start()
        child.close()
        self._conn, self._process = parent, process
        try:
            if not parent.poll(timeout):
                raise EOFError
            self._url = URL(parent.recv())
        except EOFError:
            self.close()
            raise RuntimeError(
                "the fake server process did not start (a script starting it needs an "
                "'if __name__ == \"__main__\":' guard: the process is spawned)"
            ) from None
        return self._url

    def _ask(self, *command: Any) -> Any:
        if self._conn is None:
            raise RuntimeError("the fake server process is not running; call start()")
        self._conn.send(command)
        return self._conn.recv()

    def token_requests(self) -> int:
        """How many POST /oauth2/token requests arrived."""
        count: int = self._ask("count", "/v3/oauth2/token", "POST")
        return count

    def count(self, path: str | None = None, *, method: str | None = None) -> int:
        """How many requests arrived, optionally only to a path ("/v3/services") and method."""
        count: int = self._ask("count", path, method)
        return count

    def request_times(self) -> list[tuple[str, float]]:
        """(path, time.monotonic() on arrival) of every request other than token requests."""
        times: list[tuple[str, float]] = self._ask("times")
        return times

    def add_fault(
        self, path: str, fault: Fault, *, method: str = "GET", times: int | None = 1
    ) -> None:
        """Script a fault, as ``FakeFlinkey.faults.add`` does."""
        self._ask("fault", path, fault, method, times)

    def close(self) -> None:
        """Stop the server process."""
        conn, process = self._conn, self._process
        self._conn = self._process = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
            conn.close()
        if process is not None:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=10)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _serve(conn: Connection, options: dict[str, Any]) -> None:
    """Child-process entry: serve the fake and answer commands until told to stop."""
    asyncio.run(_main(conn, options))


async def _main(conn: Connection, options: dict[str, Any]) -> None:
    from ._server import FakeFlinkey

    fake = FakeFlinkey(
        token_lifetime=options["token_lifetime"], max_requests=options["max_requests"]
    )
    if options["services"]:
        fake.store.customer(1).add_many_services(options["services"], start_id=FIRST_SERVICE_ID)
    conn.send(str(await fake.start()))
    loop = asyncio.get_running_loop()
    readable = asyncio.Event()
    loop.add_reader(conn.fileno(), readable.set)  # no thread: it would slow the server down
    try:
        while True:
            await readable.wait()
            readable.clear()
            if not conn.poll():
                continue
            try:
                command = conn.recv()
            except EOFError:
                return
            name, *args = command
            if name == "stop":
                return
            if name == "count":
                conn.send(fake.count(args[0], method=args[1]))
            elif name == "times":
                conn.send([(r.path, r.received) for r in fake.api_requests()])
            elif name == "fault":
                path, fault, method, times = args
                fake.faults.add(path, fault, method=method, times=times)
                conn.send(None)
    finally:
        loop.remove_reader(conn.fileno())
        await fake.close()
