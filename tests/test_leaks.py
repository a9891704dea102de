"""Secrets stay wrapped until the wire: traceback locals, vars(), error texts, risky settings."""

from __future__ import annotations

import json
import pickle
import traceback
from collections.abc import Awaitable, Callable, Iterator
from urllib.parse import quote_plus

import pytest
from _raw import (
    API_KEY,
    PASSWORD,
    TOKEN_PATH,
    USERNAME,
    RawServer,
    RawTcpServer,
    json_answer,
    token_answer,
)
from aiohttp import web

from flinkey_async import (
    BadRequestError,
    FlinkeyClient,
    FlinkeyError,
    ResponseDecodeError,
    ServerError,
    TokenRequestError,
    TransportError,
)
from flinkey_async._errors import MSG_INVALID_TOKEN, excerpt
from flinkey_async._redact import redact

SERVICES = "/v3/services"
SDK_KEY = "sdk-key-5e1f0c2b-secret"
FAST = {"backoff_initial": 0.0, "backoff_max": 0.0}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def echo(status: int) -> Handler:
    """A handler whose error body echoes the request: headers, then body (as a JSON message)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        body = (await request.read()).decode()
        seen = " ".join(f"{k}={v}" for k, v in request.headers.items())
        return json_answer({"message": f"cannot handle {seen} {body}"}, status)

    return handler


def texts(exc: BaseException) -> Iterator[str]:
    """Every text an error shows: str, repr, its fields, its pickle, its traceback with locals."""
    yield str(exc)
    yield repr(exc)
    yield repr(vars(exc))
    yield repr(exc.args)
    yield repr(pickle.dumps(exc))
    formatted = traceback.TracebackException.from_exception(exc, capture_locals=True)
    chain: traceback.TracebackException | None = formatted
    while chain is not None:  # the tests' own frames hold the secrets they compare with
        chain.stack = traceback.StackSummary.from_list(
            [frame for frame in chain.stack if frame.filename != __file__]
        )
        chain = chain.__cause__ or chain.__context__
    yield "".join(formatted.format())


def assert_clean(exc: BaseException, *secrets: str) -> None:
    """No secret (nor its form-encoded spelling) shows in any text of exc."""
    spellings = {form for s in secrets for form in (s, quote_plus(s))}
    leaks = [(s, t) for t in texts(exc) for s in spellings if s in t]
    assert leaks == []


# -- traceback locals -------------------------------------------------------------------


def _refusing(status: int, body: object) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return json_answer(body, status)

    return handler


@pytest.mark.parametrize(
    ("handler", "error"),
    [
        (_refusing(400, {"error": "invalid_grant"}), TokenRequestError),
        (_refusing(401, {"statusCode": 401, "message": "invalid subscription key"}), FlinkeyError),
        (_refusing(500, {"message": "boom"}), ServerError),
        (_refusing(200, {"access_token": "tok-bad-9f8e7d", "expires_in": "x"}), FlinkeyError),
        (echo(400), TokenRequestError),
    ],
    ids=["bad-password", "bad-key", "5xx", "bad-expiry", "echo"],
)
async def test_no_secret_in_traceback_locals_after_a_refused_token_request(
    handler: Handler, error: type[FlinkeyError]
) -> None:
    """Formatting every frame's locals (pytest --showlocals, rich, Sentry) shows no secret."""
    async with RawServer({("POST", TOKEN_PATH): handler}) as server, server.client() as client:
        with pytest.raises(error) as info:
            await client.request("GET", "services")
    assert_clean(info.value, API_KEY, PASSWORD, "tok-bad-9f8e7d")
    formatted = "".join(
        traceback.TracebackException.from_exception(info.value, capture_locals=True).format()
    )
    assert "request_token" in formatted  # the frames that held the form are in there


@pytest.mark.parametrize(("answer", "chained"), [(b"GARBAGE\r\n\r\n", False), (b"", True)])
async def test_no_secret_in_traceback_locals_of_transport_errors(
    answer: bytes, chained: bool
) -> None:
    """A garbled answer and a hang-up (aiohttp's error chained, frames dropped) show none."""
    async with RawTcpServer(answer) as server:
        client = FlinkeyClient(
            api_key=API_KEY, username=USERNAME, password=PASSWORD, customer_id=1,
            base_url=server.url, max_retries=0,
        )  # fmt: skip
        async with client:
            with pytest.raises(TransportError) as info:
                await client.request("POST", "sdk/token", json={"sdkKey": "x"})
    assert (info.value.__cause__ is not None) is chained
    assert_clean(info.value, API_KEY, PASSWORD, "tok-tcp-1")


