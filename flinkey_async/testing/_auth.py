"""Who may call the fake: the token endpoint, and one middleware checking every API request."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

import attrs
from aiohttp import web
from aiohttp.typedefs import Middleware
from aiohttp.web_urldispatcher import AbstractRoute

from .._endpoint import Route
from .._errors import MSG_INVALID_API_KEY, MSG_INVALID_TOKEN, MSG_UNKNOWN_MANAGER
from .._validate import INT32_MAX
from ._wire import MSG_BAD_CUSTOMER_ID, Server, apim, problem, text

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.define
class Tokens:
    """The bearer tokens issued so far, and when each expires (monotonic clock)."""

    expiry: dict[str, float] = attrs.Factory(dict)
    issued: list[str] = attrs.Factory(list)
    scheduled: list[float] = attrs.Factory(list)

    def issue(self, default_lifetime: float) -> tuple[str, float]:
        """Return a new token and its lifetime (the next scheduled one, else the default)."""
        token = secrets.token_urlsafe(32)
        lifetime = self.scheduled.pop(0) if self.scheduled else default_lifetime
        self.expiry[token] = time.monotonic() + lifetime
        self.issued.append(token)
        return token, lifetime

    def valid(self, token: str) -> bool:
        """Whether a token was issued here and has not expired (or been expired)."""
        expires = self.expiry.get(token)
        return expires is not None and expires > time.monotonic()


class TokenServer(Protocol):
    """What the token endpoint reads: the credentials and the token store."""

    api_key: str
    username: str
    password: str
    token_lifetime: float
    tokens: Tokens


async def token_endpoint(server: TokenServer, request: web.Request) -> web.Response:
    """POST /oauth2/token: the password grant, with flinkey's documented errors."""
    if request.headers.get("flinkey-API-Key") != server.api_key:
        return apim(401, MSG_INVALID_API_KEY)
    if request.content_type != "application/x-www-form-urlencoded":
        return problem(415, "Unsupported Media Type")
    form = await request.post()
    if form.get("grant_type") != "password":
        return web.json_response({"error": "unsupported_grant_type"}, status=400)
    if form.get("username") != server.username or form.get("password") != server.password:
        return web.json_response(
            {
                "error": "invalid_grant",
                "error_description": "The user name or password is incorrect.",
            },
            status=400,
        )
    token, lifetime = server.tokens.issue(server.token_lifetime)
    return web.json_response(
        {"access_token": token, "expires_in": str(math.ceil(lifetime)), "token_type": "Bearer"}
    )


def check_access(server: Server, request: web.Request, *, scoped: bool) -> web.Response | None:
    """Check API key, bearer token, manager, and Customer-ID where scoped; None if all pass.

    An unscoped endpoint ignores a Customer-ID header, whatever it holds.
    """
    if request.headers.get("flinkey-API-Key") != server.api_key:
        return apim(401, MSG_INVALID_API_KEY)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or not server.token_valid(token):
        return apim(401, MSG_INVALID_TOKEN)
    if not server.manager_known:
        return text(404, MSG_UNKNOWN_MANAGER)
    if not scoped:
        return None
    raw = request.headers.get("Customer-ID", "")
    # ASCII digits only: str.isdigit() also accepts '²' and other digits int() refuses.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= INT32_MAX):
        return text(400, MSG_BAD_CUSTOMER_ID)
    if int(raw) not in server.customers:
        return text(404, MSG_UNKNOWN_MANAGER)
    return None


def authorization(server: Server, routes: Mapping[AbstractRoute, Route]) -> Middleware:
    """Return the middleware that checks access to every API route (not the token endpoint)."""

    @web.middleware
    async def authorize(request: web.Request, handler: Handler) -> web.StreamResponse:
        route = routes.get(request.match_info.route)
        if route is not None:
            refused = check_access(server, request, scoped=route.scoped)
            if refused is not None:
                return refused
        return await handler(request)

    return authorize
