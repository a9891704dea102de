"""Hostile responses become a ResponseDecodeError naming the JSON path, never a bare error."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from flinkey_async import ResponseDecodeError, ServerError
from flinkey_async.testing import FakeFlinkey, Fault

SERVICES = "/v3/services"
GATEWAY_PAGE = (
    "<html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


def rows(**changes: Any) -> str:
    """The seeded service list as JSON, with changes applied to the row at index 3."""
    data = [{"id": i, "name": f"S{i}", "isTerminated": False, "productId": None} for i in range(5)]
    data[3].update(changes)
    return json.dumps(data)


def answer(
    body: str | bytes, *, status: int = 200, content_type: str = "application/json"
) -> Fault:
    """A scripted answer with this body."""
    return Fault(status, body=body, content_type=content_type)


@pytest.mark.parametrize(
    ("body", "content_type", "path", "reason"),
    [
        ('[{"id": 101, "na', "application/json", "$", "not valid JSON"),
        (GATEWAY_PAGE, "text/html", "$", "not valid JSON"),
        ("", "application/json", "$", "empty"),
        (rows(id="abc"), "application/json", "$[3].id", "expected an integer, got a string"),
        (rows(isTerminated=None), "application/json", "$[3].isTerminated", "got null"),
        (rows(name=7), "application/json", "$[3].name", "expected a string, got a number"),
        ('{"id": 101}', "application/json", "$", "expected an array, got an object"),
    ],
    ids=["truncated", "html-200", "empty", "id-abc", "null", "wrong-type", "object"],
)
async def test_list_decode_errors(
    fake: FakeFlinkey, body: str, content_type: str, path: str, reason: str
) -> None:
    """A bad 200 body on GET /services names the path and reason, with a short excerpt."""
    fake.faults.add(SERVICES, answer(body, content_type=content_type))
    async with fake.client() as client:
        with pytest.raises(ResponseDecodeError) as info:
            await client.services.list()
    error = info.value
    assert type(error) is ResponseDecodeError
    assert error.json_path == path
    assert reason in str(error)
    assert len(error.body_excerpt) <= 200
    assert error.status == 200
    assert fake.count(SERVICES) == 1  # a decode error is not retried


async def test_missing_field_is_named(fake: FakeFlinkey) -> None:
    """A required field that is missing is named by its wire path."""
    data = json.loads(rows())
    del data[3]["isTerminated"]
    fake.faults.add(SERVICES, answer(json.dumps(data)))
    async with fake.client() as client:
        with pytest.raises(ResponseDecodeError, match="missing") as info:
            await client.services.list()
    assert info.value.json_path == "$[3].isTerminated"


async def test_list_where_an_object_is_expected(fake: FakeFlinkey) -> None:
    """GET /services/{id} answering with an array is a decode error at $."""
    fake.faults.add("/v3/services/101", answer(rows()))
    async with fake.client() as client:
        with pytest.raises(ResponseDecodeError, match="expected an object, got an array") as info:
            await client.services.get(101)
    assert info.value.json_path == "$"


async def test_html_gateway_page_with_502(fake: FakeFlinkey) -> None:
    """An HTML 502 page is retried, then raised as ServerError titled from the page."""
    fake.faults.add(
        SERVICES, answer(GATEWAY_PAGE, status=502, content_type="text/html"), times=None
    )
    async with fake.client(backoff_initial=0) as client:
        with pytest.raises(ServerError) as info:
            await client.services.list()
    assert info.value.message == "502 Bad Gateway"
    assert info.value.body_excerpt.startswith("<html>")
    assert info.value.retries_taken == 3


async def test_body_over_the_declared_limit(fake: FakeFlinkey) -> None:
    """A Content-Length above max_body_bytes is refused before reading."""
    fake.faults.add(SERVICES, answer(b"[" + b" " * 5000 + b"]"))
    async with fake.client(max_body_bytes=1000) as client:
        with pytest.raises(ResponseDecodeError, match="larger than max_body_bytes"):
            await client.services.list()
        assert len(await client.services.list()) == 5


async def test_compressed_body_is_capped_while_reading(fake: FakeFlinkey) -> None:
    """A small gzip body that inflates past max_body_bytes is cut off while reading."""
    bomb = gzip.compress(b"[" + b" " * 2_000_000 + b"]")
    assert len(bomb) < 10_000
    fake.faults.add(SERVICES, Fault(200, body=bomb, headers={"Content-Encoding": "gzip"}))
    async with fake.client(max_body_bytes=100_000) as client:
        with pytest.raises(ResponseDecodeError, match="larger than max_body_bytes"):
            await client.services.list()


async def test_compressed_body_within_the_limit(fake: FakeFlinkey) -> None:
    """A gzip body within the limit decodes normally."""
    fake.faults.add(
        SERVICES,
        Fault(200, body=gzip.compress(rows().encode()), headers={"Content-Encoding": "gzip"}),
    )
    async with fake.client() as client:
        assert len(await client.services.list()) == 5


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ("<html>oops</html>", "$"),
        ('{"expires_in": "3600"}', "$.access_token"),
        ('{"access_token": "t", "expires_in": "soon"}', "$.expires_in"),
    ],
)
async def test_bad_token_responses(fake: FakeFlinkey, body: str, path: str) -> None:
    """A 200 from the token endpoint that is not a usable token is a decode error."""
    fake.faults.add("/v3/oauth2/token", answer(body), method="POST")
    async with fake.client() as client:
        with pytest.raises(ResponseDecodeError) as info:
            await client.services.list()
    assert info.value.json_path == path
