"""What every endpoint group shares: its declaration, its scope, and its route table entries."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args

import attrs

from ._query import Query, check_query
from ._scope import Scope

if TYPE_CHECKING:
    from ._response import RawResponse

RouteKind = Literal["list", "get", "one", "write"]


@attrs.frozen
class Route:
    """One documented endpoint, as the client, the CLI, the fake server and the tests see it."""

    method: str
    template: str
    kind: RouteKind
    model: type[Any] | None
    partial: type[Any] | None
    scoped: bool
    odata: bool = True
    not_found: str = ""
    parent_not_found: str = ""
    link: str | None = None
    name: str = ""
    owner: type[Any] | None = attrs.field(default=None, eq=False, repr=False)


def selects(query: Query[Any] | None) -> bool:
    """Whether a query has a ``$select`` (so the answer holds partial models)."""
    return query is not None and bool(query.select_fields)


def query_text(query: Query[Any] | None) -> str:
    """Return the encoded query string of a caller's query (checked), or ''."""
    return "" if query is None else check_query(query).to_query_string()


@functools.cache  # a few declared keys; get() names its id parameter on every call
def snake(name: str) -> str:
    """Return the snake_case spelling of a camelCase wire name (``carId`` -> ``car_id``)."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


class Endpoints:
    """Base of every group of endpoints: bound to a client's scope, declared by class attributes.

    ``path`` is the collection path, ``key`` the documented name of its id parameter,
    ``not_found`` the documented 404 text of one item, ``scoped`` whether Customer-ID is sent.
    Generic arguments name the model and the partial model (``Resource[Car, PartialCar]``).
    """

    path: str = ""
    key: str = "id"
    not_found: str = ""
    scoped: bool = True
    order_key: str | None = "id"
    default_top: int | None = None
    model: type[Any] = object
    partial: type[Any] = object
    writes: ClassVar[tuple[Route, ...]] = ()
    list_template: str = "/"
    """The route of ``path`` (``/cars``, ``/cars/{carId}/events``): it names the call's span."""
    item_template: str = "/{id}"
    """The route of one item (``/cars/{carId}``)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.list_template = f"/{cls.path}"
        cls.item_template = f"/{cls.path}/{{{cls.key}}}"
        for base in cls.__dict__.get("__orig_bases__", ()):
            args = [a for a in get_args(base) if isinstance(a, type)]
            if args:
                cls.model, cls.partial = args[0], args[-1]

    def __init__(self, scope: Scope, **declaration: Any) -> None:
        self._scope = scope
        for name, value in declaration.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} /{self.path}>"

    @classmethod
    def routes(cls) -> list[Route]:
        """Every endpoint this class declares (its own, its nested ones, its writes)."""
        found: list[Route] = []
        for klass in reversed(cls.__mro__):
            own = klass.__dict__.get("_own_routes")
            if own is not None:
                found += own.__func__(cls)
        for name in dir(cls):
            route = getattr(getattr(cls, name, None), "route", None)
            if route is not None:
                found.append(route(cls))
        return found + [attrs.evolve(r, owner=cls) for r in cls.writes]

    async def _write(self, method: str, body: object, options: Mapping[str, Any]) -> RawResponse:
        """Send a request model as a JSON body to this endpoint's path (checked before I/O)."""
        settings = self._scope.settings(options, self.scoped)
        url = self._scope.url(self.path)
        return await self._scope.send(method, url, settings, body, self.list_template)


def write_route(
    method: str, path: str, body: type[Any], name: str, *, scoped: bool = True
) -> Route:
    """Return the route of a write endpoint (a JSON request body, no model in the answer)."""
    return Route(method, path, "write", body, None, scoped, odata=False, name=name)
