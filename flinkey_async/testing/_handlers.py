"""The fake's routes, built from the SDK's route registry, and its generic list/get handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web
from aiohttp.web_urldispatcher import AbstractRoute

from .._endpoint import Route
from .._registry import ROUTES
from ._special import SPECIAL, SpecialHandler
from ._store import Table, Tables
from ._values import ODataError
from ._wire import JSON, Refusal, Server, customer_of, json_response, path_id, text

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def assumed_not_found(key: str, scoped: bool) -> str:
    """The fake's 404 text where flinkey documents none, in the style of its documented ones."""
    noun = key.removesuffix("Id")
    article = "an" if noun[:1] in ("a", "e", "i", "o") else "a"  # "a user", "an event"
    owner = " which is assigned to the given customerId" if scoped else ""
    return f"Unable to find {article} {noun} for the given {key}{owner}."


def _key(template: str) -> str:
    """The path parameter of a template with one (``cars/{carId}/events`` -> ``carId``)."""
    return template.partition("{")[2].partition("}")[0]


def _scope(server: Server, route: Route, request: web.Request) -> Tables:
    return server.store.customer(customer_of(request)) if route.scoped else server.store


def _table(scope: Tables, route: Route) -> Table:
    if route.model is None:
        raise TypeError(f"route {route.template} has no model")
    return scope.table(route.model)


async def list_items(server: Server, route: Route, request: web.Request) -> web.Response:
    """A collection, or the rows below one parent whose ``route.link`` holds the parent key."""
    scope = _scope(server, route, request)
    rows: list[JSON]
    if route.link is None:
        rows = list(_table(scope, route).values())
    else:
        key = _key(route.template)
        parent_id = path_id(request, key)
        owner = route.owner.path if route.owner is not None else ""
        if parent_id not in scope.table(owner):
            raise Refusal(404, route.parent_not_found or assumed_not_found(key, route.scoped))
        link = route.link
        rows = [row for row in _table(scope, route).values() if row.get(link) == parent_id]
    if not route.odata:
        return json_response(rows)
    return json_response(server.evaluate(request, rows, entity=route.model))


async def get_item(server: Server, route: Route, request: web.Request) -> web.Response:
    """One row by id; of the OData options only ``$select`` (and ``$expand``) apply."""
    key = _key(route.template)
    row = _table(_scope(server, route, request), route).get(path_id(request, key))
    if row is None:
        raise Refusal(404, route.not_found or assumed_not_found(key, route.scoped))
    if not route.odata:
        return json_response(row)
    return json_response(server.evaluate(request, row, entity=route.model))


GENERIC: Final[dict[str, SpecialHandler]] = {"list": list_items, "get": get_item}


def handler_of(route: Route) -> SpecialHandler | None:
    """The handler serving a route: a special one, else the generic one of its kind."""
    return SPECIAL.get((route.method, route.template)) or GENERIC.get(route.kind)


def bind(server: Server, route: Route, handler: SpecialHandler) -> Handler:
    """Return an aiohttp handler for one route that answers refusals with their status."""

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(server, route, request)
        except Refusal as refusal:
            return refusal.response()
        except ODataError as exc:
            return text(exc.status, exc.message)

    return handle


async def _not_implemented(server: Server, route: Route, request: web.Request) -> web.Response:
    return text(501, f"The fake flinkey server does not serve {route.method} /{route.template}.")


def add_routes(app: web.Application, server: Server) -> dict[AbstractRoute, Route]:
    """Add every registry route under /v3/; return each aiohttp route's registry Route.

    A route of a kind the fake cannot serve generically and has no special handler for
    answers 501 (a test keeps that list empty).
    """
    known: dict[AbstractRoute, Route] = {}
    for route in ROUTES:
        handler = handler_of(route) or _not_implemented
        added = app.router.add_route(
            route.method, f"/v3/{route.template}", bind(server, route, handler)
        )
        known[added] = route
    return known
