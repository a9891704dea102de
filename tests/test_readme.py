"""Every Python example in the README runs as written, against the fake server.

A block runs as the body of an async function (top-level ``await`` allowed) with ``client``
(customer 1) and ``fake`` defined and the FLINKEY_* variables pointing at the fake, so
``FlinkeyClient.from_env()`` works too. A block that cannot run here (a web framework app, a
worker loop, a file to add to the package) is preceded by ``<!-- not run: why -->``.
"""

from __future__ import annotations

import ast
import asyncio
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import flinkey_async
from flinkey_async import FlinkeyClient
from flinkey_async.testing import FakeFlinkey

README = Path(__file__).parents[1] / "README.md"
_BLOCK = re.compile(r"(<!-- not run: [^>]+ -->\n)?```python\n(.*?)```", re.DOTALL)


def _blocks() -> list[tuple[int, str, bool]]:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in _BLOCK.finditer(text):
        line = text.count("\n", 0, match.start(2)) + 1
        found.append((line, match.group(2), match.group(1) is None))
    return found


BLOCKS = _blocks()


def test_every_skipped_block_says_why() -> None:
    """Most examples run; the few that cannot are few and marked."""
    skipped = [line for line, _, runs in BLOCKS if not runs]
    assert len(BLOCKS) >= 25
    assert len(skipped) <= 8, skipped


@pytest.mark.parametrize(
    ("line", "code"),
    [pytest.param(line, code, id=f"README.md:{line}") for line, code, runs in BLOCKS if runs],
)
async def test_readme_example_runs(
    line: int, code: str, fake: FakeFlinkey, client: FlinkeyClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The block compiles and runs to the end (its own asserts included)."""
    for name, value in {
        "FLINKEY_BASE_URL": str(fake.url),
        "FLINKEY_API_KEY": fake.api_key,
        "FLINKEY_USERNAME": fake.username,
        "FLINKEY_PASSWORD": fake.password,
        "FLINKEY_CUSTOMER_ID": "1",
    }.items():
        monkeypatch.setenv(name, value)
    built: list[FlinkeyClient] = []
    monkeypatch.setattr(flinkey_async, "FlinkeyClient", _fake_backed(fake, built))
    namespace = _namespace(client, fake)
    source = code.replace("asyncio.run(main())", "")  # awaited below, in this test's loop
    compiled = compile(source, f"README.md:{line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(compiled, namespace)
    if asyncio.iscoroutine(result):
        await result
    main = namespace.get("main")
    if "asyncio.run(main())" in code and asyncio.iscoroutinefunction(main):
        await main()
    for made in built:  # a fragment that builds a client leaves closing it to its reader
        await made.aclose()


def _fake_backed(fake: FakeFlinkey, built: list[FlinkeyClient]) -> type[FlinkeyClient]:
    """FlinkeyClient with the fake's URL and credentials, whatever the example passes."""

    class FakeBacked(FlinkeyClient):
        def __init__(self, *elided: Any, **options: Any) -> None:
            assert elided in ((), (...,))  # FlinkeyClient(..., timeout=10): credentials elided
            real = {"api_key": fake.api_key, "username": fake.username, "password": fake.password}
            real["customer_id"] = 1  # the examples' placeholder ids are not the fake's
            super().__init__(**{**options, **real, "base_url": fake.url})
            built.append(self)

    return FakeBacked


def _namespace(client: FlinkeyClient, fake: FakeFlinkey) -> dict[str, Any]:
    """What a reader has in scope after the README's earlier blocks (and the fake's seed)."""
    namespace: dict[str, Any] = {}
    exec("from flinkey_async import *\nfrom flinkey_async.models import *", namespace)
    stored: list[Any] = []

    async def store(page: Any) -> None:
        stored.append(page)

    namespace.update(
        client=client,
        fake=fake,
        asyncio=asyncio,
        logging=logging,
        datetime=datetime,
        UTC=UTC,
        log=logging.getLogger("readme"),
        s=flinkey_async.fields(flinkey_async.Service),
        ids=[101, 102, 103],
        service_id=101,
        store=store,
        alert_ops=lambda text: None,
    )
    return namespace
