"""The OpenTelemetry instruments alone: names, attributes, masking, propagation, pool waits."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from yarl import URL

from flinkey_async._errors import FlinkeyTimeoutError, NotFoundError, RateLimitError, TransportError
from flinkey_async._otel import Instruments, odata_attributes, retry_reason
from flinkey_async.otel import OpenTelemetry
from flinkey_async.testing import FakeFlinkey, Fault


class Telemetry:
    """An SDK tracer provider and meter provider that keep everything in memory."""

    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.reader = InMemoryMetricReader()
        self.options = OpenTelemetry(
            tracer_provider=tracer_provider,
            meter_provider=MeterProvider(metric_readers=[self.reader]),
        )

    def points(self, name: str) -> list[Any]:
        """The data points of one metric."""
        data = self.reader.get_metrics_data()
        return [
            point
            for resource in (data.resource_metrics if data else [])
            for scope in resource.scope_metrics
            for metric in scope.metrics
            if metric.name == name
            for point in metric.data.data_points
        ]


def test_odata_options_become_attributes_with_literal_values_masked() -> None:
    """Filter literals are masked as in the logs; $top and $skip stay numbers."""
    query = (
        "$filter=email%20eq%20'a@b.de'%20and%20id%20gt%205&$select=id,name"
        "&$orderby=name%20desc&$top=10&$skip=20&$count=true&other=x"
    )
    assert odata_attributes(query) == {
        "flinkey.odata.filter": "email eq '***' and id gt ***",
        "flinkey.odata.select": "id,name",
        "flinkey.odata.orderby": "name desc",
        "flinkey.odata.top": 10,
        "flinkey.odata.skip": 20,
        "flinkey.odata.count": "true",
    }
    assert odata_attributes("") == {}


def test_retry_reasons_are_low_cardinality() -> None:
    """A retry is counted by status, or as a timeout or a transport failure."""
    assert [
        retry_reason(RateLimitError("x", status=429)),
        retry_reason(FlinkeyTimeoutError("x")),
        retry_reason(TransportError("x")),
        retry_reason(ValueError("x")),
    ] == ["429", "timeout", "transport", "ValueError"]


def test_call_and_attempt_spans_nest_and_carry_the_http_attributes() -> None:
    """A logical span with OData attributes; attempt spans below it; traceparent of the attempt."""
    telemetry = Telemetry()
    instruments = Instruments(telemetry.options)
    url = URL("https://api.flinkey.de/v3/cars/7/events?$filter=type%20eq%20'Open'&$top=5")
    base = instruments.base_attributes("GET", url, "/cars/{carId}/events")
    name = instruments.span_name("GET", "/cars/{carId}/events")
    with instruments.call_span(name, base, url) as call:
        with instruments.attempt_span(name, base, 0) as first:
            instruments.finish(first, 429, RateLimitError("x", status=429))
        with instruments.attempt_span(name, base, 1) as second:
            headers = instruments.inject({"Accept": "application/json"})
            instruments.finish(second, 404, None)
        instruments.finish(call, 404, NotFoundError("x", status=404))
    first_span, second_span, call_span = telemetry.spans.get_finished_spans()
    assert [s.name for s in (first_span, second_span, call_span)] == [name] * 3
    assert name == "GET /cars/{carId}/events"
    assert (call_span.kind, first_span.kind) == (SpanKind.INTERNAL, SpanKind.CLIENT)
    assert call_span.parent is None
    assert {first_span.parent.span_id, second_span.parent.span_id} == {  # type: ignore[union-attr]
        call_span.context.span_id
    }
    assert dict(call_span.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "api.flinkey.de",
        "server.port": 443,
        "url.template": "/cars/{carId}/events",
        "url.full": "https://api.flinkey.de/v3/cars/7/events?$filter=type%20eq%20'***'&$top=5",
        "flinkey.odata.filter": "type eq '***'",
        "flinkey.odata.top": 5,
        "http.response.status_code": 404,
        "error.type": "404",
    }
    assert "http.request.resend_count" not in (first_span.attributes or {})
    assert (second_span.attributes or {})["http.request.resend_count"] == 1
    assert (first_span.attributes or {})["error.type"] == "429"
    assert second_span.status.status_code is StatusCode.ERROR
    ids = second_span.context
    traceparent = f"00-{ids.trace_id:032x}-{ids.span_id:016x}-{ids.trace_flags:02x}"
    assert headers == {"Accept": "application/json", "traceparent": traceparent}


def test_a_failure_without_an_answer_is_typed_by_its_error_class() -> None:
    """No status: error.type is the SDK's error class; the span status says why."""
    telemetry = Telemetry()
    instruments = Instruments(telemetry.options)
    with instruments.attempt_span("GET", {}, 0) as span:
        instruments.finish(span, None, FlinkeyTimeoutError("late"))
    (finished,) = telemetry.spans.get_finished_spans()
    assert dict(finished.attributes or {}) == {"error.type": "FlinkeyTimeoutError"}
    assert (finished.status.status_code, finished.status.description) == (
        StatusCode.ERROR,
        "FlinkeyTimeoutError",
    )


async def test_waits_for_a_pooled_connection_are_measured() -> None:
    """With one pooled connection and four requests at once, three wait, and each wait counts."""
    telemetry = Telemetry()
    async with FakeFlinkey() as fake:
        fake.faults.add("/v3/oauth2/token", Fault(status=None, delay=0.05), method="POST", times=4)
        connector = aiohttp.TCPConnector(limit=1)
        trace_config = telemetry.options.trace_config()
        async with aiohttp.ClientSession(connector=connector, trace_configs=[trace_config]) as s:

            async def post() -> None:
                async with s.post(fake.url / "oauth2" / "token") as response:
                    await response.read()

            await asyncio.gather(*(post() for _ in range(4)))
    (point,) = telemetry.points("flinkey.client.connection.wait.duration")
    assert (point.count, dict(point.attributes)) == (3, {"server.address": "127.0.0.1"})
    assert point.sum == pytest.approx(0.05 + 0.10 + 0.15, abs=0.1)
    assert point.min >= 0.04
