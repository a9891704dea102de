"""Writes that link a product to something (a car, a service), declared once for both."""

from typing import Any, ClassVar, NotRequired, Required

import attrs

from ._endpoint import Endpoints, write_route
from ._scope import CallOptions
from ._validate import OPTION_NAMES, check_id, check_product_ref


class ProductRef(CallOptions, total=False):
    """Exactly one way to name the product, plus the per-call options."""

    product_id: NotRequired[int | None]
    serial_number: NotRequired[str | None]
    unique_id: NotRequired[str | None]


class InstallArgs(ProductRef, total=False):
    """The arguments of install() and uninstall()."""

    car_id: Required[int]


class PairArgs(ProductRef, total=False):
    """The arguments of pair() and unpair()."""

    service_id: Required[int]


class ProductLinks(Endpoints):
    """Base of PUT/DELETE endpoints whose JSON body names an owner id and one product."""

    owner: ClassVar[str]
    body: ClassVar[type[Any]]
    verbs: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.writes = tuple(
            write_route(method, cls.path, cls.body, name) for method, name in cls.verbs
        )

    async def _link(self, method: str, args: Any) -> None:
        """Check the owner id and the product reference, then send the body (before: no I/O)."""
        given = dict(args)
        options = {name: given.pop(name) for name in OPTION_NAMES & given.keys()}
        if self.owner not in given:
            raise TypeError(f"missing required keyword argument {self.owner!r}")
        owner = check_id(given.pop(self.owner), self.owner)
        product = check_product_ref(
            given.pop("product_id", None),
            given.pop("serial_number", None),
            given.pop("unique_id", None),
        )
        if given:
            raise TypeError(f"unexpected keyword argument {min(given)!r}")
        await self._write(method, self.body(owner, **product), options)


@attrs.frozen
class InstallationRequest:
    """The body of PUT and DELETE /installations: a car, and one way to name the product."""

    car_id: int
    unique_id: str | None = None
    serial_number: str | None = None
    product_id: int | None = None


@attrs.frozen
class PairingRequest:
    """The body of PUT and DELETE /pairings: a service, and one way to name the product."""

    service_id: int
    unique_id: str | None = None
    serial_number: str | None = None
    product_id: int | None = None