async def test_vars_of_client_and_engine_show_no_secret() -> None:
    """vars(client), vars(engine) and what they hold show no key, password or token in clear."""
    routes = {("GET", SERVICES): _refusing(200, []), ("POST", SERVICES): _refusing(200, {})}
    async with RawServer(routes) as server, server.client() as client:
        await client.request("GET", "services")
        await client.request("POST", "services", json={"a": 1})
        engine = client._engine
        shown = [
            repr(vars(client)),
            repr(vars(engine)),
            repr(vars(engine.tokens)),
            repr(vars(engine.transport)),
            repr(engine._header_cache),
        ]
    for text in shown:
        for secret in (API_KEY, PASSWORD, "tok-raw-1"):
            assert secret not in text
    assert "Sealed" in repr(engine._header_cache)


# -- redaction of error texts -------------------------------------------------------------


async def test_token_with_trailing_garbage_is_not_in_the_error() -> None:
    """A 200 from the token endpoint that is not JSON keeps its token out of the excerpt."""
    token = "tok-trailing-31a9b7c5d3e1"

    async def garbage(request: web.Request) -> web.StreamResponse:
        body = json.dumps({"access_token": token, "expires_in": "3600"}) + "garbage"
        return web.Response(text=body, content_type="application/json")

    async with RawServer({("POST", TOKEN_PATH): garbage}) as server, server.client() as client:
        with pytest.raises(ResponseDecodeError) as info:
            await client.request("GET", "services")
    assert info.value.body_excerpt.startswith('{"access_token": "***"')
    assert_clean(info.value, token, token[:8])


async def test_echoed_secrets_are_redacted_from_every_error() -> None:
    """Servers echoing the request: key, password (form-encoded), current and old tokens."""
    tokens = iter([token_answer("tok-first-8a7b6c5d"), token_answer("tok-second-1f2e3d4c")])
    expired = json_answer({"statusCode": 401, "message": MSG_INVALID_TOKEN}, 401)
    answers = iter([json_answer([]), expired])

    async def token(request: web.Request) -> web.StreamResponse:
        return next(tokens)

    async def services(request: web.Request) -> web.StreamResponse:
        return next(answers, None) or await echo(400)(request)

    async def old_token(request: web.Request) -> web.StreamResponse:
        return web.Response(status=500, text="was Bearer tok-first-8a7b6c5d, is it still?")

    routes = {
        ("POST", TOKEN_PATH): token,
        ("GET", SERVICES): services,
        ("GET", "/v3/groups"): old_token,
        ("POST", "/v3/sdk/token"): echo(400),
    }
    async with RawServer(routes) as server, server.client(max_retries=0) as client:
        await client.request("GET", "services")  # first token
        with pytest.raises(BadRequestError) as echoed:  # 401 -> second token -> echo
            await client.request("GET", "services")
        with pytest.raises(ServerError) as old:
            await client.request("GET", "groups")
        with pytest.raises(BadRequestError) as sdk:
            await client.sdk.token(user_id=3, sdk_key=SDK_KEY)
    secrets = (API_KEY, PASSWORD, "tok-first-8a7b6c5d", "tok-second-1f2e3d4c", SDK_KEY)
    assert "Bearer ***" in echoed.value.message
    assert "tok-second" not in echoed.value.body_excerpt
    assert old.value.message == "was Bearer ***, is it still?"
    assert '"sdkKey":"***"' in sdk.value.message
    for error in (echoed.value, old.value, sdk.value):
        assert_clean(error, *secrets)


async def test_echoed_form_is_redacted_from_a_token_error() -> None:
    """A token endpoint echoing the form (password form-encoded) says nothing of it."""
    async with RawServer({("POST", TOKEN_PATH): echo(400)}) as server, server.client() as client:
        with pytest.raises(TokenRequestError) as info:
            await client.request("GET", "services")
    assert "password=***" in info.value.message
    assert USERNAME.replace("@", "%40") in info.value.message  # the user name is no secret
    assert_clean(info.value, API_KEY, PASSWORD)


def test_excerpt_redacts_before_cutting() -> None:
    """A secret cut by the excerpt's length limit leaves no prefix behind."""
    client = FlinkeyClient(api_key=API_KEY, username=USERNAME, password=PASSWORD)
    text = excerpt("x" * 190 + API_KEY)
    assert API_KEY[:4] not in text
    assert text.endswith("***")
    assert redact(f"key={API_KEY}") == "key=***"
    del client


# -- $filter values in transport errors -------------------------------------------------


async def test_transport_error_message_masks_the_filter() -> None:
    """aiohttp's text holds the full URL: its query is masked like in the logs."""
    async with RawTcpServer(b"GARBAGE\r\n\r\n") as server:
        client = FlinkeyClient(
            api_key=API_KEY, username=USERNAME, password=PASSWORD, customer_id=1,
            base_url=server.url, max_retries=0,
        )  # fmt: skip
        async with client:
            with pytest.raises(TransportError) as info:
                await client.request("GET", "services", query="$filter=email+eq+'ann@x.de'")
    assert "$filter=email+eq+'***'" in info.value.message
    assert "ann@x.de" not in str(info.value)
    assert "ann%40x.de" not in str(info.value)


