"""client.services: the three Services endpoints of the flinkey API v3."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._convert import structure_list, structure_one
from ._models import Product, Service
from ._validate import check_id

if TYPE_CHECKING:
    from ._client import FlinkeyClient


def _query_string(query: object) -> str:
    if query is not None:
        raise TypeError("query must be None until the OData builder is available")
    return ""


class Services:
    """Service contracts ("flinkey Go") of the customer's boxes.

    Every method takes keyword-only timeout= (seconds for the whole call, retries included) and
    max_retries= (0 disables retries); None keeps the client's settings.
    """

    def __init__(self, client: FlinkeyClient) -> None:
        self._client = client

    async def list(
        self,
        query: None = None,
        *,
        customer_id: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the call's deadline, retries included
        max_retries: int | None = None,
    ) -> list[Service]:
        """Return the customer's services (GET /services)."""
        qs = _query_string(query)
        response = await self._client.get(
            ("services",),
            query_string=qs,
            customer_id=customer_id,
            timeout=timeout,
            max_retries=max_retries,
        )
        return structure_list(response.json(), Service, **response.context())

    async def get(
        self,
        service_id: int,
        query: None = None,
        *,
        customer_id: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the call's deadline, retries included
        max_retries: int | None = None,
    ) -> Service:
        """Return one service by its database id (GET /services/{serviceId})."""
        sid = check_id(service_id, "service_id")
        qs = _query_string(query)
        response = await self._client.get(
            ("services", str(sid)),
            query_string=qs,
            customer_id=customer_id,
            timeout=timeout,
            max_retries=max_retries,
        )
        return structure_one(response.json(), Service, **response.context())

    async def get_product(
        self,
        service_id: int,
        query: None = None,
        *,
        customer_id: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the call's deadline, retries included
        max_retries: int | None = None,
    ) -> Product:
        """Return the product a service is paired with (GET /services/{serviceId}/products)."""
        sid = check_id(service_id, "service_id")
        qs = _query_string(query)
        response = await self._client.get(
            ("services", str(sid), "products"),
            query_string=qs,
            customer_id=customer_id,
            timeout=timeout,
            max_retries=max_retries,
        )
        return structure_one(response.json(), Product, **response.context())
