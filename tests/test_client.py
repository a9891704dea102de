"""FlinkeyClient: headers on the wire, the token, sessions, configuration, auth errors."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qsl

import aiohttp
import pytest

from flinkey_async import (
    PRODUCTION_URL,
    UAT_URL,
    FlinkeyClient,
    FlinkeyError,
    InvalidAPIKeyError,
    InvalidTokenError,
    ServerError,
    TokenRequestError,
    UnknownManagerError,
    UnsupportedMediaTypeError,
    __version__,
)
from flinkey_async._errors import MSG_INVALID_API_KEY, MSG_INVALID_TOKEN, MSG_UNKNOWN_MANAGER
from flinkey_async.testing import FakeFlinkey, Fault

TOKEN_401 = Fault(
    status=401,
    body=f'{{"statusCode": 401, "message": "{MSG_INVALID_TOKEN}"}}',
    content_type="application/json",
)


async def test_headers_on_an_api_request(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """Every API call sends the API key, the bearer token, Customer-ID and the User-Agent."""
    await client.services.list()
    (token_request,) = fake.token_requests()
    (request,) = fake.api_requests()
    issued = fake.issued_tokens()
    assert request.method == "GET"
    assert request.raw_path == "/v3/services"
    assert request.headers["flinkey-API-Key"] == fake.api_key
    assert request.headers["Authorization"] == f"Bearer {issued[0]}"
    assert request.headers["Customer-ID"] == "1"
    assert request.headers["User-Agent"] == f"flinkey-async/{__version__}"
    assert request.headers["Accept"] == "application/json"
    assert token_request.method == "POST"


async def test_token_request_is_a_password_grant_form(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """POST /oauth2/token sends the API key and a urlencoded password-grant form, nothing else."""
    fake.password = "p&ss word+="
    async with fake.client(password="p&ss word+=") as special:
        await special.services.list()
    (request,) = fake.token_requests()
    assert request.raw_path == "/v3/oauth2/token"
    assert request.headers["flinkey-API-Key"] == fake.api_key
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in request.headers
    assert "Customer-ID" not in request.headers
    assert parse_qsl(request.body.decode()) == [
        ("username", fake.username),
        ("password", "p&ss word+="),
        ("grant_type", "password"),
    ]


async def test_token_is_reused_across_calls(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """One token serves many calls until it is due for renewal."""
    await client.services.list()
    await client.services.get(101)
    await asyncio.gather(*(client.services.get_product(101) for _ in range(20)))
    assert len(fake.token_requests()) == 1
    assert len({r.headers["Authorization"] for r in fake.api_requests()}) == 1


async def test_refused_token_is_renewed_once(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """A 401 'access token is missing or invalid' renews the token and replays the call once."""
    await client.services.list()
    fake.expire_tokens()
    services = await client.services.list()
    assert len(services) == 5
    assert len(fake.token_requests()) == 2
    auths = [r.headers["Authorization"] for r in fake.api_requests()]
    assert auths[0] == auths[1] != auths[2]


async def test_second_token_401_raises(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """If the fresh token is refused too, InvalidTokenError is raised (no loop)."""
    fake.faults.add("/v3/services", TOKEN_401, times=2)
    with pytest.raises(InvalidTokenError) as info:
        await client.services.list()
    assert (info.value.status, info.value.message) == (401, MSG_INVALID_TOKEN)
    assert len(fake.token_requests()) == 2
    assert len(fake.api_requests()) == 2


async def test_wrong_api_key(fake: FakeFlinkey) -> None:
    """A wrong API key fails the token request with InvalidAPIKeyError, once."""
    async with fake.client(api_key="wrong-key") as client:
        with pytest.raises(InvalidAPIKeyError) as info:
            await client.services.list()
    assert (info.value.status, info.value.message) == (401, MSG_INVALID_API_KEY)
    assert len(fake.requests) == 1


async def test_wrong_api_key_on_an_api_call(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """The gateway's 401 on an API call maps to InvalidAPIKeyError, without a token renewal."""
    await client.services.list()
    fake.api_key = "rotated-key"
    with pytest.raises(InvalidAPIKeyError):
        await client.services.get(101)
    assert len(fake.token_requests()) == 1


async def test_wrong_password(fake: FakeFlinkey) -> None:
    """A refused password grant raises TokenRequestError (an AuthenticationError)."""
    async with fake.client(password="nope") as client:
        with pytest.raises(TokenRequestError) as info:
            await client.services.list()
    assert info.value.status == 400
    assert info.value.message == (
        "the token request was refused: The user name or password is incorrect."
    )


