"""Installing a product (a box) into a car, and uninstalling it."""

from typing import Unpack

import attrs

from .._endpoint import Endpoints, write_route
from .._scope import CallOptions
from .._validate import check_id, check_product_ref


@attrs.frozen
class InstallationRequest:
    """The body of PUT and DELETE /installations: a car, and one way to name the product."""

    car_id: int
    unique_id: str | None = None
    serial_number: str | None = None
    product_id: int | None = None


class Installations(Endpoints):
    """Install a product into a car, or uninstall it (PUT / DELETE /installations, 204).

    Name the product by exactly one of ``product_id``, ``serial_number`` or ``unique_id``.
    A product must be paired with a service first (``client.pairings.pair``). Uninstalling a
    box also deletes the car's assignments; flinkey reports that later by webhook.
    """

    path = "installations"
    writes = (
        write_route("PUT", "installations", InstallationRequest, "install"),
        write_route("DELETE", "installations", InstallationRequest, "uninstall"),
    )

    async def install(
        self,
        *,
        car_id: int,
        product_id: int | None = None,
        serial_number: str | None = None,
        unique_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> None:
        """Install a product into a car (PUT /installations); it is sent at most once."""
        body = _request(car_id, product_id, serial_number, unique_id)
        await self._write("PUT", body, options)

    async def uninstall(
        self,
        *,
        car_id: int,
        product_id: int | None = None,
        serial_number: str | None = None,
        unique_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> None:
        """Uninstall a product from a car (DELETE /installations) [PARTIAL: body inferred]."""
        body = _request(car_id, product_id, serial_number, unique_id)
        await self._write("DELETE", body, options)


def _request(
    car_id: int, product_id: int | None, serial_number: str | None, unique_id: str | None
) -> InstallationRequest:
    product = check_product_ref(product_id, serial_number, unique_id)
    return InstallationRequest(car_id=check_id(car_id, "car_id"), **product)
