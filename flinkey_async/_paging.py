"""Pager: walk a list endpoint page by page with $skip/$top, one request at a time."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Hashable
from typing import Any, Final, Generic, Self, TypeVar

from ._fields import F
from ._query import Query, check_query
from ._validate import check_count, check_max_items

T = TypeVar("T")

DEFAULT_PAGE_SIZE: Final = 100
MAX_PAGE_SIZE: Final = 10_000

log = logging.getLogger("flinkey_async")

FetchPage = Callable[[Query[Any]], Awaitable[list[T]]]


def item_key(item: Any) -> Hashable:
    """Identify an item for the repeated-page guard: its id when it has one, else itself."""
    key = getattr(item, "id", None)
    return key if key.__class__ is int else item


class Pager(Generic[T]):
    """All items of a list query, fetched in pages: ``async for item in pager``.

    Get one from a collection's ``iterate()``, which checks the arguments before any I/O.
    ``pager.pages()`` yields one list per page instead. Pages are requested one at a time,
    and only when the loop needs them; no request runs between items, so leaving the loop
    early (``break``, an exception, cancellation) leaves nothing running. Each ``async for``
    starts a fresh walk from the first page. Only the current page is held in memory.

    Paging steps ``$skip``/``$top`` over the query: its ``skip`` is the start, its ``top`` and
    ``max_items`` cap the total. A query without ``orderby`` is ordered by ``id`` (``$skip``
    paging needs a stable order); a ``select`` without ``id`` also selects ``id``, so a
    repeated page can be told from equal rows.

    The first page asks for ``$count=true`` (unless the query sets ``count()``): a page shorter
    than asked ends the walk only once the walk has passed that count (or when the server sent
    none), so a server capping its pages does not end it early. Guards against servers that do
    not page as asked: a page longer than asked (``$top`` ignored) is kept whole; items already
    yielded (``$skip`` ignored, alternating replicas, rows shifting between requests) are dropped,
    and a page with nothing new, or the same page again, ends the walk.
    """

    __slots__ = ("_fetch", "_max_items", "_order_key", "_page_size", "_query")

    def __init__(
        self,
        fetch: FetchPage[T],
        query: Query[Any] | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        order_key: str | None = "id",
    ) -> None:
        self._query = check_query(query)
        self._page_size = check_count(page_size, "page_size", minimum=1, maximum=MAX_PAGE_SIZE)
        self._max_items = check_max_items(max_items)
        self._fetch = fetch
        self._order_key = order_key

    @property
    def query(self) -> Query[Any]:
        """The caller's query, as given (before the paging options are applied)."""
        return self._query

    @property
    def page_size(self) -> int:
        """The number of items asked for per request."""
        return self._page_size

    @property
    def max_items(self) -> int | None:
        """The most items the walk yields (None: no limit besides the query's ``top``)."""
        return self._max_items

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self._query!r}, page_size={self._page_size}, "
            f"max_items={self._max_items})"
        )

    def pages(self) -> AsyncIterator[list[T]]:
        """Iterate page by page: each a non-empty list of items (after the guards)."""
        return self._walk()

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncGenerator[T, None]:
        # An async generator: cheaper per item than a class's __anext__. Between items it
        # holds only the current page; closing it early (break, GC) has nothing to clean up.
        async for page in self._walk():
            for item in page:
                yield item
            del page  # let it go before the next page arrives (less for the GC to scan)

    def _walk(self) -> _PageIterator[T]:
        return _PageIterator(
            self._fetch, self._query, self._page_size, self._max_items, self._order_key
        )


MAX_REMEMBERED: Final = 100_000
"""How many ids a walk remembers to drop repeats (beyond: page fingerprints and the last page)."""


