"""The SDK *without* one of its home-made primitives, patched in this process only (issue 11, 3).

This is the one module that reaches into the SDK's internals; adapt it when they change.
Each variant counts its uses so a benchmark can prove the patch was on the hot path, and
fails loudly (naming the hook it needs) if the internal it replaces is gone:

- ``without_watchdog(client)``: every call's deadline is ``asyncio.timeout_at`` (a timer
  handle per call) instead of the engine's ``Watchdog``. Needs ``client._engine._watchdog``
  with ``deadline(when)`` returning a *synchronous* context manager with ``.expired``, and
  ``close()``. ``asyncio.Timeout`` only has async enter/exit, whose coroutines never
  suspend, so they are driven here with ``send(None)``: about what ``async with`` costs.
- ``without_header_cache(client)``: the header dict is built on every call. Needs
  ``client._engine._headers(token, customer, has_body)``, ``client._engine._static_headers``
  and ``token.value.reveal()``.
- ``cattrs_structurer()``: ``structure_list``/``structure_one`` use cattrs' own generated
  structure function for the model (``CONVERTER.get_structure_hook``) instead of the
  exec-compiled one. Needs ``flinkey_async._convert._structurer(cls)`` and ``CONVERTER``.

Hooks that would make this clean (not added: the SDK is not changed by the benchmarks): a
deadline factory on the client (e.g. ``FlinkeyClient(_deadline=...)``), a header builder,
and a structurer factory in ``_convert``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import flinkey_async._convert as convert
from flinkey_async import FlinkeyClient


class Uses:
    """How often a variant's replacement ran."""

    def __init__(self) -> None:
        self.count = 0


def _need(obj: object, name: str, variant: str) -> Any:
    try:
        return getattr(obj, name)
    except AttributeError:
        raise RuntimeError(
            f"benchmarks/_variants.py {variant}: the SDK no longer has {name!r}; adapt the variant"
        ) from None


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that never suspends (asyncio.Timeout's enter and exit)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    coro.close()
    raise RuntimeError("the coroutine suspended")


class _TimeoutAt:
    """asyncio.timeout_at with the interface of the Watchdog's Deadline."""

    __slots__ = ("_timeout",)

    def __init__(self, when: float) -> None:
        self._timeout = asyncio.timeout_at(when)

    def __enter__(self) -> _TimeoutAt:
        _run(self._timeout.__aenter__())
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        result: bool | None = _run(self._timeout.__aexit__(kind, exc, tb))
        return result

    @property
    def expired(self) -> bool:
        return self._timeout.expired()


class _TimeoutAtFactory:
    def __init__(self, uses: Uses) -> None:
        self._uses = uses

    def deadline(self, when: float) -> _TimeoutAt:
        self._uses.count += 1
        return _TimeoutAt(when)

    def close(self) -> None:
        pass


def _engine(client: FlinkeyClient, variant: str) -> Any:
    return _need(client, "_engine", variant)


def without_watchdog(client: FlinkeyClient) -> Uses:
    """Give `client` a per-call asyncio.timeout_at instead of its engine's Watchdog."""
    engine = _engine(client, "without_watchdog")
    _need(_need(engine, "_watchdog", "without_watchdog"), "deadline", "without_watchdog")
    uses = Uses()
    engine._watchdog = _TimeoutAtFactory(uses)
    return uses


def without_header_cache(client: FlinkeyClient) -> Uses:
    """Make `client` build its request headers on every call."""
    engine = _engine(client, "without_header_cache")
    _need(engine, "_headers", "without_header_cache")
    static = _need(engine, "_static_headers", "without_header_cache")
    uses = Uses()

    def headers(token: Any, customer: str | None, has_body: bool) -> dict[str, str]:
        uses.count += 1
        built = {**static, "Authorization": "Bearer " + token.value.reveal()}
        if customer is not None:
            built["Customer-ID"] = customer
        if has_body:
            built["Content-Type"] = "application/json"
        return built

    engine._headers = headers
    return uses


@contextmanager
def cattrs_structurer(uses: Uses | None = None) -> Iterator[None]:
    """While active, the SDK structures with cattrs' generated functions, not its compiled ones."""
    original: Callable[[type[Any]], Callable[[Any], Any]] = _need(
        convert, "_structurer", "cattrs_structurer"
    )
    conv = _need(convert, "CONVERTER", "cattrs_structurer")
    cache: dict[type[Any], Callable[[Any], Any]] = {}

    def structurer(cls: type[Any]) -> Callable[[Any], Any]:
        if uses is not None:
            uses.count += 1
        fn = cache.get(cls)
        if fn is None:
            hook = conv.get_structure_hook(cls)
            fn = cache[cls] = lambda o: hook(o, cls)
        return fn

    convert._structurer = structurer  # type: ignore[assignment]
    try:
        yield
    finally:
        convert._structurer = original
