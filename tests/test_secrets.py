"""Secrets never leak (reprs, errors, logs, other hosts); the per-attempt DEBUG log line."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator

import pytest

from flinkey_async import FlinkeyClient, FlinkeyError, RedirectError
from flinkey_async._redact import mask_query
from flinkey_async.testing import FakeFlinkey, Fault

SERVICES = "/v3/services"
API_KEY = "ak-7f3e9c1d-very-secret"
PASSWORD = "pw-Tr0ub4dor&3-secret"


@pytest.mark.parametrize(
    ("query", "masked"),
    [
        ("$filter=email+eq+'a@b.de'+and+id+gt+5", "$filter=email+eq+'***'+and+id+gt+***"),
        ("$filter=name%20eq%20'O''Brien'", "$filter=name%20eq%20'***'"),
        ("%24filter=name+eq+%27O%27%27Brien%27&$top=10", "%24filter=name+eq+'***'&$top=10"),
        (
            "$filter=terminationDate+lt+2025-01-01T00:00:00%2B01:00+and+isTerminated+eq+true",
            "$filter=terminationDate+lt+***+and+isTerminated+eq+true",
        ),
        ("$filter=id+in+(1,2,3)", "$filter=id+in+(***)"),
        ("$filter=id%20in%20%281%2C2%29", "$filter=id%20in%20%28***%29"),
        (
            "$filter=productId+eq+null&$skip=20&$top=10",
            "$filter=productId+eq+null&$skip=20&$top=10",
        ),
        ("$filter=contains(name,'x')+and+n+ge+-3.5", "$filter=contains(name,'***')+and+n+ge+***"),
        ("$filter=(id eq 42)", "$filter=(id eq ***)"),
        ("$filter=name+eq+'it''s'+or+name+eq+'x'", "$filter=name+eq+'***'+or+name+eq+'***'"),
        ("$orderby=name+desc&$select=id,name", "$orderby=name+desc&$select=id,name"),
        ("", ""),
    ],
)
def test_mask_query(query: str, masked: str) -> None:
    """Literal values in an encoded query are masked; names and operators stay readable."""
    assert mask_query(query) == masked


class _AllRecords(logging.Handler):
    """Keep every record, whatever the capture settings of pytest."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def all_records() -> Iterator[list[logging.LogRecord]]:
    """Every record of the flinkey_async and aiohttp loggers, at DEBUG."""
    handler = _AllRecords()
    loggers = [logging.getLogger(name) for name in ("flinkey_async", "aiohttp")]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.addHandler(handler)
    try:
        yield handler.records
    finally:
        for lg, level in saved:
            lg.removeHandler(handler)
            lg.setLevel(level)


def _texts_of(exc: BaseException) -> Iterator[str]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield repr(vars(current))
        yield "".join(traceback.format_exception(current))
        current = current.__cause__ or current.__context__


async def test_secrets_never_in_logs_reprs_or_errors(
    all_records: list[logging.LogRecord],
) -> None:
    """Across successes, renewals, retries and failures, no secret appears anywhere."""
    fake = FakeFlinkey(api_key=API_KEY, password=PASSWORD)
    async with fake, FakeFlinkey() as elsewhere:
        errors: list[BaseException] = []
        texts: list[str] = []
        fake.faults.add(SERVICES, Fault(503), times=2)
        fake.faults.add("/v3/services/101", Fault(reset=True))
        fake.faults.add(
            "/v3/services/102", Fault(302, headers={"Location": str(elsewhere.url / "services")})
        )
        fake.faults.add("/v3/services/103", Fault(status=None, delay=1))
        async with fake.client(backoff_initial=0) as client:
            texts += [repr(client), str(client), repr(client._engine.tokens.current)]
            await client.services.list()
            await client.services.get(101)
            fake.expire_tokens()
            await client.services.get_product(101)
            texts.append(repr(client._engine.tokens.current))
            for call in (client.services.get(102), client.services.get(103, timeout=0.2)):
                try:
                    await call
                except FlinkeyError as exc:
                    errors.append(exc)
        for options in ({"password": "wrong-" + PASSWORD}, {"api_key": "wrong-" + API_KEY}):
            async with fake.client(**options) as bad:
                try:
                    await bad.services.list()
                except FlinkeyError as exc:
                    errors.append(exc)
    assert len(errors) == 4
    tokens = {
        r.headers["Authorization"].removeprefix("Bearer ")
        for r in fake.requests
        if "Authorization" in r.headers
    }
    assert len(tokens) == 2
    secrets = {API_KEY, PASSWORD, *tokens}
    for exc in errors:
        texts.extend(_texts_of(exc))
    assert all_records
    for record in all_records:
        texts.append(record.getMessage())
        texts.append(repr(vars(record)))
        if record.exc_info and record.exc_info[1] is not None:
            texts.extend(_texts_of(record.exc_info[1]))
    leaks = [(secret, text) for text in texts for secret in secrets if secret in text]
    assert leaks == []
    assert elsewhere.requests == []


