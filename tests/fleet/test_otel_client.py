"""OpenTelemetry through real calls: spans per call and attempt, propagation, metrics, and off."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
from _helpers import wait_until
from test_otel_instruments import Telemetry

from flinkey_async import F, FlinkeyClient, NotFoundError, Query
from flinkey_async._endpoint import Endpoints
from flinkey_async._engine import Engine
from flinkey_async._registry import ROUTES
from flinkey_async._traced import TracedEngine
from flinkey_async.testing import FakeFlinkey, Fault


@pytest.fixture
def telemetry() -> Telemetry:
    return Telemetry()


def traced(fake: FakeFlinkey, telemetry: Telemetry, **options: Any) -> FlinkeyClient:
    return fake.client(opentelemetry=telemetry.options, **options)


def test_every_route_names_its_span_after_its_template() -> None:
    """The template each resource sends is the registry's, for every route (new ones too)."""
    for route in ROUTES:
        owner = route.owner
        assert owner is not None
        declared = getattr(owner, route.name, None)
        if hasattr(declared, "template"):
            template = declared.template  # a nested declaration
        elif route.kind == "get":
            template = owner.item_template
        else:
            template = owner.list_template
        assert template == f"/{route.template}", route
    assert isinstance(Endpoints.list_template, str)


async def test_a_call_is_a_span_with_an_attempt_below_it(
    fake: FakeFlinkey, telemetry: Telemetry
) -> None:
    """GET /services/{serviceId}: one INTERNAL span, one CLIENT span, traceparent sent."""
    async with traced(fake, telemetry) as client:
        assert isinstance(client._engine, TracedEngine)
        await client.services.get(101)
    attempt, call = telemetry.spans.get_finished_spans()
    assert (call.name, attempt.name) == ("GET /services/{serviceId}", "GET /services/{serviceId}")
    assert attempt.parent is not None
    assert attempt.parent.span_id == call.context.span_id
    assert dict(call.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": fake.url.port,
        "url.template": "/services/{serviceId}",
        "url.full": f"{fake.url}/services/101",
        "http.response.status_code": 200,
    }
    ids = attempt.context
    (sent,) = fake.api_requests()
    assert sent.headers["traceparent"] == (
        f"00-{ids.trace_id:032x}-{ids.span_id:016x}-{ids.trace_flags:02x}"
    )
    assert "traceparent" not in fake.token_requests()[0].headers
    (tokens,) = telemetry.points("flinkey.client.token.requests")
    assert (tokens.value, dict(tokens.attributes)) == (1, {})


async def test_retries_are_attempt_spans_and_counted_by_reason(
    fake: FakeFlinkey, telemetry: Telemetry
) -> None:
    """A 503 then a 200: two attempt spans (resend_count 1), one retry "503", 2 attempts."""
    fake.faults.add("/v3/services", Fault(503, headers={"Retry-After": "0"}))
    query = Query().filter(F("name") == "Berlin").top(3)
    async with traced(fake, telemetry) as client:
        await client.services.list(query)
    first, second, call = telemetry.spans.get_finished_spans()
    assert call.name == "GET /services"
    assert (first.attributes or {})["error.type"] == "503"
    assert "http.request.resend_count" not in (first.attributes or {})
    assert (second.attributes or {})["http.request.resend_count"] == 1
    assert (call.attributes or {})["flinkey.odata.filter"] == "name eq '***'"
    assert (call.attributes or {})["flinkey.odata.top"] == 3
    assert "Berlin" not in repr([dict(s.attributes or {}) for s in (first, second, call)])
    (retry,) = telemetry.points("flinkey.client.retries")
    assert (retry.value, retry.attributes["flinkey.retry.reason"]) == (1, "503")
    (attempts,) = telemetry.points("flinkey.client.call.attempts")
    assert (attempts.count, attempts.sum) == (1, 2)
    requests = telemetry.points("http.client.request.duration")
    assert sorted(p.attributes.get("http.response.status_code") for p in requests) == [200, 503]


async def test_a_failed_call_carries_its_error_class(
    fake: FakeFlinkey, telemetry: Telemetry
) -> None:
    """A 404: error.type NotFoundError on the call span and on the duration metric."""
    async with traced(fake, telemetry) as client:
        with pytest.raises(NotFoundError):
            await client.services.get_product(999)
    attempt, call = telemetry.spans.get_finished_spans()
    assert call.name == "GET /services/{serviceId}/products"
    assert ((call.attributes or {})["error.type"], (attempt.attributes or {})["error.type"]) == (
        "404",
        "404",
    )
    (duration,) = telemetry.points("flinkey.client.call.duration")
    assert dict(duration.attributes)["error.type"] == "NotFoundError"
    assert dict(duration.attributes)["http.response.status_code"] == 404


async def test_cooldown_and_pool_waits_are_measured(
    fake: FakeFlinkey, telemetry: Telemetry
) -> None:
    """A 429 cooldown makes the next call wait; one pooled connection makes requests queue."""
    fake.faults.add("/v3/services/101", Fault(429, headers={"Retry-After": "0.3"}))
    async with traced(fake, telemetry) as client:
        refused = asyncio.create_task(client.services.get(101))
        # The 429 must have reached the client (not only the server) before the next call.
        await wait_until(lambda: client._engine.cooldown.remaining() > 0)
        await client.services.get(102)  # waits out the cooldown
        await refused
    fake.faults.add("*", Fault(status=None, delay=0.05), times=3)
    async with traced(fake, telemetry, limit=1) as client:
        await asyncio.gather(*(client.services.get(102) for _ in range(3)))
    (cooldown,) = telemetry.points("flinkey.client.cooldown.wait.duration")
    assert (cooldown.count, 0.05 < cooldown.max <= 0.35) == (1, True)  # about the Retry-After
    (queued,) = telemetry.points("flinkey.client.connection.wait.duration")
    assert queued.count == 2


async def test_off_means_a_plain_engine_and_no_opentelemetry_import(fake: FakeFlinkey) -> None:
    """Without opentelemetry=, the client's engine is the plain one and nothing is imported."""
    async with fake.client() as client:
        assert type(client._engine) is Engine
    code = (
        "import asyncio, sys\n"
        "from flinkey_async.testing import FakeFlinkey\n"
        "async def main():\n"
        "    async with FakeFlinkey() as fake, fake.client() as client:\n"
        "        await client.services.get(101)\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry', 'redis'))))\n"
    )
    found = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE
    )
    assert (await found.communicate())[0].decode().strip() == "[]"


def test_the_option_is_checked() -> None:
    """opentelemetry= takes a bool or an OpenTelemetry."""
    with pytest.raises(TypeError, match="opentelemetry must be True, False or"):
        FlinkeyClient(api_key="k", username="u", password="p", opentelemetry="yes")  # type: ignore[arg-type]
