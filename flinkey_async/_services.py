"""client.services: the three Services endpoints of the flinkey API v3."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Literal, overload

from ._bulk import check_ids, fetch_many, raise_for_failures
from ._convert import structure_list, structure_one
from ._models import PartialProduct, PartialService, Product, Service
from ._paging import DEFAULT_PAGE_SIZE, Pager, check_call_options, check_query
from ._query import Full, Query, Selected
from ._validate import check_count, check_id

if TYPE_CHECKING:
    from ._client import FlinkeyClient

DEFAULT_CONCURRENCY: Final = 10


def _query_string(query: Query[Any] | None) -> str:
    return "" if query is None else check_query(query).to_query_string()


def _selects(query: Query[Any] | None) -> bool:
    return query is not None and bool(query.select_fields)


class Services:
    """Service contracts ("flinkey Go") of the customer's boxes.

    Every method takes ``customer_id=`` (override the client's default for this call),
    ``timeout=`` (this call's deadline in seconds, retries included) and ``max_retries=``.
    """

    def __init__(self, client: FlinkeyClient) -> None:
        self._client = client

    @overload
    async def list(
        self,
        query: Query[Selected],
        *,
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> builtins.list[PartialService]: ...
    @overload
    async def list(
        self,
        query: Query[Full] | None = None,
        *,
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> builtins.list[Service]: ...
    async def list(
        self,
        query: Query[Any] | None = None,
        *,
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> builtins.list[Service] | builtins.list[PartialService]:
        """Return the customer's services (GET /services); a ``select()`` makes them partial."""
        response = await self._client.get(
            ("services",),
            query_string=_query_string(query),
            customer_id=customer_id,
            timeout=timeout,
            max_retries=max_retries,
        )
        model = PartialService if _selects(query) else Service
        return structure_list(response.json(), model, **response.context())  # type: ignore[return-value]

    @overload
    async def get(
        self,
        service_id: int,
        query: Query[Selected],
        *,
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> PartialService: ...
    @overload
    async def get(
        self,
        service_id: int,
        query: Query[Full] | None = None,
        *,
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Service: ...
    async def get(
        self,
        service_id: int,
        query: Query[Any] | None = None,
        *,
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Service | PartialService:
        """Return one service by its database id (GET /services/{serviceId})."""
        path = ("services", str(check_id(service_id, "service_id")))
        response = await self._client.get(
            path,
            query_string=_query_string(query),
            customer_id=customer_id,
            timeout=timeout,
            max_retries=max_retries,
        )
        model = PartialService if _selects(query) else Service
        return structure_one(response.json(), model, **response.context())  # type: ignore[return-value]

    @overload
    async def get_product(
        self,
        service_id: int,
        query: Query[Selected],
        *,
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> PartialProduct: ...
    @overload
    async def get_product(
        self,
        service_id: int,
        query: Query[Full] | None = None,
        *,
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Product: ...
    async def get_product(
        self,
        service_id: int,
        query: Query[Any] | None = None,
        *,
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Product | PartialProduct:
        """Return the product a service is paired with (GET /services/{serviceId}/products)."""
        path = ("services", str(check_id(service_id, "service_id")), "products")
        response = await self._client.get(
            path,
            query_string=_query_string(query),
            customer_id=customer_id,
            timeout=timeout,
            max_retries=max_retries,
        )
        model = PartialProduct if _selects(query) else Product
        return structure_one(response.json(), model, **response.context())  # type: ignore[return-value]

    @overload
    def iterate(
        self,
        query: Query[Selected],
        *,
        page_size: int = ...,
        max_items: int | None = ...,
        customer_id: int | None = ...,
        timeout: float | None = ...,
        max_retries: int | None = ...,
    ) -> Pager[PartialService]: ...
    @overload
    def iterate(
        self,
        query: Query[Full] | None = None,
        *,
        page_size: int = ...,
        max_items: int | None = ...,
        customer_id: int | None = ...,
        timeout: float | None = ...,
        max_retries: int | None = ...,
    ) -> Pager[Service]: ...
    def iterate(
        self,
        query: Query[Any] | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> Pager[Service] | Pager[PartialService]:
        """Return a Pager over all the customer's services: ``async for s in ...iterate(q)``.

        Pages of ``page_size`` are fetched with ``$skip``/``$top``, one request at a time; the
        query's ``skip`` is the start, its ``top`` and ``max_items`` cap the total, and a query
        without ``orderby`` is ordered by ``id``. ``timeout`` and ``max_retries`` apply to each
        page request (bound the whole walk with ``asyncio.timeout``). Arguments are checked
        here, before any I/O.
        """
        self._client.customer_header(customer_id)
        check_call_options(timeout, max_retries)

        async def fetch(page: Query[Any]) -> builtins.list[Any]:
            items: builtins.list[Any] = await self.list(
                page, customer_id=customer_id, timeout=timeout, max_retries=max_retries
            )
            return items

        return Pager(fetch, query, page_size=page_size, max_items=max_items)

    @overload
    async def get_many(
        self,
        service_ids: Iterable[int],
        *,
        concurrency: int = ...,
        customer_id: int | None = ...,
        return_exceptions: Literal[False] = ...,
    ) -> builtins.list[Service]: ...

    @overload
    async def get_many(
        self,
        service_ids: Iterable[int],
        *,
        concurrency: int = ...,
        customer_id: int | None = ...,
        return_exceptions: Literal[True],
    ) -> builtins.list[Service | Exception]: ...

    @overload
    async def get_many(
        self,
        service_ids: Iterable[int],
        *,
        concurrency: int = ...,
        customer_id: int | None = ...,
        return_exceptions: bool,
    ) -> builtins.list[Service] | builtins.list[Service | Exception]: ...

    async def get_many(
        self,
        service_ids: Iterable[int],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        customer_id: int | None = None,
        return_exceptions: bool = False,
    ) -> builtins.list[Service] | builtins.list[Service | Exception]:
        """Return services by id, in input order, with at most ``concurrency`` requests at once.

        Each distinct id is fetched once. If any fetch fails, the others still finish and
        BulkFetchError (an ExceptionGroup) is raised with ``.results`` aligned to the input;
        with ``return_exceptions=True`` that aligned list is returned instead.
        """
        ids = check_ids(service_ids, "service_ids")
        limit = check_count(concurrency, "concurrency", minimum=1)
        self._client.customer_header(customer_id)
        if not ids:
            return []

        async def fetch(service_id: int) -> Service:
            return await self.get(service_id, customer_id=customer_id)

        results = await fetch_many(fetch, ids, concurrency=limit, what="service")
        return results if return_exceptions else raise_for_failures(results, ids, "service")
