"""Endpoints the generic handlers cannot serve: pairings, installations, groups, brands, tokens."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

from aiohttp import web

from .._endpoint import Route
from .._resources.brands import MSG_INVALID_BRAND
from .._resources.sdk import MSG_INVALID_SDK_REQUEST
from .._resources.services import MSG_PRODUCT_NOT_FOUND, MSG_PRODUCT_SERVICE_NOT_FOUND
from . import _machine
from ._store import CustomerData
from ._webhooks import assignment_deleted
from ._wire import (
    JSON,
    Refusal,
    Server,
    customer_of,
    json_response,
    parse_int32,
    path_id,
    read_json,
)

SpecialHandler = Callable[[Server, Route, web.Request], Awaitable[web.StreamResponse]]

# The fake's wording where flinkey documents no text (in the style of the documented ones):
MSG_PRODUCT_UNKNOWN: Final = (
    "Unable to find a product for the given productId which is assigned to the given customerId."
)
MSG_NO_PAIRED_SERVICE: Final = "No service can be found that is assigned to this productId."
MSG_GROUP_NOT_FOUND: Final = (
    "Unable to find a group for the given groupId which is assigned to the given customerId."
)


def _data(server: Server, request: web.Request) -> CustomerData:
    return server.store.customer(customer_of(request))


def _one(server: Server, request: web.Request, row: JSON, model: type[Any] | None) -> web.Response:
    return json_response(server.evaluate(request, row, entity=model))


async def product_of_service(server: Server, route: Route, request: web.Request) -> web.Response:
    """GET /services/{serviceId}/products: the product the service is paired with."""
    data, service_id = _data(server, request), path_id(request, "serviceId")
    if service_id not in data.services:
        raise Refusal(404, MSG_PRODUCT_SERVICE_NOT_FOUND)
    product = data.product_of(service_id)
    if product is None:
        raise Refusal(404, MSG_PRODUCT_NOT_FOUND)
    return _one(server, request, product, route.model)


async def service_of_product(server: Server, route: Route, request: web.Request) -> web.Response:
    """GET /products/{productId}/services: one object, the service paired with the product."""
    data, product_id = _data(server, request), path_id(request, "productId")
    if product_id not in data.products:
        raise Refusal(404, MSG_PRODUCT_UNKNOWN)
    service = data.service_of(product_id)
    if service is None:
        raise Refusal(404, MSG_NO_PAIRED_SERVICE)
    return _one(server, request, service, route.model)


async def group_cars(server: Server, route: Route, request: web.Request) -> web.Response:
    """GET /groups/{groupId}/cars: the group's member cars (no OData, as documented)."""
    data, group_id = _data(server, request), path_id(request, "groupId")
    if group_id not in data.groups:
        raise Refusal(404, MSG_GROUP_NOT_FOUND)
    members = data.group_cars.get(group_id, [])
    return json_response([data.cars[car] for car in members if car in data.cars])


async def customers(server: Server, route: Route, request: web.Request) -> web.Response:
    """GET /customers: the customers this API manager may act for (no Customer-ID)."""
    rows = [server.store.customer_row(customer) for customer in sorted(server.customers)]
    return json_response(server.evaluate(request, rows, entity=route.model))


async def brands(server: Server, route: Route, request: web.Request) -> web.Response:
    """GET /brands: brand names, a JSON array of strings ($orderby=$this, $top, $skip apply)."""
    rows = [{"$this": brand} for brand in server.store.brands]
    result = server.evaluate(request, rows, entity=str)
    if isinstance(result, dict):
        return json_response({**result, "value": [row["$this"] for row in result["value"]]})
    return json_response([row["$this"] for row in result])


async def brand_keys(server: Server, route: Route, request: web.Request) -> web.Response:
    """GET /brands/{brand}/keys: the keys of one brand (matched ignoring case, like SQL Server).

    The brand arrives percent-encoded as one path segment; aiohttp decodes it (BMW%2FMini ->
    BMW/Mini) after routing. An unknown brand is flinkey's documented 400.
    """
    brand = request.match_info["brand"].casefold()
    if all(known.casefold() != brand for known in server.store.brands):
        raise Refusal(400, MSG_INVALID_BRAND)
    keys = [row for row in server.store.keys.values() if str(row.get("brand")).casefold() == brand]
    return json_response(server.evaluate(request, keys, entity=route.model))


async def install(server: Server, route: Route, request: web.Request) -> web.StreamResponse:
    """PUT /installations (204)."""
    _machine.install(_data(server, request), await read_json(request))
    return web.Response(status=204)


async def uninstall(server: Server, route: Route, request: web.Request) -> web.StreamResponse:
    """DELETE /installations (204); a box's car loses its assignments, reported by webhook."""
    customer = customer_of(request)
    deleted = _machine.uninstall(server.store.customer(customer), await read_json(request))
    response = web.Response(status=204)
    if deleted:
        # Answer first, then report (flinkey deletes the assignments asynchronously); the
        # deliveries are queued before the answer goes out, so drain() already waits for them.
        answered = asyncio.get_running_loop().create_future()
        server.webhooks.send([assignment_deleted(row, customer) for row in deleted], after=answered)
        try:
            await response.prepare(request)
            await response.write_eof()
        finally:  # the deletion happened even if the client hung up
            answered.set_result(None)
    return response


async def pair(server: Server, route: Route, request: web.Request) -> web.StreamResponse:
    """PUT /pairings (204)."""
    _machine.pair(_data(server, request), await read_json(request))
    return web.Response(status=204)


async def unpair(server: Server, route: Route, request: web.Request) -> web.StreamResponse:
    """DELETE /pairings (204)."""
    _machine.unpair(_data(server, request), await read_json(request))
    return web.Response(status=204)


async def sdk_token(server: Server, route: Route, request: web.Request) -> web.Response:
    """POST /sdk/token: a JWT-like id_token when customer, SDK key and user belong together."""
    body = await read_json(request)
    customer, user = parse_int32(body.get("customerId")), parse_int32(body.get("userId"))
    data = server.store.customers.get(customer) if customer is not None else None
    if (
        data is None
        or customer not in server.customers
        or body.get("sdkKey") != server.sdk_key
        or user not in data.users
    ):
        raise Refusal(400, MSG_INVALID_SDK_REQUEST)
    return json_response({"id_token": _jwt_like(customer, user)})


def _jwt_like(customer: int, user: int) -> str:
    now = int(time.time())
    claims = {"iss": "fake-flinkey", "sub": str(user), "customerId": customer, "iat": now}
    parts = [{"alg": "HS256", "typ": "JWT"}, {**claims, "exp": now + 3600}]
    encoded = [_b64(json.dumps(part, separators=(",", ":")).encode()) for part in parts]
    return ".".join([*encoded, _b64(secrets.token_bytes(32))])


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


SPECIAL: Final[dict[tuple[str, str], SpecialHandler]] = {
    ("GET", "customers"): customers,
    ("GET", "services/{serviceId}/products"): product_of_service,
    ("GET", "products/{productId}/services"): service_of_product,
    ("GET", "groups/{groupId}/cars"): group_cars,
    ("GET", "brands"): brands,
    ("GET", "brands/{brand}/keys"): brand_keys,
    ("PUT", "installations"): install,
    ("DELETE", "installations"): uninstall,
    ("PUT", "pairings"): pair,
    ("DELETE", "pairings"): unpair,
    ("POST", "sdk/token"): sdk_token,
}
"""The handler of each route served here, by method and template."""
