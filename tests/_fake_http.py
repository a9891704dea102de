"""Raw HTTP against the fake server: requests the SDK would refuse to send, shapes it hides."""

from __future__ import annotations

import json as jsonlib
from typing import Any

import aiohttp
import attrs
from multidict import CIMultiDictProxy
from yarl import URL

from flinkey_async.testing import FakeFlinkey


@attrs.frozen
class Answer:
    """A raw answer: status, headers and body bytes."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode()


async def token(fake: FakeFlinkey) -> str:
    """Get a bearer token from the fake's token endpoint."""
    form = {"grant_type": "password", "username": fake.username, "password": fake.password}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake.url}/oauth2/token", data=form, headers={"flinkey-API-Key": fake.api_key}
        ) as response,
    ):
        assert response.status == 200
        data = await response.json()
    return str(data["access_token"])


async def call(
    fake: FakeFlinkey,
    method: str,
    path: str,
    *,
    customer: str | None = "1",
    json: Any = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """Send one authorised request to ``/v3/{path}`` (path taken as already encoded)."""
    sent = {"flinkey-API-Key": fake.api_key, "Authorization": f"Bearer {await token(fake)}"}
    if customer is not None:
        sent["Customer-ID"] = customer
    if json is not None:
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    url = URL(f"{fake.url}/{path}", encoded=True)
    payload = body if json is None else jsonlib.dumps(json).encode()
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, url, data=payload, headers=sent) as response,
    ):
        return Answer(response.status, response.headers, await response.read())
