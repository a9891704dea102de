"""Fetch many resources by id at bounded concurrency, keeping input order and every outcome."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, Self, TypeVar, cast

from ._errors import ClientClosedError

T = TypeVar("T")
NOTE_PREFIX: Final = "while fetching "


class BulkFetchError(ExceptionGroup[Exception]):
    """Some ids of a bulk fetch failed; ``results`` still holds every outcome, in input order.

    ``exceptions`` holds each distinct failure once, in input order (a note on each names its
    id); catch them with ``except* NotFoundError`` and the like. ``results`` is aligned with the
    ids passed in: the fetched object, or the exception for that id. ``derive`` (used by
    ``except*`` and ``split``) returns a plain ExceptionGroup.
    """

    ids: tuple[int, ...]
    results: list[Any]

    def __new__(
        cls,
        message: str,
        exceptions: Sequence[Exception],
        *,
        ids: tuple[int, ...] = (),
        results: list[Any] | None = None,
    ) -> Self:
        self = super().__new__(cls, message, exceptions)
        self.ids = ids
        self.results = [] if results is None else results
        return self

    def __init__(
        self,
        message: str,
        exceptions: Sequence[Exception],
        *,
        ids: tuple[int, ...] = (),
        results: list[Any] | None = None,
    ) -> None:
        super().__init__(message, exceptions)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, {list(self.exceptions)!r})"


async def fetch_many(
    fetch: Callable[[int], Awaitable[T]], ids: tuple[int, ...], *, concurrency: int, what: str
) -> list[T | Exception]:
    """Fetch each distinct id once, at most ``concurrency`` at a time; outcomes align with ids.

    One failure does not cancel the other fetches; cancelling the caller cancels (and awaits)
    every fetch still running. A closed client ends the whole call with ClientClosedError.
    """
    unique = dict.fromkeys(ids)
    outcomes: dict[int, T | Exception] = {}
    pending = iter(unique)

    # A fixed pool of workers, not one task per id: memory stays flat for long id lists.
    async def worker() -> None:
        for key in pending:
            try:
                outcomes[key] = await fetch(key)
            except ClientClosedError:
                raise  # not one id's outcome: the call ends, as every call does at aclose()
            except Exception as exc:
                outcomes[key] = _noted(exc, f"{NOTE_PREFIX}{what} {key}")

    workers = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, len(unique)))]
    try:
        await asyncio.gather(*workers)  # workers catch every Exception but ClientClosedError
    except BaseException:
        for task in workers:
            task.cancel()
        # Let every fetch finish unwinding (release its connection) before re-raising.
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    return [outcomes[key] for key in ids]


def _noted(exc: Exception, note: str) -> Exception:
    """Add a note naming the id; an error shared by several ids (a refused token) is copied."""
    if any(n.startswith(NOTE_PREFIX) for n in getattr(exc, "__notes__", ())):
        shared = exc
        exc = copy.copy(shared)
        exc.__notes__ = [n for n in shared.__notes__ if not n.startswith(NOTE_PREFIX)]
        exc.__cause__, exc.__context__ = shared.__cause__, shared.__context__
    exc.add_note(note)
    return exc


def raise_for_failures(results: list[T | Exception], ids: tuple[int, ...], what: str) -> list[T]:
    """Return the results if every fetch succeeded, else raise BulkFetchError carrying them."""
    failures = list({id(r): r for r in results if isinstance(r, Exception)}.values())
    if not failures:
        return cast(list[T], results)
    raise BulkFetchError(
        f"{len(failures)} of {len(set(ids))} {what} fetches failed",
        failures,
        ids=ids,
        results=results,
    )