class _Seen:
    """What a walk has yielded: its ids up to MAX_REMEMBERED, the last page, page fingerprints."""

    __slots__ = ("_ids", "_pages", "_previous")

    def __init__(self) -> None:
        self._ids: set[Hashable] = set()
        self._previous: frozenset[Hashable] = frozenset()
        self._pages: set[int] = set()

    def fresh(self, items: list[T]) -> list[T]:
        """Return the items not yielded before (all of them, in the common case)."""
        keys = list(map(item_key, items))
        page = frozenset(keys)
        previous, self._previous = self._previous, page
        fingerprint = hash(page)
        if fingerprint in self._pages and page:
            return []  # the very same page again: a server ignoring $skip (or alternating)
        self._pages.add(fingerprint)
        if self._ids.isdisjoint(keys) and previous.isdisjoint(keys):
            new = items
        else:
            new = [
                item
                for item, key in zip(items, keys, strict=True)
                if key not in self._ids and key not in previous
            ]
        if len(self._ids) < MAX_REMEMBERED:
            self._ids.update(keys)
        return new


class _PageIterator(AsyncIterator[list[T]]):
    """The walk itself: one request per ``__anext__``."""

    __slots__ = (
        "_base",
        "_busy",
        "_counted",
        "_delivered",
        "_done",
        "_fetch",
        "_limit",
        "_offset",
        "_page_size",
        "_seen",
        "_total",
    )

    def __init__(
        self,
        fetch: FetchPage[T],
        query: Query[Any],
        page_size: int,
        max_items: int | None,
        order_key: str | None,
    ) -> None:
        limits = [n for n in (query.top_value, max_items) if n is not None]
        self._limit: int | None = min(limits) if limits else None
        self._offset = query.skip_value or 0
        base = query.top(None).skip(None)
        if order_key is not None and not base.orderby_keys:
            log.debug("paging without orderby: ordering by %s for stable $skip pages", order_key)
            base = base.orderby(F(order_key))
        if order_key is not None and base.select_fields and order_key not in base.select_fields:
            base = base.select(F(order_key))
        self._base = base
        # The first page asks for the total (unless the caller chose), so that a server capping
        # pages below $top does not end the walk early.
        self._counted = base.count() if base.count_value is None else base
        self._fetch = fetch
        self._page_size = page_size
        self._delivered = 0
        self._total: int | None = None
        self._seen = _Seen()
        self._done = False
        self._busy = False

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> list[T]:
        if self._busy:
            raise RuntimeError("a page is already being fetched; pages are fetched one at a time")
        if self._done:
            raise StopAsyncIteration
        self._busy = True
        try:
            page = await self._next_page()
        finally:
            self._busy = False
        if page is None:
            self.stop()
            raise StopAsyncIteration
        return page

    async def aclose(self) -> None:
        """End the walk: later ``__anext__`` calls stop at once."""
        self.stop()

    def stop(self) -> None:
        """End the walk and let go of what it remembers."""
        self._done = True
        self._seen = _Seen()

    async def _next_page(self) -> list[T] | None:
        """Fetch the next page and apply the guards; None when the walk is over."""
        remaining = self._remaining()
        if remaining is not None and remaining <= 0:
            return None
        asked = self._page_size if remaining is None else min(self._page_size, remaining)
        query = self._counted if self._delivered == 0 and self._total is None else self._base
        items = await self._fetch(query.top(asked).skip(self._offset))
        if query is self._counted and self._total is None:
            self._total = _total_of(items)
        received = len(items)
        self._offset += received
        if received > asked:
            log.warning(
                "the server returned %d items for $top=%d; keeping them all", received, asked
            )
        fresh = self._seen.fresh(items)
        if len(fresh) < received:
            log.warning(
                "dropped %d of %d items already seen in this walk "
                "(the data changed between pages, or the server ignores $skip)",
                received - len(fresh),
                received,
            )
        if remaining is not None:
            del fresh[remaining:]
        # A short page is the last, unless the server's count says more rows lie beyond it
        # (a server capping pages below $top).
        short = received < asked and (self._total is None or self._offset >= self._total)
        if short or not fresh:
            self._done = True
        if not fresh:
            return None
        self._delivered += len(fresh)
        return fresh

    def _remaining(self) -> int | None:
        """How many more items the caller wants (None: all of them)."""
        return None if self._limit is None else self._limit - self._delivered


def _total_of(items: list[Any]) -> int | None:
    """Return the count the server sent with the first page: where the walk ends (or None)."""
    total: int | None = getattr(items, "total_count", None)
    return total
