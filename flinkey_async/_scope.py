"""Per-call options, and the scope a call runs in: the engine plus a client view's defaults."""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

import attrs
from yarl import URL

from ._convert import request_body
from ._json import dumps
from ._retry import RetryPolicy
from ._secret import Sealed, Secret
from ._validate import check_finite_json, check_options

if TYPE_CHECKING:
    from ._engine import Engine
    from ._response import RawResponse


class CallOptions(TypedDict, total=False):
    """Options every call takes; None (or leaving one out) keeps the client's setting."""

    customer_id: int | None
    """The Customer-ID for this call (customer-scoped endpoints only)."""
    timeout: float | None
    """This call's deadline in seconds, retries and backoff included."""
    max_retries: int | None
    """This call's retry budget (0 disables retries)."""


class Settings(NamedTuple):
    """What one call sends with: the Customer-ID header (or None), its deadline, its retries."""

    customer: str | None
    seconds: float
    policy: RetryPolicy


class Scope:
    """The engine, and the defaults of one client view (its Customer-ID, deadline, retries)."""

    __slots__ = ("_scoped", "_unscoped", "customer_id", "engine", "prefix")

    def __init__(self, engine: Engine, customer_id: int | None) -> None:
        self.engine = engine
        self.customer_id = customer_id
        self.prefix = str(engine.base_url).rstrip("/") + "/"
        customer = None if customer_id is None else str(customer_id)
        self._scoped = Settings(customer, engine.timeout, engine.retry)
        self._unscoped = Settings(None, engine.timeout, engine.retry)

    def settings(self, options: Mapping[str, Any], scoped: bool) -> Settings:
        """Resolve a call's options against the defaults, raising before any I/O."""
        if not options:
            if not scoped:
                return self._unscoped
            if self._scoped.customer is None:
                raise ValueError(
                    "no customer_id: pass customer_id= to FlinkeyClient or to this call"
                )
            return self._scoped
        customer_id, timeout, retries = check_options(options)
        if customer_id is not None and not scoped:
            raise TypeError(
                "customer_id= does not apply here: flinkey does not scope this endpoint "
                "to a customer (no Customer-ID header is sent)"
            )
        base = self._scoped if scoped else self._unscoped
        customer = base.customer if customer_id is None else str(customer_id)
        if scoped and customer is None:
            raise ValueError("no customer_id: pass customer_id= to FlinkeyClient or to this call")
        policy = base.policy
        if retries is not None and retries != policy.max_retries:
            policy = attrs.evolve(policy, max_retries=retries)
        return Settings(customer, base.seconds if timeout is None else timeout, policy)

    def url(self, path: str, query_string: str = "") -> URL:
        """Return the URL of an already-encoded path below the base URL, with a query string."""
        text = self.prefix + path
        return URL(f"{text}?{query_string}" if query_string else text, encoded=True)

    def send(
        self,
        method: str,
        url: URL,
        settings: Settings,
        body: Any = None,
        template: str | None = None,
    ) -> Coroutine[Any, Any, RawResponse]:
        """Send a call (a JSON value or a request model as the body): await its 2xx response.

        ``template`` is the route (``/cars/{carId}/events``) that names the call's span. A plain
        function returning the engine's coroutine (one coroutine less per call); the body is
        encoded (and may raise) before anything is awaited, as it was.
        """
        return self.engine.call(
            method,
            url,
            settings.customer,
            settings.seconds,
            settings.policy,
            None if body is None else encode(body),
            template,
        )


def encode(body: Any) -> bytes | Sealed[bytes]:
    """Return a JSON body; one whose request model holds a Secret (an SDK key) stays sealed."""
    if not attrs.has(type(body)):
        check_finite_json(body)
        return dumps(body)
    sealed = any(isinstance(value, Secret) for value in attrs.astuple(body, recurse=False))
    return Sealed(dumps(request_body(body))) if sealed else dumps(request_body(body))
