"""TracedEngine: the engine with OpenTelemetry spans and metrics (chosen once, per client)."""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from ._auth import Token
from ._engine import Engine, Headers
from ._errors import APIError
from ._otel import Instruments, error_type, retry_reason
from ._retry import Cooldown, RetryPolicy
from ._secret import Sealed
from ._transport import Body

if TYPE_CHECKING:
    import aiohttp
    from yarl import URL

    from ._response import RawResponse


class _Call:
    """What the attempts of one logical call share: its span name, attributes, last failure."""

    __slots__ = ("attempts", "attributes", "name", "reason")

    def __init__(self, name: str, attributes: dict[str, Any]) -> None:
        self.name = name
        self.attributes = attributes
        self.attempts = 0
        self.reason = ""


_CURRENT: ContextVar[_Call | None] = ContextVar("flinkey_async_call", default=None)


class _TimedCooldown(Cooldown):
    """A cooldown whose waits are recorded (the instruments are set by the TracedEngine)."""

    instruments: Instruments

    async def wait(self, deadline: float, *args: Any, **kwargs: Any) -> None:
        """Wait as Cooldown does, and record how long."""
        started = time.perf_counter()
        try:
            await super().wait(deadline, *args, **kwargs)
        finally:
            self.instruments.cooldown_waits.record(time.perf_counter() - started)


class TracedEngine(Engine):
    """An Engine that opens a span per call and per attempt and records the client's metrics."""

    cooldown_type = _TimedCooldown
    instruments: Instruments

    @classmethod
    def with_instruments(cls, instruments: Instruments, **settings: Any) -> TracedEngine:
        """Build the engine with its instruments (also used by its cooldown)."""
        engine = cls(**settings)
        engine.instruments = instruments
        assert isinstance(engine.cooldown, _TimedCooldown)
        engine.cooldown.instruments = instruments
        return engine

    async def call(
        self,
        method: str,
        url: URL,
        customer: str | None,
        seconds: float,
        policy: RetryPolicy,
        body: Body = None,
        template: str | None = None,
    ) -> RawResponse:
        """Send as Engine.call does, inside a span named after the route template."""
        instruments = self.instruments
        attributes = instruments.base_attributes(method, url, template)
        state = _Call(instruments.span_name(method, template), attributes)
        reset = _CURRENT.set(state)
        started = time.perf_counter()
        status: int | None = None
        failure: BaseException | None = None
        try:
            with instruments.call_span(state.name, attributes, url) as span:
                try:
                    response = await super().call(
                        method, url, customer, seconds, policy, body, template
                    )
                    status = response.status
                    return response
                except BaseException as exc:
                    failure = exc
                    status = exc.status if isinstance(exc, APIError) else None
                    raise
                finally:
                    instruments.finish(span, status, failure)
        finally:
            _CURRENT.reset(reset)
            measured = dict(attributes)
            if status is not None:
                measured["http.response.status_code"] = status
            if failure is not None:
                measured["error.type"] = error_type(failure)
            instruments.call_duration.record(time.perf_counter() - started, measured)
            instruments.call_attempts.record(state.attempts, measured)

    async def _authorized(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        customer: str | None,
        body: Body,
        attempt: int,
    ) -> RawResponse:
        state = _CURRENT.get()
        if state is None:  # not inside call(): nothing to trace
            return await super()._authorized(session, method, url, customer, body, attempt)
        instruments = self.instruments
        state.attempts += 1
        if attempt > 1:
            reason = {**state.attributes, "flinkey.retry.reason": state.reason}
            instruments.retries.add(1, reason)
        started = time.perf_counter()
        status: int | None = None
        failure: BaseException | None = None
        with instruments.attempt_span(state.name, state.attributes, attempt - 1) as span:
            try:
                response = await super()._authorized(session, method, url, customer, body, attempt)
                status = response.status
                if status >= 400:
                    state.reason = str(status)
                return response
            except BaseException as exc:
                failure = exc
                state.reason = retry_reason(exc)
                raise
            finally:
                instruments.finish(span, status, failure)
                measured = dict(state.attributes)
                if status is not None:
                    measured["http.response.status_code"] = status
                if failure is not None or (status is not None and status >= 400):
                    measured["error.type"] = state.reason
                elapsed = time.perf_counter() - started
                instruments.request_duration.record(elapsed, measured)

    def _headers(self, token: Token, customer: str | None, has_body: bool) -> Sealed[Headers]:
        plain = super()._headers(token, customer, has_body).reveal()
        return Sealed(self.instruments.inject(plain))

    async def _fetch_token(self) -> Token:
        try:
            token = await super()._fetch_token()
        except BaseException as exc:
            self.instruments.token_requests.add(1, {"error.type": error_type(exc)})
            raise
        self.instruments.token_requests.add(1)
        return token
