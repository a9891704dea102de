"""Endpoints below one item, declared in a line: ``events = Nested("events", Event, ...)``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Generic, Literal, Self, TypeVar, Unpack, overload
from urllib.parse import quote

from ._collection import Collection, PlainCollection
from ._convert import structure_one
from ._endpoint import Endpoints, Route, query_text, selects, snake
from ._query import Full, Query, Selected
from ._scope import CallOptions
from ._validate import check_id, check_segment

K = TypeVar("K", int, str)
M = TypeVar("M")
P = TypeVar("P")


def _parent_path(parent: Endpoints, key: object, by_name: bool = False) -> str:
    """Return the encoded path of one item (a name is percent-encoded as one segment)."""
    name = snake(parent.key)
    if by_name:
        return f"{parent.path}/{quote(check_segment(key, name), safe='')}"
    return f"{parent.path}/{check_id(key, name)}"


class _Declared:
    """A nested declaration: its attribute name and its route below the owner's items."""

    segment: str
    name: str = ""
    kind: Literal["list", "one"] = "list"
    template: str = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name
        self.template = f"/{owner.path}/{{{owner.key}}}/{self.segment}"

    def _route(self, owner: type[Endpoints], **details: Any) -> Route:
        template = f"{owner.path}/{{{owner.key}}}/{self.segment}"
        return Route(
            "GET", template, self.kind, scoped=owner.scoped, name=self.name, owner=owner, **details
        )


class Nested(_Declared, Generic[K, M, P]):
    """A list with OData below one item: ``client.cars.events(car_id).list(query)``.

    ``link`` names the child's wire field that holds the parent key (the fake server reads it);
    ``default_top`` is sent when a ``list()`` query has no ``top()`` (documented for events).
    """

    @overload
    def __init__(
        self: Nested[int, M, P],
        segment: str,
        model: type[M],
        partial: type[P],
        *,
        link: str | None = None,
        default_top: int | None = None,
    ) -> None: ...
    @overload
    def __init__(
        self: Nested[str, M, P],
        segment: str,
        model: type[M],
        partial: type[P],
        *,
        by_name: Literal[True],
        link: str | None = None,
        default_top: int | None = None,
    ) -> None: ...
    def __init__(
        self,
        segment: str,
        model: type[M],
        partial: type[P],
        *,
        by_name: bool = False,
        link: str | None = None,
        default_top: int | None = None,
    ) -> None:
        self.segment, self.model, self.partial = segment, model, partial
        self.by_name, self.link, self.default_top = by_name, link, default_top

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: Endpoints, owner: type[Any]) -> Callable[[K], Collection[M, P]]: ...
    def __get__(
        self, obj: Endpoints | None, owner: type[Any]
    ) -> Self | Callable[[K], Collection[M, P]]:
        return self if obj is None else partial(self._bind, obj)

    def _bind(self, parent: Endpoints, key: K) -> Collection[M, P]:
        return Collection(
            parent._scope,
            path=f"{_parent_path(parent, key, self.by_name)}/{self.segment}",
            model=self.model,
            partial=self.partial,
            scoped=parent.scoped,
            default_top=self.default_top,
            list_template=self.template,
        )

    def route(self, owner: type[Endpoints]) -> Route:
        """This endpoint's route table entry."""
        return self._route(
            owner,
            model=self.model,
            partial=self.partial,
            parent_not_found=owner.not_found,
            link=self.link,
        )


class PlainNested(_Declared, Generic[M]):
    """A list without OData below one item: ``client.groups.cars(group_id).list()``."""

    def __init__(self, segment: str, model: type[M], *, link: str | None = None) -> None:
        self.segment, self.model, self.link = segment, model, link

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: Endpoints, owner: type[Any]) -> Callable[[int], PlainCollection[M]]: ...
    def __get__(
        self, obj: Endpoints | None, owner: type[Any]
    ) -> Self | Callable[[int], PlainCollection[M]]:
        return self if obj is None else partial(self._bind, obj)

    def _bind(self, parent: Endpoints, key: int) -> PlainCollection[M]:
        path = f"{_parent_path(parent, key)}/{self.segment}"
        return PlainCollection(
            parent._scope,
            path=path,
            model=self.model,
            partial=self.model,
            scoped=parent.scoped,
            list_template=self.template,
        )

    def route(self, owner: type[Endpoints]) -> Route:
        """This endpoint's route table entry."""
        return self._route(
            owner,
            model=self.model,
            partial=self.model,
            odata=False,
            parent_not_found=owner.not_found,
            link=self.link,
        )


class One(_Declared, Generic[M, P]):
    """One object below one item: ``client.services.get_product(service_id, query)``.

    ``not_found`` is the documented 404 text when there is no such object, ``parent_not_found``
    the one for an unknown parent id (flinkey words it differently per endpoint).
    """

    kind: Literal["list", "one"] = "one"

    def __init__(
        self,
        segment: str,
        model: type[M],
        partial: type[P],
        *,
        not_found: str = "",
        parent_not_found: str = "",
        odata: bool = True,
    ) -> None:
        self.segment, self.model, self.partial = segment, model, partial
        self.not_found, self.parent_not_found, self.odata = not_found, parent_not_found, odata

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: Endpoints, owner: type[Any]) -> BoundOne[M, P]: ...
    def __get__(self, obj: Endpoints | None, owner: type[Any]) -> Self | BoundOne[M, P]:
        return self if obj is None else BoundOne(self, obj)

    def route(self, owner: type[Endpoints]) -> Route:
        """This endpoint's route table entry."""
        return self._route(
            owner,
            model=self.model,
            partial=self.partial,
            odata=self.odata,
            not_found=self.not_found,
            parent_not_found=self.parent_not_found or owner.not_found,
        )


class BoundOne(Generic[M, P]):
    """A single nested read bound to a client: call it with the parent's id."""

    __slots__ = ("_declared", "_parent")

    def __init__(self, declared: One[M, P], parent: Endpoints) -> None:
        self._declared, self._parent = declared, parent

    @overload
    async def __call__(
        self, item_id: int, /, query: Query[Selected], **options: Unpack[CallOptions]
    ) -> P: ...
    @overload
    async def __call__(
        self, item_id: int, /, query: Query[Full] | None = None, **options: Unpack[CallOptions]
    ) -> M: ...
    async def __call__(
        self, item_id: int, /, query: Query[Any] | None = None, **options: Unpack[CallOptions]
    ) -> M | P:
        """Return the object below the item ``item_id``."""
        declared, parent = self._declared, self._parent
        path = f"{_parent_path(parent, item_id)}/{declared.segment}"
        settings = parent._scope.settings(options, parent.scoped)
        url = parent._scope.url(path, query_text(query))
        response = await parent._scope.send("GET", url, settings, None, declared.template)
        model = declared.partial if selects(query) else declared.model
        result: M | P = structure_one(response.json(), model, response)
        return result
