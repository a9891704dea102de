"""Installing a product (a box) into a car, and uninstalling it."""

from typing import Final, Unpack

from .._links import InstallArgs, InstallationRequest, ProductLinks

# The refusals flinkey documents for PUT /installations (400, 404, 409).
MSG_NO_CAR_ID: Final = "Couldn't install product into car. No valid carId provided."
MSG_NO_PRODUCT_REF: Final = (
    "Couldn't install product into car. No valid productId, serialNumber or uniqueId provided."
)
MSG_PRODUCT_REF_NOT_FOUND: Final = (
    "Unable to find a product for the given productId, serialNumber or uniqueId."
)
MSG_ALREADY_INSTALLED: Final = "The product is already installed into a car."
MSG_NO_SERVICE: Final = "The product has no service assigned."
MSG_SAME_TYPE: Final = "There is already installed a product of the same type in the car."


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
