"""The fake's answers: the token endpoint and the Services endpoints, as flinkey documents them."""

from __future__ import annotations

import json
import math
import secrets
import time
from typing import Any, Final

from aiohttp import web

from .._errors import MSG_INVALID_API_KEY, MSG_INVALID_TOKEN, MSG_UNKNOWN_MANAGER
from .._model import wire_names
from ..models import Product, Service
from ._filter import Entity, ODataError
from ._odata import apply_to_list, apply_to_one
from ._store import FakeStore

API_KEY: Final = "fake-api-key"
USERNAME: Final = "manager@example.com"
PASSWORD: Final = "fake-password"
MSG_SERVICE_NOT_FOUND: Final = (
    "Unable to find a service for the given serviceId which is assigned to the given customerId."
)
MSG_PRODUCT_SERVICE_NOT_FOUND: Final = (
    "No service can be found for this serviceId that is assigned to this customerId."
)
MSG_PRODUCT_NOT_FOUND: Final = "No product can be found that is assigned to this serviceId."
MSG_SERVER_ERROR: Final = "Internal server error."


class FlinkeyApi:
    """Request handlers of FakeFlinkey; the state they read is set up by FakeFlinkey."""

    api_key: str
    username: str
    password: str
    token_lifetime: float
    store: FakeStore
    customers: set[int]
    manager_known: bool
    _tokens: dict[str, float]
    _issued: list[str]
    _next_lifetimes: list[float]

    async def _token(self, request: web.Request) -> web.Response:
        if request.headers.get("flinkey-API-Key") != self.api_key:
            return _apim(401, MSG_INVALID_API_KEY)
        if request.content_type != "application/x-www-form-urlencoded":
            return web.json_response(
                {
                    "type": "https://tools.ietf.org/html/rfc7231#section-6.5.13",
                    "title": "Unsupported Media Type",
                    "status": "415",
                    "traceId": "00-fake-trace-00",
                },
                status=415,
                content_type="application/problem+json",
            )
        form = await request.post()
        if form.get("grant_type") != "password":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        if form.get("username") != self.username or form.get("password") != self.password:
            return web.json_response(
                {
                    "error": "invalid_grant",
                    "error_description": "The user name or password is incorrect.",
                },
                status=400,
            )
        token = secrets.token_urlsafe(32)
        lifetime = self._next_lifetimes.pop(0) if self._next_lifetimes else self.token_lifetime
        self._tokens[token] = time.monotonic() + lifetime
        self._issued.append(token)
        return web.json_response(
            {
                "access_token": token,
                "expires_in": str(math.ceil(lifetime)),
                "token_type": "Bearer",
            }
        )

    def _authorize(self, request: web.Request) -> web.Response | int:
        """Check API key, bearer token, manager and Customer-ID; return an error or the id."""
        if request.headers.get("flinkey-API-Key") != self.api_key:
            return _apim(401, MSG_INVALID_API_KEY)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        expires = self._tokens.get(token) if scheme == "Bearer" else None
        if expires is None or expires <= time.monotonic():
            return _apim(401, MSG_INVALID_TOKEN)
        if not self.manager_known:
            return web.Response(status=404, text=MSG_UNKNOWN_MANAGER)
        raw = request.headers.get("Customer-ID", "")
        if not raw.isdigit():
            return web.Response(status=400, text="The Customer-ID header is missing or invalid.")
        customer_id = int(raw)
        if customer_id not in self.customers:
            return web.Response(status=404, text=MSG_UNKNOWN_MANAGER)
        return customer_id

    async def _list_services(self, request: web.Request) -> web.Response:
        customer_id = self._authorize(request)
        if isinstance(customer_id, web.Response):
            return customer_id
        rows = list(self.store.customer(customer_id).services.values())
        return _json(self.evaluate(request, rows, entity=Service))

    async def _get_service(self, request: web.Request) -> web.Response:
        customer_id = self._authorize(request)
        if isinstance(customer_id, web.Response):
            return customer_id
        row = self.store.customer(customer_id).services.get(int(request.match_info["service_id"]))
        if row is None:
            return web.Response(status=404, text=MSG_SERVICE_NOT_FOUND)
        return _json(self.evaluate(request, row, entity=Service))

    async def _get_product(self, request: web.Request) -> web.Response:
        customer_id = self._authorize(request)
        if isinstance(customer_id, web.Response):
            return customer_id
        data = self.store.customer(customer_id)
        service_id = int(request.match_info["service_id"])
        if service_id not in data.services:
            return web.Response(status=404, text=MSG_PRODUCT_SERVICE_NOT_FOUND)
        product = data.product_of(service_id)
        if product is None:
            return web.Response(status=404, text=MSG_PRODUCT_NOT_FOUND)
        return _json(self.evaluate(request, product, entity=Product))

    def evaluate(self, request: web.Request, rows: Any, *, entity: type[Any] | None = None) -> Any:
        """Apply the request's OData options to a list of rows (or to one row: $select only).

        A query the real API would refuse raises 400 with ASP.NET Core OData's wording;
        one the fake cannot evaluate raises 501.
        """
        raw_query = request.rel_url.raw_query_string
        if not raw_query:
            return rows
        listed = rows if isinstance(rows, list) else [rows]
        model = tuple(wire_names(entity).values()) if entity is not None else ()
        shape = Entity(
            entity.__name__ if entity else "Entity",
            model,
            # Keys a test seeded into the rows count as properties too (scanned only if needed).
            lambda: {key for row in listed for key in row},
        )
        try:
            if isinstance(rows, list):
                return apply_to_list(raw_query, rows, shape)
            return apply_to_one(raw_query, rows, shape)
        except ODataError as exc:
            status = web.HTTPNotImplemented if exc.status == 501 else web.HTTPBadRequest
            raise status(text=exc.message) from None


def _apim(status: int, message: str) -> web.Response:
    return web.json_response({"statusCode": status, "message": message}, status=status)


def _json(data: Any) -> web.Response:
    return web.Response(body=json.dumps(data).encode(), content_type="application/json")
