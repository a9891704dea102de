"""FlinkeyClient: settings, lifecycle, an attribute per resource, and the request() escape hatch."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Generic, Self, TypeVar, Unpack, overload
from urllib.parse import quote

from yarl import URL

from ._endpoint import Endpoints
from ._query import Query, check_query
from ._resources.assignments import Assignments
from ._resources.brands import Brands
from ._resources.cars import Cars
from ._resources.customers import Customers
from ._resources.events import Events
from ._resources.groups import Groups
from ._resources.installations import Installations
from ._resources.pairings import Pairings
from ._resources.products import Products
from ._resources.sdk import Sdk
from ._resources.services import Services
from ._resources.users import Users
from ._retry import (
    DEFAULT_BACKOFF_INITIAL,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
    RetryPolicy,
)
from ._scope import CallOptions, Scope
from ._secret import Secret
from ._shared import shared_for
from ._validate import (
    check_base_url,
    check_count,
    check_credential,
    check_id,
    check_method,
    check_no_control,
    check_path,
    check_query_text,
    check_seconds,
    check_text,
    settings_from_env,
)
from ._version import __version__
from .otel import OpenTelemetry, instruments_for, traced

if TYPE_CHECKING:
    import aiohttp

    from ._engine import Engine
    from .stores import TokenStore

PRODUCTION_URL: Final = "https://api.flinkey.de/v3"
UAT_URL: Final = "https://api-uat.flinkey.de/v3"
DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_LIMIT: Final = 100
DEFAULT_MAX_BODY_BYTES: Final = 32 * 1024 * 1024
USER_AGENT: Final = f"flinkey-async/{__version__}"

E = TypeVar("E", bound=Endpoints)


class _Attach(Generic[E]):
    """A client attribute holding one resource, created on first use for that client view."""

    def __init__(self, resource: type[E]) -> None:
        self.resource = resource

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, client: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, client: FlinkeyClient, owner: type[Any]) -> E: ...
    def __get__(self, client: FlinkeyClient | None, owner: type[Any]) -> Self | E:
        if client is None:
            return self
        bound = self.resource(client._scope)
        client.__dict__[self.name] = bound  # later reads skip this descriptor
        return bound


class FlinkeyClient:
    """An async client for the flinkey API v3; use it with ``async with``, one per event loop.

    Every call has one deadline (``timeout``, seconds) covering all its attempts and backoff
    sleeps. Reads are retried up to ``max_retries`` times with full-jitter exponential backoff
    (``backoff_initial`` doubling up to ``backoff_max``) on transport errors and 429/502/503/504,
    honouring Retry-After up to ``max_retry_after`` seconds; writes are resent only when they
    cannot have reached flinkey. A 429/503 Retry-After makes every call of this client wait.
    ``connect_timeout`` bounds one attempt's connection set-up and ``read_timeout`` (off unless
    set) each wait for data; bodies above ``max_body_bytes`` are refused. ``base_url`` must be
    https, except to this machine or with ``allow_insecure_http=True``. ``token_store`` shares
    the token and cooldown with other processes (``flinkey_async.stores``); ``opentelemetry``
    switches on traces and metrics (``flinkey_async.otel``).
    """

    customers = _Attach(Customers)
    cars = _Attach(Cars)
    users = _Attach(Users)
    assignments = _Attach(Assignments)
    events = _Attach(Events)
    products = _Attach(Products)
    services = _Attach(Services)
    installations = _Attach(Installations)
    pairings = _Attach(Pairings)
    groups = _Attach(Groups)
    brands = _Attach(Brands)
    sdk = _Attach(Sdk)

    _engine: Engine
    _scope: Scope
    _owner: bool

    def __init__(
        self,
        *,
        api_key: str | Secret,
        username: str,
        password: str | Secret,
        customer_id: int | None = None,
        base_url: str | URL = PRODUCTION_URL,
        session: aiohttp.ClientSession | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        limit: int = DEFAULT_LIMIT,
        limit_per_host: int = 0,
        read_timeout: float | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff_initial: float = DEFAULT_BACKOFF_INITIAL,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        allow_insecure_http: bool = False,
        token_store: TokenStore | None = None,
        opentelemetry: bool | OpenTelemetry = False,
    ) -> None:
        # Imported here so that importing this module (the registry, the CLI's --help)
        # does not import aiohttp; only building a client does.
        from ._engine import Engine
        from ._transport import Transport

        key = check_credential(api_key, "api_key", header=True)
        password_secret = check_credential(password, "password")
        self._username = check_no_control(check_text(username, "username"), "username")
        base = check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        shared = shared_for(token_store, base, key, username, password_secret)
        instruments = instruments_for(opentelemetry)
        transport = Transport(
            session,
            connect_timeout=check_seconds(connect_timeout, "connect_timeout"),
            # Off by default: the per-read timer costs every response; the deadline still holds.
            read_timeout=(
                None if read_timeout is None else check_seconds(read_timeout, "read_timeout")
            ),
            # Connection-pool bounds of the session this client creates (0: no limit).
            limit=check_count(limit, "limit", note=" (0: no limit)"),
            limit_per_host=check_count(limit_per_host, "limit_per_host", note=" (0: no limit)"),
            trace_configs=() if instruments is None else (instruments.trace_config(),),
        )
        retry = RetryPolicy(
            max_retries=max_retries,
            backoff_initial=backoff_initial,
            backoff_max=backoff_max,
            max_retry_after=max_retry_after,
        )
        self._engine = (Engine if instruments is None else traced(instruments))(
            base_url=base,
            username=self._username,
            password=password_secret,
            transport=transport,
            static_headers={
                "flinkey-API-Key": key,
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            },
            timeout=check_seconds(timeout, "timeout"),
            retry=retry,
            max_body_bytes=check_count(max_body_bytes, "max_body_bytes", minimum=1),
            shared=shared,
        )
        customer = None if customer_id is None else check_id(customer_id, "customer_id")
        self._scope = Scope(self._engine, customer)
        self._owner = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Self:
        """Build a client from FLINKEY_* variables; options given here win over the environment.

        FLINKEY_API_KEY, FLINKEY_USERNAME, FLINKEY_PASSWORD and FLINKEY_CUSTOMER_ID are read
        unless given as options (every missing one is named); FLINKEY_BASE_URL is optional.
        """
        env = os.environ if environ is None else environ
        return cls(**{**settings_from_env(env, options, PRODUCTION_URL), **options})

    def for_customer(self, customer_id: int) -> Self:
        """Return a view of this client that sends this Customer-ID by default.

        The view shares the session, the token and the cooldown; it is cheap to create per
        request. Close the client, not the view (closing a view does nothing).
        """
        view = object.__new__(type(self))
        view._username = self._username
        view._engine = self._engine
        view._scope = Scope(self._engine, check_id(customer_id, "customer_id"))
        view._owner = False
        return view

    @property
    def base_url(self) -> URL:
        """The API root every path is joined to."""
        return self._engine.base_url

    @property
    def customer_id(self) -> int | None:
        """The default Customer-ID sent on customer-scoped calls."""
        return self._scope.customer_id

    @property
    def retry_policy(self) -> RetryPolicy:
        """The client's retry settings (max_retries, backoff, Retry-After cap)."""
        return self._engine.retry

    def __repr__(self) -> str:
        return (
            f"FlinkeyClient(base_url={str(self.base_url)!r}, username={self._username!r}, "
            f"customer_id={self.customer_id!r})"
        )

    async def request(
        self,
        method: str,
        path: str | Sequence[str],
        *,
        query: Query[Any] | str | None = None,
        json: Any = None,
        customer_scoped: bool = True,
        **options: Unpack[CallOptions],
    ) -> Any:
        """Call an endpoint the SDK does not wrap yet; return its decoded JSON (None if empty).

        ``path`` is relative to the base URL (``"groups/7/cars"``), or its segments
        (``("brands", "BMW/Mini", "keys")``, for a segment holding a slash); each segment is
        percent-encoded. ``query`` is a Query, or a query string already percent-encoded (sent
        as is). ``json`` is a JSON value or an attrs request model. The call has the
        same token, Customer-ID (unless ``customer_scoped=False``), deadline, retry rules and
        errors as every other call.
        """
        verb = check_method(method)
        segments = check_path(path)
        encoded = "/".join(quote(segment, safe="") for segment in segments)
        settings = self._scope.settings(options, customer_scoped)
        text = (
            check_query_text(query)
            if isinstance(query, str)
            else check_query(query).to_query_string()
        )
        url = self._scope.url(encoded, text)
        response = await self._scope.send(verb, url, settings, json)
        return response.json_or_none()

    async def __aenter__(self) -> Self:
        if self._owner:
            self._engine.session()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session if this client created it; a borrowed session stays open.

        Calls still in flight end with ClientClosedError instead of hanging. Closing a view
        made by ``for_customer()`` does nothing.
        """
        if self._owner:
            await self._engine.aclose()

    @classmethod
    def resources(cls) -> dict[str, type[Endpoints]]:
        """The registry: each resource attribute of the client and the class serving it."""
        return {
            name: attached.resource
            for name, attached in vars(cls).items()
            if isinstance(attached, _Attach)
        }
