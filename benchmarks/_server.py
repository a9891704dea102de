"""The benchmark server: flinkey's token, GET /services and GET /services/{id}, in its own process.

It checks what flinkey checks on every call (the API key, the bearer token, the Customer-ID)
and answers from the rows of _payload, each encoded once at start-up, so that the figures
are the client's: a page is one bytes join. GET /services takes ``$orderby=id``, ``$top``,
``$skip`` and ``$count`` (``$count=true`` answers ``{"@odata.count": n, "value": [...]}``, as
flinkey's OData does); anything else is refused with 501. No access log, no request recording.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import orjson
from _payload import FIRST_ID, rows
from aiohttp import web

API_KEY: Final = "bench-api-key"
USERNAME: Final = "bench@example.com"
PASSWORD: Final = "bench-password"
TOKEN: Final = "bench-token-0123456789"
CUSTOMER: Final = 1
_JSON: Final = {"Content-Type": "application/json; charset=utf-8"}


def _app(items: int) -> web.Application:
    encoded = [orjson.dumps(r) for r in rows(items)]
    last_id = FIRST_ID + items - 1
    bearer = "Bearer " + TOKEN

    def refused(request: web.Request) -> web.Response | None:
        headers = request.headers
        if headers.get("flinkey-API-Key") != API_KEY:
            return web.json_response({"statusCode": 401, "message": "bad key"}, status=401)
        if headers.get("Authorization") != bearer:
            message = "Access token is missing or invalid"
            return web.json_response({"statusCode": 401, "message": message}, status=401)
        if headers.get("Customer-ID") != str(CUSTOMER):
            return web.Response(status=400, text="The Customer-ID header is missing or invalid.")
        return None

    async def token(request: web.Request) -> web.Response:
        form = await request.post()
        if request.headers.get("flinkey-API-Key") != API_KEY or form.get("password") != PASSWORD:
            return web.json_response({"error": "invalid_grant"}, status=400)
        answer = {"access_token": TOKEN, "expires_in": "3600", "token_type": "Bearer"}
        return web.json_response(answer)

    async def one(request: web.Request) -> web.Response:
        denied = refused(request)
        if denied is not None:
            return denied
        service_id = int(request.match_info["service_id"])
        if not FIRST_ID <= service_id <= last_id:
            return web.Response(status=404, text="Unable to find a service.")
        return web.Response(body=encoded[service_id - FIRST_ID], headers=_JSON)

    async def many(request: web.Request) -> web.Response:
        denied = refused(request)
        if denied is not None:
            return denied
        query = request.query
        if (
            set(query) - {"$orderby", "$top", "$skip", "$count"}
            or query.get("$orderby", "id") != "id"
            or query.get("$count", "false") not in ("true", "false")
        ):
            raise web.HTTPNotImplemented(text=f"the benchmark server does not answer {query}")
        skip = int(query.get("$skip", 0))
        stop = items if "$top" not in query else min(items, skip + int(query["$top"]))
        page = b"[" + b",".join(encoded[skip:stop]) + b"]"
        if query.get("$count") == "true":
            page = b'{"@odata.count":%d,"value":%s}' % (items, page)
        return web.Response(body=page, headers=_JSON)

    app = web.Application()
    app.router.add_post("/v3/oauth2/token", token)
    app.router.add_get("/v3/services", many)
    app.router.add_get("/v3/services/{service_id:\\d+}", one)
    return app


def _serve(ready: Any, items: int) -> None:
    """Child-process entry: serve until terminated."""

    async def main() -> None:
        runner = web.AppRunner(_app(items), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        ready.put(f"http://{host}:{port}/v3")
        await asyncio.Event().wait()

    asyncio.run(main())


@contextmanager
def serving(items: int) -> Iterator[str]:
    """Run the server with `items` services in a fresh process; yield its base URL."""
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    process = context.Process(target=_serve, args=(ready, items), daemon=True)
    process.start()
    try:
        yield ready.get(timeout=120)
    finally:
        process.terminate()
        process.join(10)