# -- settings that would leak ---------------------------------------------------------------

GOOD = {"api_key": API_KEY, "username": USERNAME, "password": PASSWORD}


@pytest.mark.parametrize(
    "url",
    [
        "https://user:pw-in-url@api.example.com/v3",
        "https://user@api.example.com/v3",
        "https://:pw-in-url@api.example.com/v3",
        "http://user:pw-in-url@127.0.0.1:8080/v3",
    ],
)
def test_base_url_with_userinfo_is_refused(url: str) -> None:
    """User name or password in base_url: ValueError, without echoing them."""
    with pytest.raises(ValueError, match="must not contain a user name or password") as info:
        FlinkeyClient(**GOOD, base_url=url)
    assert "pw-in-url" not in str(info.value)


@pytest.mark.parametrize("url", ["http://[::1", "http://xn--/v3", "http://h\\@evil/v3"])
def test_base_url_that_is_no_url(url: str) -> None:
    """A base_url yarl cannot parse is a ValueError naming base_url."""
    with pytest.raises(ValueError, match="base_url is not a valid URL"):
        FlinkeyClient(**GOOD, base_url=url)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://api.example.com/v3", False),
        ("http://10.0.0.8:8080/v3", False),
        ("http://127.0.0.1:8080/v3", True),
        ("http://127.8.9.10/v3", True),
        ("http://localhost:8080/v3", True),
        ("http://[::1]:8080/v3", True),
        ("http://0.0.0.0:8080/v3", True),
        ("https://api.example.com/v3", True),
    ],
)
def test_plain_http_only_to_this_machine_unless_allowed(url: str, allowed: bool) -> None:
    """http:// to another host sends the password in clear: refused unless opted in."""
    if allowed:
        assert str(FlinkeyClient(**GOOD, base_url=url).base_url) == url
    else:
        with pytest.raises(ValueError, match="allow_insecure_http=True"):
            FlinkeyClient(**GOOD, base_url=url)
    client = FlinkeyClient(**GOOD, base_url=url, allow_insecure_http=True)
    assert str(client.base_url) == url


def test_allow_insecure_http_from_env_and_type() -> None:
    """FLINKEY_ALLOW_INSECURE_HTTP=1 opts in from the environment; only a bool is taken."""
    env = {
        "FLINKEY_API_KEY": API_KEY,
        "FLINKEY_USERNAME": USERNAME,
        "FLINKEY_PASSWORD": PASSWORD,
        "FLINKEY_CUSTOMER_ID": "7",
        "FLINKEY_BASE_URL": "http://fake.test:8080/v3",
    }
    with pytest.raises(ValueError, match="plain http"):
        FlinkeyClient.from_env(env)
    client = FlinkeyClient.from_env({**env, "FLINKEY_ALLOW_INSECURE_HTTP": "1"})
    assert client.base_url.host == "fake.test"
    assert FlinkeyClient.from_env(env, allow_insecure_http=True).base_url.host == "fake.test"
    with pytest.raises(ValueError, match="FLINKEY_ALLOW_INSECURE_HTTP"):
        FlinkeyClient.from_env({**env, "FLINKEY_ALLOW_INSECURE_HTTP": "maybe"})
    with pytest.raises(TypeError, match="allow_insecure_http"):
        FlinkeyClient(**GOOD, allow_insecure_http="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["api_key", "username", "password"])
@pytest.mark.parametrize("bad", ["\r\n", "\n", "\x00", "\t", "\x7f"])
def test_credentials_with_control_characters_are_refused(name: str, bad: str) -> None:
    """CR/LF and other control characters: ValueError naming the parameter, not the value."""
    value = "c0ntrol-" + bad + "X-Injected: 1"
    with pytest.raises(ValueError, match=f"{name} must not contain control characters") as info:
        FlinkeyClient(**{**GOOD, name: value})
    assert "c0ntrol" not in str(info.value)
    assert "Injected" not in str(info.value)


def test_api_key_must_be_ascii_but_a_password_need_not() -> None:
    """The API key is a header (ASCII only); the password goes in the form (any text)."""
    with pytest.raises(ValueError, match="api_key must contain only ASCII") as info:
        FlinkeyClient(**{**GOOD, "api_key": "schlüssel-geheim"})
    assert "geheim" not in str(info.value)
    client = FlinkeyClient(**{**GOOD, "password": "Passwört mit Leerzeichen"})
    assert client.base_url.scheme == "https"
