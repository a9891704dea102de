"""A single hostile answer never raises something `except FlinkeyError` does not catch."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from _raw import TOKEN_PATH, RawServer, json_answer
from aiohttp import web

import flinkey_async._json
import flinkey_async._response
from flinkey_async import (
    BadRequestError,
    FlinkeyTimeoutError,
    NotFoundError,
    RedirectError,
    ResponseDecodeError,
    ServerError,
)
from flinkey_async._retry import parse_retry_after

SERVICES = "/v3/services"
FAST = {"backoff_initial": 0.0, "backoff_max": 0.0}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def always(response: Callable[[], web.StreamResponse]) -> Handler:
    """A handler answering with a fresh copy of the same response every time."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return response()

    return handler


# -- deep JSON, with orjson and with the standard library -----------------------------------


@pytest.fixture(params=["orjson", "stdlib"])
def codec(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with the installed codec (orjson) and with the standard library's json."""
    if request.param == "stdlib":
        monkeypatch.setattr(flinkey_async._json, "loads", json.loads)
        monkeypatch.setattr(flinkey_async._response, "loads", json.loads)
    else:  # the optional speed extra: skipped where it is not installed (a plain [test])
        orjson = pytest.importorskip("orjson")
        assert flinkey_async._json.loads is orjson.loads
    return request.param


def nested(depth: int, *, as_object: bool = False) -> str:
    """A JSON value nested depth levels deep (an array, or objects under "message")."""
    if as_object:
        return '{"message":' * depth + "1" + "}" * depth
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [1_000, 1_500, 100_000])
@pytest.mark.parametrize("as_object", [False, True])
async def test_deeply_nested_error_bodies(codec: str, depth: int, as_object: bool) -> None:
    """A 400 or 503 whose body is nested >= 1,000 deep is a typed error (no RecursionError)."""
    body = nested(depth, as_object=as_object)
    routes = {
        ("GET", SERVICES): always(lambda: web.Response(status=400, text=body)),
        ("GET", "/v3/groups"): always(lambda: web.Response(status=503, text=body)),
    }
    async with RawServer(routes) as server, server.client(**FAST) as client:
        with pytest.raises(BadRequestError) as info:
            await client.request("GET", "services")
        assert len(info.value.message) <= 1000
        assert len(info.value.body_excerpt) <= 200
        with pytest.raises(ServerError) as retried:
            await client.request("GET", "groups")
        assert retried.value.retries_taken == 3
    assert server.count(SERVICES) == 1
    assert server.count("/v3/groups") == 4


def parses(body: str) -> bool:
    """Whether the codec in use reads this body."""
    try:
        flinkey_async._json.loads(body)
    except (ValueError, RecursionError):
        return False
    return True


@pytest.mark.parametrize("depth", [1_000, 100_000])
async def test_deeply_nested_success_bodies(codec: str, depth: int) -> None:
    """A 200 nested >= 1,000 deep is a ResponseDecodeError (or, if parsed, a typed one too)."""
    body = nested(depth)
    routes = {
        ("GET", SERVICES): always(lambda: web.Response(text=body, content_type="application/json"))
    }
    async with RawServer(routes) as server, server.client() as client:
        with pytest.raises(ResponseDecodeError) as info:
            await client.services.list()
        # request() returns whatever JSON its codec can parse (orjson reads 1,024 levels).
        if parses(body):
            assert isinstance(await client.request("GET", "services"), list)
        else:
            with pytest.raises(ResponseDecodeError, match="not valid JSON"):
                await client.request("GET", "services")
    assert info.value.status == 200
    assert server.count(SERVICES) == 2


# -- Retry-After out of every range ------------------------------------------------------


ABSURD_RETRY_AFTER = [
    "Wed, 21 Oct 99999999999999999999 07:28:00 GMT",
    "Wed, 21 Oct 2015 99999999999999999999:28:00 GMT",
    "Wed, 21 Oct 2015 07:99999999999999999999:00 GMT",
    "Wed, 21 Oct 2015 07:28:00 +99999999999999999999",
    "Wed, 21 Oct 2015 07:28:00 -9999",
    "Wed, 21 Oct 0 07:28:00 GMT",
    "9" * 400,
    "1e999",
    "-1e999",
]


@pytest.mark.parametrize("header", ABSURD_RETRY_AFTER)
def test_parse_retry_after_never_overflows(header: str) -> None:
    """An absurd date, hour or offset is no usable hint (None), or a huge finite number."""
    value = parse_retry_after(header, now=1_000_000)
    assert value is None or 0 <= value < float("inf")


@pytest.mark.parametrize("header", ABSURD_RETRY_AFTER)
async def test_absurd_retry_after_is_a_typed_error(header: str) -> None:
    """A 503 with such a Retry-After is a ServerError, and the client is not paused."""
    answer = always(lambda: web.Response(status=503, headers={"Retry-After": header}))
    async with (
        RawServer({("GET", SERVICES): answer}) as server,
        server.client(max_retries=1, **FAST) as client,
    ):
        with pytest.raises(ServerError):
            await client.request("GET", "services")
        assert client._engine.cooldown.remaining() == 0


