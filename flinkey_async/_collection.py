"""List endpoints written once: list(), iterate() and count(), typed Full -> M, Selected -> P."""

from __future__ import annotations

import builtins
from typing import Any, Generic, TypeVar, Unpack, overload

from ._convert import ListResult, read_count, structure_list
from ._endpoint import Endpoints, Route, query_text, selects
from ._paging import DEFAULT_PAGE_SIZE, Pager
from ._query import Full, Query, Selected, check_query
from ._scope import CallOptions, Settings

M = TypeVar("M")
P = TypeVar("P")


class Collection(Endpoints, Generic[M, P]):
    """A list endpoint with OData: ``list()``, ``iterate()`` and ``count()``."""

    @classmethod
    def _own_routes(cls) -> list[Route]:
        return [
            Route(
                "GET", cls.path, "list", cls.model, cls.partial, cls.scoped, name="list", owner=cls
            )
        ]

    @overload
    async def list(
        self, query: Query[Selected], **options: Unpack[CallOptions]
    ) -> ListResult[P]: ...
    @overload
    async def list(
        self, query: Query[Full] | None = None, **options: Unpack[CallOptions]
    ) -> ListResult[M]: ...
    async def list(
        self, query: Query[Any] | None = None, **options: Unpack[CallOptions]
    ) -> ListResult[M] | ListResult[P]:
        """Return the items (a list whose ``total_count`` is set after ``count()``)."""
        settings = self._scope.settings(options, self.scoped)
        return await self._page(self._limited(query), settings)

    @overload
    def iterate(
        self,
        query: Query[Selected],
        *,
        page_size: int = ...,
        max_items: int | None = ...,
        **options: Unpack[CallOptions],
    ) -> Pager[P]: ...
    @overload
    def iterate(
        self,
        query: Query[Full] | None = None,
        *,
        page_size: int = ...,
        max_items: int | None = ...,
        **options: Unpack[CallOptions],
    ) -> Pager[M]: ...
    def iterate(
        self,
        query: Query[Any] | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        **options: Unpack[CallOptions],
    ) -> Pager[M] | Pager[P]:
        """Return a Pager over every item: ``async for item in collection.iterate(q)``.

        Pages of ``page_size`` are fetched with ``$skip``/``$top``, one request at a time; the
        query's ``skip`` is the start, its ``top`` and ``max_items`` cap the total. The options
        apply to each page request. Arguments are checked here, before any I/O.
        """
        settings = self._scope.settings(options, self.scoped)

        async def fetch(page: Query[Any]) -> builtins.list[Any]:
            return await self._page(page, settings)

        return Pager(
            fetch, query, page_size=page_size, max_items=max_items, order_key=self.order_key
        )

    async def count(self, query: Query[Any] | None = None, **options: Unpack[CallOptions]) -> int:
        """Return how many items match the query (sends ``$count=true&$top=0``)."""
        settings = self._scope.settings(options, self.scoped)
        counted = check_query(query).count().top(0)
        url = self._scope.url(self.path, counted.to_query_string())
        response = await self._scope.send("GET", url, settings, None, self.list_template)
        return read_count(response.json(), **response.context())

    def _limited(self, query: Query[Any] | None) -> Query[Any] | None:
        """Apply the endpoint's default ``$top`` (documented for event lists) to a query."""
        if self.default_top is None:
            return query
        query = check_query(query)
        return query if query.top_value is not None else query.top(self.default_top)

    async def _page(self, query: Query[Any] | None, settings: Settings) -> ListResult[Any]:
        url = self._scope.url(self.path, query_text(query))
        response = await self._scope.send("GET", url, settings, None, self.list_template)
        model = self.partial if selects(query) else self.model
        return structure_list(response.json(), model, response)


class PlainCollection(Endpoints, Generic[M]):
    """A list endpoint without OData (flinkey documents none for it): ``list()`` only."""

    @classmethod
    def _own_routes(cls) -> list[Route]:
        return [
            Route(
                "GET",
                cls.path,
                "list",
                cls.model,
                cls.partial,
                cls.scoped,
                odata=False,
                name="list",
                owner=cls,
            )
        ]

    async def list(self, **options: Unpack[CallOptions]) -> ListResult[M]:
        """Return every item."""
        settings = self._scope.settings(options, self.scoped)
        url = self._scope.url(self.path)
        response = await self._scope.send("GET", url, settings, None, self.list_template)
        return structure_list(response.json(), self.model, response)