async def test_redirect_to_another_host_is_refused(fake: FakeFlinkey) -> None:
    """A redirect to another host raises RedirectError; that host never sees a request."""
    other = FakeFlinkey()
    other_url = await other.start(host="127.0.0.2")
    try:
        fake.faults.add(SERVICES, Fault(302, headers={"Location": str(other_url / "services")}))
        async with fake.client() as client:
            with pytest.raises(RedirectError, match=r"127\.0\.0\.2") as info:
                await client.services.list()
        assert info.value.status == 302
        assert other.requests == []
        assert fake.count(SERVICES) == 1  # not retried either
    finally:
        await other.close()


async def test_redirect_within_the_same_origin_is_followed(fake: FakeFlinkey) -> None:
    """A same-origin redirect is followed, with the credentials, as part of the attempt."""
    fake.faults.add(SERVICES, Fault(307, headers={"Location": "/v3/services?moved=1"}))
    async with fake.client() as client:
        assert len(await client.services.list()) == 5
    first, second = (r for r in fake.requests if r.path == SERVICES)
    assert second.raw_query_string == "moved=1"
    assert second.headers["Authorization"] == first.headers["Authorization"]
    assert second.headers["Customer-ID"] == "1"


async def test_too_many_redirects(fake: FakeFlinkey) -> None:
    """A redirect loop stops after three hops."""
    fake.faults.add(SERVICES, Fault(302, headers={"Location": SERVICES}), times=None)
    async with fake.client() as client:
        with pytest.raises(RedirectError, match="more than 3"):
            await client.services.list()
    assert fake.count(SERVICES) == 4


async def test_token_post_is_not_turned_into_a_get(fake: FakeFlinkey) -> None:
    """A 302 on the token POST is refused rather than followed as a GET without the form."""
    fake.faults.add("/v3/oauth2/token", Fault(302, headers={"Location": "/v3/x"}), method="POST")
    async with fake.client() as client:
        with pytest.raises(RedirectError, match="POST"):
            await client.services.list()


async def test_one_debug_line_per_attempt(
    fake: FakeFlinkey, all_records: list[logging.LogRecord]
) -> None:
    """Each attempt logs method, path, masked query, status, attempt number and elapsed ms."""
    fake.faults.add(SERVICES, Fault(503), times=2)
    async with fake.client(backoff_initial=0) as client:
        await client.request("GET", "services", query="$filter=name+eq+'Fleet+Berlin'&$top=5")
    lines = [r for r in all_records if r.name == "flinkey_async"]
    assert [(r.flinkey_method, r.flinkey_attempt, r.flinkey_status) for r in lines] == [  # type: ignore[attr-defined]
        ("POST", 1, 200),
        ("GET", 1, 503),
        ("GET", 2, 503),
        ("GET", 3, 200),
    ]
    assert all(r.levelno == logging.DEBUG for r in lines)
    message = lines[-1].getMessage()
    assert message.startswith("GET /v3/services?$filter=name+eq+'***'&$top=5 -> 200 (attempt 3, ")
    assert message.endswith(" ms)")
    assert "Fleet" not in " ".join(r.getMessage() for r in lines)


async def test_custom_session_client_repr_has_no_secrets() -> None:
    """The client's repr names the URL, user and customer only."""
    client = FlinkeyClient(api_key=API_KEY, username="u@example.com", password=PASSWORD)
    assert API_KEY not in repr(client)
    assert PASSWORD not in repr(client)
