"""Pairing a service contract with a product (a box), and unpairing it."""

from typing import Unpack

import attrs

from .._endpoint import Endpoints, write_route
from .._scope import CallOptions
from .._validate import check_id, check_product_ref


@attrs.frozen
class PairingRequest:
    """The body of PUT and DELETE /pairings: a service, and one way to name the product."""

    service_id: int
    unique_id: str | None = None
    serial_number: str | None = None
    product_id: int | None = None


class Pairings(Endpoints):
    """Pair a service with a product, or unpair them (PUT / DELETE /pairings, 204).

    Name the product by exactly one of ``product_id``, ``serial_number`` or ``unique_id``.
    """

    path = "pairings"
    writes = (
        write_route("PUT", "pairings", PairingRequest, "pair"),
        write_route("DELETE", "pairings", PairingRequest, "unpair"),
    )

    async def pair(
        self,
        *,
        service_id: int,
        product_id: int | None = None,
        serial_number: str | None = None,
        unique_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> None:
        """Pair a service with a product (PUT /pairings); it is sent at most once."""
        body = _request(service_id, product_id, serial_number, unique_id)
        await self._write("PUT", body, options)

    async def unpair(
        self,
        *,
        service_id: int,
        product_id: int | None = None,
        serial_number: str | None = None,
        unique_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> None:
        """Unpair a service from a product (DELETE /pairings)."""
        body = _request(service_id, product_id, serial_number, unique_id)
        await self._write("DELETE", body, options)


def _request(
    service_id: int, product_id: int | None, serial_number: str | None, unique_id: str | None
) -> PairingRequest:
    product = check_product_ref(product_id, serial_number, unique_id)
    return PairingRequest(service_id=check_id(service_id, "service_id"), **product)
