"""Pairing a service contract with a product (a box), and unpairing it."""

from typing import Unpack

from .._links import PairArgs, PairingRequest, ProductLinks


class Pairings(ProductLinks):
    """Pair a service with a product, or unpair them (PUT / DELETE /pairings, 204).

    Name the product by exactly one of ``product_id``, ``serial_number`` or ``unique_id``.
    """

    path = "pairings"
    owner = "service_id"
    body = PairingRequest
    verbs = (("PUT", "pair"), ("DELETE", "unpair"))

    async def pair(self, **args: Unpack[PairArgs]) -> None:
        """Pair a service with a product (PUT /pairings); it is sent at most once."""
        await self._link("PUT", args)

    async def unpair(self, **args: Unpack[PairArgs]) -> None:
        """Unpair a service from a product (DELETE /pairings)."""
        await self._link("DELETE", args)
