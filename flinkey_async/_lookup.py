"""Reads by id written once: get() and get_many(), typed Full -> M, Selected -> P."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any, Final, Generic, Literal, TypeVar, Unpack, overload

from ._bulk import fetch_many, raise_for_failures
from ._collection import Collection
from ._convert import structure_one
from ._endpoint import Endpoints, Route, query_text, selects, snake
from ._query import Full, Query, Selected
from ._scope import CallOptions, Settings
from ._validate import INT32_MAX, check_count, check_id, check_ids

M = TypeVar("M")
P = TypeVar("P")

DEFAULT_CONCURRENCY: Final = 10


class Lookup(Endpoints, Generic[M, P]):
    """Items read by id: ``get()`` and ``get_many()``."""

    @classmethod
    def _own_routes(cls) -> list[Route]:
        template = f"{cls.path}/{{{cls.key}}}"
        return [
            Route(
                "GET",
                template,
                "get",
                cls.model,
                cls.partial,
                cls.scoped,
                not_found=cls.not_found,
                name="get",
                owner=cls,
            )
        ]

    @overload
    async def get(
        self, item_id: int, /, query: Query[Selected], **options: Unpack[CallOptions]
    ) -> P: ...
    @overload
    async def get(
        self, item_id: int, /, query: Query[Full] | None = None, **options: Unpack[CallOptions]
    ) -> M: ...
    async def get(
        self, item_id: int, /, query: Query[Any] | None = None, **options: Unpack[CallOptions]
    ) -> M | P:
        """Return one item by its database id."""
        # The common case (a plain int id, no query) without a call per check.
        if item_id.__class__ is not int or not 0 < item_id <= INT32_MAX:
            item_id = check_id(item_id, snake(self.key))
        settings = self._scope.settings(options, self.scoped)
        # _get written out (one coroutine less per call).
        path = f"{self.path}/{item_id}"
        url = self._scope.url(path) if query is None else self._scope.url(path, query_text(query))
        response = await self._scope.send("GET", url, settings, None, self.item_template)
        model = self.partial if selects(query) else self.model
        item: M | P = structure_one(response.json(), model, response)
        return item

    @overload
    async def get_many(
        self,
        ids: Iterable[int],
        /,
        *,
        concurrency: int = ...,
        return_exceptions: Literal[False] = ...,
        **options: Unpack[CallOptions],
    ) -> builtins.list[M]: ...
    @overload
    async def get_many(
        self,
        ids: Iterable[int],
        /,
        *,
        concurrency: int = ...,
        return_exceptions: Literal[True],
        **options: Unpack[CallOptions],
    ) -> builtins.list[M | Exception]: ...
    @overload
    async def get_many(
        self,
        ids: Iterable[int],
        /,
        *,
        concurrency: int = ...,
        return_exceptions: bool,
        **options: Unpack[CallOptions],
    ) -> builtins.list[M] | builtins.list[M | Exception]: ...
    async def get_many(
        self,
        ids: Iterable[int],
        /,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        return_exceptions: bool = False,
        **options: Unpack[CallOptions],
    ) -> builtins.list[M] | builtins.list[M | Exception]:
        """Return items by id, in input order, with at most ``concurrency`` requests at once.

        Each distinct id is fetched once. If any fetch fails, the others still finish and
        BulkFetchError (an ExceptionGroup) is raised with ``.results`` aligned to the input;
        with ``return_exceptions=True`` that aligned list is returned instead. The options
        apply to each request.
        """
        what = snake(self.key).removesuffix("_id")
        checked = check_ids(ids, f"{what}_ids")
        limit = check_count(concurrency, "concurrency", minimum=1)
        settings = self._scope.settings(options, self.scoped)
        if not checked:
            return []

        async def fetch(item_id: int) -> M:
            item: M = await self._get(item_id, None, settings)
            return item

        results = await fetch_many(fetch, checked, concurrency=limit, what=what)
        return results if return_exceptions else raise_for_failures(results, checked, what)

    async def _get(self, item_id: int, query: Query[Any] | None, settings: Settings) -> Any:
        url = self._scope.url(f"{self.path}/{item_id}", query_text(query))
        response = await self._scope.send("GET", url, settings, None, self.item_template)
        model = self.partial if selects(query) else self.model
        return structure_one(response.json(), model, response)


class Resource(Collection[M, P], Lookup[M, P]):
    """A collection whose items are also read by id: list/iterate/count and get/get_many."""
