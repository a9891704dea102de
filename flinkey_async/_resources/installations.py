"""Installing a product (a box) into a car, and uninstalling it."""

from typing import Unpack

from .._links import InstallArgs, InstallationRequest, ProductLinks


class Installations(ProductLinks):
    """Install a product into a car, or uninstall it (PUT / DELETE /installations, 204).

    Name the product by exactly one of ``product_id``, ``serial_number`` or ``unique_id``.
    A product must be paired with a service first (``client.pairings.pair``). Uninstalling a
    box also deletes the car's assignments; flinkey reports that later by webhook.
    """

    path = "installations"
    owner = "car_id"
    body = InstallationRequest
    verbs = (("PUT", "install"), ("DELETE", "uninstall"))

    async def install(self, **args: Unpack[InstallArgs]) -> None:
        """Install a product into a car (PUT /installations); it is sent at most once."""
        await self._link("PUT", args)

    async def uninstall(self, **args: Unpack[InstallArgs]) -> None:
        """Uninstall a product from a car (DELETE /installations) [PARTIAL: body inferred]."""
        await self._link("DELETE", args)