# -- redirects to Locations that are not URLs -------------------------------------------


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://[::1", "not a valid URL"),
        (":99999", "not a valid URL"),
        ("http://{host}:99999/v3/services", "not a valid URL"),
        ("http://h\\@evil/", "not a valid URL"),
        ("http://xn--/x", "not a valid URL"),
        ("http://user:pw@{host}:{port}/v3/services", "user name or password"),
        ("//user:pw@{host}:{port}/v3/services", "user name or password"),
    ],
)
async def test_hostile_redirect_locations(location: str, reason: str) -> None:
    """Each is a RedirectError (not ValueError or UnicodeError), not followed, not retried."""

    async def redirect(request: web.Request) -> web.StreamResponse:
        target = location.format(host=request.url.host, port=request.url.port)
        return web.Response(status=302, headers={"Location": target})

    async with (
        RawServer({("GET", SERVICES): redirect}) as server,
        server.client(**FAST) as client,
    ):
        with pytest.raises(RedirectError, match=reason) as info:
            await client.request("GET", "services")
    assert info.value.status == 302
    assert "pw" not in str(info.value)
    assert [s.path for s in server.seen] == [TOKEN_PATH, SERVICES]


# -- token values that cannot be used -------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "path"),
    [
        ({"access_token": "t0k3n", "expires_in": "9" * 20}, "$.expires_in"),
        ({"access_token": "t0k3n", "expires_in": "999999999999"}, "$.expires_in"),
        ({"access_token": "t0k3n", "expires_in": 10**25}, "$.expires_in"),
        ({"access_token": "t0k3n", "expires_in": "9" * 400}, "$.expires_in"),
        ({"access_token": "t0k3n", "expires_in": 1e300}, "$.expires_in"),
        ({"access_token": "t0k3n", "expires_in": "3600.5"}, "$.expires_in"),
        ({"access_token": "   ", "expires_in": "3600"}, "$.access_token"),
        ({"access_token": "t0k\r\nX-Evil: 1", "expires_in": "3600"}, "$.access_token"),
        ({"access_token": "t0k\n3n", "expires_in": "3600"}, "$.access_token"),
        ({"access_token": "t0k\x003n", "expires_in": "3600"}, "$.access_token"),
        ({"access_token": "t0k 3n", "expires_in": "3600"}, "$.access_token"),
        ({"access_token": "t0kén", "expires_in": "3600"}, "$.access_token"),
        ({"access_token": 12345, "expires_in": "3600"}, "$.access_token"),
    ],
)
async def test_unusable_tokens_are_refused_when_they_arrive(
    answer: dict[str, object], path: str
) -> None:
    """Each is a ResponseDecodeError and never cached: 3 calls, 3 token requests, 0 API calls."""

    async def token(request: web.Request) -> web.StreamResponse:
        return json_answer(answer)

    async with (
        RawServer({("POST", TOKEN_PATH): token}) as server,
        server.client() as client,
    ):
        for _ in range(3):
            with pytest.raises(ResponseDecodeError) as info:
                await client.request("GET", "services")
            assert info.value.json_path == path
            assert info.value.method == "POST"
    assert server.count(TOKEN_PATH) == 3
    assert server.count(SERVICES) == 0


# -- borrowed sessions with their own settings ----------------------------------------------


async def test_borrowed_session_raise_for_status_is_overridden() -> None:
    """With raise_for_status=True: a 404 is NotFoundError (not retried), a 401 renews the token."""
    expired = web.Response(
        status=401,
        text=json.dumps(
            {"statusCode": 401, "message": "Unauthorized. Access token is missing or invalid."}
        ),
        content_type="application/json",
    )
    answers = [expired]

    async def services(request: web.Request) -> web.StreamResponse:
        return answers.pop(0) if answers else json_answer([])

    routes = {
        ("GET", SERVICES): services,
        ("GET", "/v3/groups/7"): always(lambda: web.Response(status=404, text="No group.")),
    }
    async with (
        RawServer(routes) as server,
        aiohttp.ClientSession(raise_for_status=True) as session,
        server.client(session=session, **FAST) as client,
    ):
        with pytest.raises(NotFoundError) as info:
            await client.request("GET", "groups/7")
        assert info.value.message == "No group."
        assert await client.request("GET", "services") == []
    assert server.count("/v3/groups/7") == 1
    assert server.count(TOKEN_PATH) == 2
    assert server.count(SERVICES) == 2


async def test_borrowed_session_timeout_is_overridden_by_the_deadline() -> None:
    """A session with ClientTimeout(total=0.5): the call's deadline decides, never a raw
    TimeoutError."""

    async def one_second(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(1)
        return json_answer([])

    routes = {("GET", SERVICES): one_second, ("GET", "/v3/groups"): one_second}
    timeout = aiohttp.ClientTimeout(total=0.5)
    async with (
        RawServer(routes) as server,
        aiohttp.ClientSession(timeout=timeout) as session,
        server.client(session=session) as client,
    ):
        started = time.monotonic()
        assert await client.request("GET", "services", timeout=5) == []
        assert 0.9 <= time.monotonic() - started < 3
        started = time.monotonic()
        with pytest.raises(FlinkeyTimeoutError) as info:
            await client.request("GET", "groups", timeout=0.3)
        assert 0.25 <= time.monotonic() - started < 1
    assert type(info.value) is FlinkeyTimeoutError
    assert server.count(SERVICES) == 1