async def test_unknown_manager_is_an_authentication_error(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """404 'Unable to find a manager ...' is a credentials problem, not a missing resource."""
    fake.manager_known = False
    for call in (
        client.services.list(),
        client.services.get(101),
        client.services.get_product(101),
    ):
        with pytest.raises(UnknownManagerError) as info:
            await call
        assert (info.value.status, info.value.message) == (404, MSG_UNKNOWN_MANAGER)


async def test_unsupported_media_type_problem_json(
    client: FlinkeyClient, fake: FakeFlinkey
) -> None:
    """A 415 problem+json (status as a string) maps to UnsupportedMediaTypeError with trace id."""
    fake.faults.add(
        "/v3/oauth2/token",
        Fault(
            status=415,
            body='{"type": "https://tools.ietf.org/html/rfc7231#section-6.5.13", '
            '"title": "Unsupported Media Type", "status": "415", "traceId": "00-abc-01"}',
            content_type="application/problem+json",
        ),
        method="POST",
    )
    with pytest.raises(UnsupportedMediaTypeError) as info:
        await client.services.list()
    assert (info.value.status, info.value.message, info.value.trace_id) == (
        415,
        "Unsupported Media Type",
        "00-abc-01",
    )


async def test_internal_server_error(client: FlinkeyClient, fake: FakeFlinkey) -> None:
    """A 500 with the documented plain-text body maps to ServerError."""
    fake.faults.add("/v3/services/101", Fault(status=500, body="Internal server error."))
    with pytest.raises(ServerError) as info:
        await client.services.get(101)
    assert (info.value.status, info.value.message) == (500, "Internal server error.")
    assert str(info.value) == "GET /v3/services/101: HTTP 500: Internal server error."


async def test_owned_session_is_closed(fake: FakeFlinkey) -> None:
    """A client that made its own session closes it on exit."""
    client = fake.client()
    async with client:
        await client.services.list()
        session = client._engine.transport.session
        assert session is not None
        assert not session.closed
    assert session.closed
    with pytest.raises(RuntimeError, match="closed"):
        await client.services.list()


async def test_borrowed_session_is_left_open(fake: FakeFlinkey) -> None:
    """A session passed in is used and never closed by the client."""
    async with aiohttp.ClientSession() as session:
        async with fake.client(session=session) as client:
            await client.services.list()
        assert not session.closed
        async with session.get(fake.url / "services") as resp:
            assert resp.status == 401  # the session itself carries no credentials


async def test_no_secret_in_reprs_errors_or_logs(
    fake: FakeFlinkey, caplog: pytest.LogCaptureFixture
) -> None:
    """The API key, password and tokens never show in a repr, an exception or a log record."""
    fake.api_key, fake.password = "AK-s3cret-key", "PW-s3cret-pass"
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    async with fake.client() as client:
        seen += [repr(client), str(client), repr(client._engine.tokens.current)]
        await client.services.list()
        seen.append(repr(client._engine.tokens.current))
        fake.faults.add("/v3/services", TOKEN_401, times=2)
        fake.faults.add("/v3/services/101", Fault(status=500))
        for call in (client.services.list(), client.services.get(101), client.services.get(999)):
            with pytest.raises(FlinkeyError) as info:
                await call
            seen += [
                repr(info.value),
                str(info.value),
                info.value.body_excerpt,
                str(info.value.url),
            ]
    async with fake.client(password="PW-wrong-pass") as bad:
        with pytest.raises(FlinkeyError) as info:
            await bad.services.list()
        seen += [repr(info.value), str(info.value), repr(bad)]
    seen += [r.getMessage() for r in caplog.records]
    assert len(caplog.records) >= 5
    secrets = ["AK-s3cret-key", "PW-s3cret-pass", "PW-wrong-pass", *fake.issued_tokens()]
    assert len(secrets) == 5
    for text in seen:
        for secret in secrets:
            assert secret not in text


def test_configuration_is_validated_before_io() -> None:
    """Bad settings raise TypeError/ValueError at construction, naming the parameter."""
    good = {"api_key": "k", "username": "u", "password": "p"}
    with pytest.raises(ValueError, match="api_key"):
        FlinkeyClient(**{**good, "api_key": " "})
    with pytest.raises(TypeError, match="password"):
        FlinkeyClient(**{**good, "password": None})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="base_url"):
        FlinkeyClient(**good, base_url="ftp://example.com")
    with pytest.raises(ValueError, match="timeout=None"):
        FlinkeyClient(**good, timeout=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        FlinkeyClient(**good, timeout=0)
    with pytest.raises(TypeError, match="customer_id"):
        FlinkeyClient(**good, customer_id="1")  # type: ignore[arg-type]
    assert FlinkeyClient(**good).base_url.human_repr() == PRODUCTION_URL
    assert str(FlinkeyClient(**good, base_url=UAT_URL + "/").base_url) == UAT_URL


async def test_missing_customer_id_is_refused_before_io(fake: FakeFlinkey) -> None:
    """A customer-scoped call with no customer id anywhere raises ValueError, sending nothing."""
    async with fake.client(customer_id=None) as client:
        with pytest.raises(ValueError, match="customer_id"):
            await client.services.list()
    assert fake.requests == []


def test_from_env_reads_and_names_missing_variables() -> None:
    """from_env() reads FLINKEY_* and names every missing variable."""
    env = {
        "FLINKEY_API_KEY": "k",
        "FLINKEY_USERNAME": "u@example.com",
        "FLINKEY_PASSWORD": "p",
        "FLINKEY_CUSTOMER_ID": "7",
    }
    client = FlinkeyClient.from_env(env)
    assert (client.customer_id, str(client.base_url)) == (7, PRODUCTION_URL)
    client = FlinkeyClient.from_env({**env, "FLINKEY_BASE_URL": UAT_URL})
    assert str(client.base_url) == UAT_URL
    with pytest.raises(ValueError, match="FLINKEY_PASSWORD, FLINKEY_CUSTOMER_ID"):
        FlinkeyClient.from_env({"FLINKEY_API_KEY": "k", "FLINKEY_USERNAME": "u"})
    with pytest.raises(ValueError, match="FLINKEY_CUSTOMER_ID must be a positive integer"):
        FlinkeyClient.from_env({**env, "FLINKEY_CUSTOMER_ID": "abc"})
