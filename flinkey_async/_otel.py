"""The OpenTelemetry instruments of one client: span names and attributes, metrics, propagation."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

import aiohttp
from opentelemetry import metrics, propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from ._errors import APIError, FlinkeyTimeoutError, TransportError
from ._redact import mask_query
from ._version import __version__

if TYPE_CHECKING:
    from yarl import URL

    from .otel import OpenTelemetry

SCOPE: Final = "flinkey_async"
_INTEGER_OPTIONS: Final = frozenset({"top", "skip"})


def error_type(exc: BaseException) -> str:
    """Return the low-cardinality error.type of a failed call: the SDK's error class name."""
    return type(exc).__qualname__


def retry_reason(exc: BaseException) -> str:
    """Return why an attempt is retried: its HTTP status, "timeout" or "transport"."""
    if isinstance(exc, APIError):
        return str(exc.status)
    if isinstance(exc, FlinkeyTimeoutError):
        return "timeout"
    if isinstance(exc, TransportError):
        return "transport"
    return error_type(exc)


def odata_attributes(raw_query: str) -> dict[str, str | int]:
    """Return the OData options of a query string as attributes, literal values masked."""
    found: dict[str, str | int] = {}
    if not raw_query:
        return found
    for part in mask_query(raw_query).split("&"):
        name, _, value = part.partition("=")
        if not name.startswith("$") or len(name) < 2:
            continue
        option = name[1:]
        text = unquote(value)
        found[f"flinkey.odata.{option}"] = (
            int(text) if option in _INTEGER_OPTIONS and text.isdigit() else text
        )
    return found


class Instruments:
    """A client's tracer and meters, and the attributes every span and metric shares."""

    def __init__(self, options: OpenTelemetry) -> None:
        self.tracer = trace.get_tracer(SCOPE, __version__, tracer_provider=options.tracer_provider)
        meter = metrics.get_meter(SCOPE, __version__, meter_provider=options.meter_provider)
        self.call_duration = meter.create_histogram(
            "flinkey.client.call.duration",
            unit="s",
            description="Duration of a logical call: every attempt, backoff and cooldown wait",
        )
        self.call_attempts = meter.create_histogram(
            "flinkey.client.call.attempts",
            unit="{attempt}",
            description="Attempts a logical call made",
        )
        self.request_duration = meter.create_histogram(
            "http.client.request.duration", unit="s", description="Duration of one attempt"
        )
        self.retries = meter.create_counter(
            "flinkey.client.retries", unit="{retry}", description="Retries, by reason"
        )
        self.token_requests = meter.create_counter(
            "flinkey.client.token.requests",
            unit="{request}",
            description="Password grants sent (POST /oauth2/token)",
        )
        self.cooldown_waits = meter.create_histogram(
            "flinkey.client.cooldown.wait.duration",
            unit="s",
            description="Time a call waited for a 429/503 cooldown to end",
        )
        self.connection_wait = meter.create_histogram(
            "flinkey.client.connection.wait.duration",
            unit="s",
            description="Time a request waited for a connection from the pool",
        )

    def base_attributes(self, method: str, url: URL, template: str | None) -> dict[str, Any]:
        """Return the low-cardinality attributes of a call (metrics use only these)."""
        found: dict[str, Any] = {"http.request.method": method, "server.address": url.host or ""}
        if url.port is not None:
            found["server.port"] = url.port
        if template is not None:
            found["url.template"] = template
        return found

    def span_name(self, method: str, template: str | None) -> str:
        """Return ``METHOD /template``, or the method alone when the route is not known."""
        return method if template is None else f"{method} {template}"

    @contextmanager
    def call_span(self, name: str, attributes: Mapping[str, Any], url: URL) -> Iterator[Span]:
        """Open the span of a logical call (its attempts are its children)."""
        with self.tracer.start_as_current_span(
            name, kind=SpanKind.INTERNAL, attributes=attributes, record_exception=False
        ) as span:
            if span.is_recording():  # the URL and OData details only for a span that keeps them
                query = url.raw_query_string
                span.set_attributes(odata_attributes(query))
                span.set_attribute(
                    "url.full",
                    str(url.with_query(None)) + ("?" + mask_query(query) if query else ""),
                )
            yield span

    def attempt_span(
        self, name: str, attributes: Mapping[str, Any], resend_count: int
    ) -> AbstractContextManager[Span]:
        """Open the span of one attempt on the wire (current while it runs)."""
        if resend_count:
            attributes = {**attributes, "http.request.resend_count": resend_count}
        return self.tracer.start_as_current_span(
            name, kind=SpanKind.CLIENT, attributes=attributes, record_exception=False
        )

    def inject(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Return a copy of the headers with the current trace context (``traceparent``)."""
        carrier = dict(headers)
        propagate.inject(carrier)
        return carrier

    def finish(self, span: Span, status: int | None, exc: BaseException | None) -> None:
        """Set the status code, error.type and span status of a finished call or attempt."""
        if status is not None:
            span.set_attribute("http.response.status_code", status)
        if exc is not None:
            kind = error_type(exc) if status is None or status < 400 else str(status)
            span.set_attribute("error.type", kind)
            span.set_status(Status(StatusCode.ERROR, kind))
        elif status is not None and status >= 400:
            span.set_attribute("error.type", str(status))
            span.set_status(Status(StatusCode.ERROR))

    def trace_config(self) -> aiohttp.TraceConfig:
        """Return a TraceConfig recording how long requests wait for a pooled connection."""
        config = aiohttp.TraceConfig()
        histogram = self.connection_wait

        async def started(_: aiohttp.ClientSession, context: Any, params: Any) -> None:
            context.flinkey_host = params.url.host or ""

        async def queued(_: aiohttp.ClientSession, context: Any, __: Any) -> None:
            context.flinkey_queued = time.perf_counter()

        async def dequeued(_: aiohttp.ClientSession, context: Any, __: Any) -> None:
            since = getattr(context, "flinkey_queued", None)
            if since is not None:
                host = getattr(context, "flinkey_host", "")
                histogram.record(time.perf_counter() - since, {"server.address": host})

        config.on_request_start.append(started)
        config.on_connection_queued_start.append(queued)
        config.on_connection_queued_end.append(dequeued)
        return config
