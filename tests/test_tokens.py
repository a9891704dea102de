"""The token lifecycle: single flight, proactive refresh, one replay on 401, fail fast."""

from __future__ import annotations

import asyncio
import json

import pytest

from flinkey_async import (
    InvalidAPIKeyError,
    InvalidTokenError,
    ServerError,
    TokenRequestError,
)
from flinkey_async._errors import MSG_INVALID_API_KEY, MSG_INVALID_TOKEN
from flinkey_async.testing import FakeFlinkey, Fault

SERVICES = "/v3/services"
TOKEN = "/v3/oauth2/token"


def apim_401(message: str) -> Fault:
    """The gateway's 401 answer with the given message."""
    body = json.dumps({"statusCode": 401, "message": message})
    return Fault(401, body=body, content_type="application/json")


async def test_one_token_request_for_1000_concurrent_calls(fake: FakeFlinkey) -> None:
    """1,000 concurrent calls on a cold client cause exactly one POST /oauth2/token."""
    async with fake.client() as client:
        results = await asyncio.gather(*(client.services.get(101) for _ in range(1000)))
    assert {r.id for r in results} == {101}
    assert len(fake.token_requests()) == 1
    assert fake.count("/v3/services/101") == 1000


async def test_expired_token_is_renewed_once_and_the_call_replayed(fake: FakeFlinkey) -> None:
    """A 401 "token missing or invalid" renews the token and replays the call once."""
    async with fake.client() as client:
        await client.services.list()
        fake.expire_tokens()
        assert len(await client.services.list()) == 5
    assert len(fake.token_requests()) == 2
    assert fake.count(SERVICES) == 3


async def test_concurrent_401s_renew_the_token_once(fake: FakeFlinkey) -> None:
    """Many calls refused with the same dead token share one renewal (compare-and-drop)."""
    async with fake.client() as client:
        await client.services.list()
        fake.expire_tokens()
        await asyncio.gather(*(client.services.list() for _ in range(50)))
    assert len(fake.token_requests()) == 2


async def test_second_401_raises_invalid_token(fake: FakeFlinkey) -> None:
    """When the renewed token is refused too, InvalidTokenError is raised (no loop)."""
    fake.faults.add(SERVICES, apim_401(MSG_INVALID_TOKEN), times=2)
    async with fake.client() as client:
        with pytest.raises(InvalidTokenError) as info:
            await client.services.list()
    assert info.value.retries_taken == 0
    assert len(fake.token_requests()) == 2
    assert fake.count(SERVICES) == 2


async def test_api_key_401_on_a_call_raises_at_once(fake: FakeFlinkey) -> None:
    """A 401 for the API key is neither replayed nor retried."""
    fake.faults.add(SERVICES, apim_401(MSG_INVALID_API_KEY))
    async with fake.client() as client:
        with pytest.raises(InvalidAPIKeyError):
            await client.services.list()
    assert fake.count(SERVICES) == 1
    assert len(fake.token_requests()) == 1


async def test_wrong_api_key_fails_the_token_request_at_once(fake: FakeFlinkey) -> None:
    """A wrong API key stops at the token request: one POST, no GET, no retries."""
    async with fake.client(api_key="wrong-key") as client:
        with pytest.raises(InvalidAPIKeyError):
            await client.services.list()
    assert len(fake.token_requests()) == 1
    assert fake.count(SERVICES) == 0


async def test_failing_token_request_reaches_every_waiter(fake: FakeFlinkey) -> None:
    """A refused token request raises at once, the same error for every concurrent waiter."""
    async with fake.client(password="wrong-password") as client:
        results = await asyncio.gather(
            *(client.services.list() for _ in range(50)), return_exceptions=True
        )
    assert all(isinstance(r, TokenRequestError) for r in results)
    assert all(r is results[0] for r in results)
    assert len(fake.token_requests()) == 1
    assert fake.count(SERVICES) == 0


async def test_token_endpoint_5xx_is_not_retried(fake: FakeFlinkey) -> None:
    """A 503 from the token endpoint is raised at once to every waiter."""
    fake.faults.add(TOKEN, Fault(503), method="POST", times=None)
    async with fake.client(backoff_initial=0) as client:
        results = await asyncio.gather(
            *(client.services.list() for _ in range(10)), return_exceptions=True
        )
    assert all(isinstance(r, ServerError) for r in results)
    assert len(fake.token_requests()) == 1


async def test_token_is_renewed_before_it_expires(
    fake: FakeFlinkey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token is renewed at expiry - min(60 s, lifetime/2), so no call sees a 401."""
    monkeypatch.setattr("flinkey_async._auth.MIN_TOKEN_LIFETIME", 1.0)  # the floor, lowered
    fake.schedule_token_lifetimes(1)  # expires_in "1": renewed after 0.5 s
    async with fake.client() as client:
        await client.services.list()
        await asyncio.sleep(0.6)
        await client.services.list()
    assert len(fake.token_requests()) == 2
    assert fake.count(SERVICES) == 2  # no 401, no replay
    first, second = (r.headers["Authorization"] for r in fake.requests if r.path == SERVICES)
    assert first != second
