"""FlinkeyClient: the one place that owns the aiohttp session and sends requests."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from functools import partial
from types import TracebackType
from typing import Any, Final, Self

import aiohttp
import attrs
from yarl import URL

from ._auth import Token, TokenManager, request_token
from ._deadline import Watchdog
from ._errors import (
    APIError,
    ClientClosedError,
    FlinkeyError,
    FlinkeyTimeoutError,
    WrongEventLoopError,
)
from ._retry import (
    DEFAULT_BACKOFF_INITIAL,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
    Cooldown,
    Naps,
    RetryPolicy,
)
from ._secret import Secret, as_secret
from ._services import Services
from ._transport import RawResponse, make_session, send
from ._validate import (
    check_base_url,
    check_count,
    check_id,
    check_seconds,
    check_text,
    settings_from_env,
)
from ._version import __version__

PRODUCTION_URL: Final = "https://api.flinkey.de/v3"
UAT_URL: Final = "https://api-uat.flinkey.de/v3"
DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_LIMIT: Final = 100
DEFAULT_MAX_BODY_BYTES: Final = 32 * 1024 * 1024
USER_AGENT: Final = f"flinkey-async/{__version__}"
_WHAT_TO_DO: Final = (
    "create one FlinkeyClient per event loop (e.g. inside the coroutine given to asyncio.run()) "
    "and close it with 'async with' or aclose() before that loop ends"
)


class FlinkeyClient:
    """An async client for the flinkey API v3; use it with ``async with``, one per event loop.

    Every call has one deadline (``timeout``, seconds) covering all its attempts and backoff
    sleeps. GETs are retried up to ``max_retries`` times with full-jitter exponential backoff
    (``backoff_initial`` doubling up to ``backoff_max``) on transport errors and 429/502/503/504,
    honouring Retry-After up to ``max_retry_after`` seconds; a 429/503 Retry-After makes every
    call of this client wait. ``connect_timeout`` bounds one attempt's connection set-up and
    ``read_timeout`` (off unless set) each wait for data; bodies above ``max_body_bytes`` are
    refused.
    """

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
    ) -> None:
        self._api_key = as_secret(api_key, "api_key")
        self._username = check_text(username, "username")
        self._password = as_secret(password, "password")
        self._customer_id = None if customer_id is None else check_id(customer_id, "customer_id")
        self._base_url = check_base_url(base_url)
        self._timeout = check_seconds(timeout, "timeout")
        self._connect_timeout = check_seconds(connect_timeout, "connect_timeout")
        # Connection-pool bounds of the session this client creates (0: no limit, as in aiohttp).
        self._limit = check_count(limit, "limit", note=" (0: no limit)")
        self._limit_per_host = check_count(limit_per_host, "limit_per_host", note=" (0: no limit)")
        # Off by default: the per-read timer costs every response; the call's deadline still holds.
        self._read_timeout = (
            None if read_timeout is None else check_seconds(read_timeout, "read_timeout")
        )
        self._retry = RetryPolicy(
            max_retries=max_retries,
            backoff_initial=backoff_initial,
            backoff_max=backoff_max,
            max_retry_after=max_retry_after,
        )
        self._max_body_bytes = check_count(max_body_bytes, "max_body_bytes", minimum=1)
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise TypeError("session must be an aiohttp.ClientSession")
        self._session = session
        self._owns_session = session is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._tokens = TokenManager(self._fetch_token)
        self._header_cache: tuple[Token | None, dict[str, dict[str, str]]] = (None, {})
        self._default_customer = None if customer_id is None else str(self._customer_id)
        self._cooldown = Cooldown(_loop_time)
        self._naps = Naps()
        self._watchdog = Watchdog()
        self._send = partial(send, origin=self._base_url, max_body_bytes=self._max_body_bytes)
        self._static_headers = {
            "flinkey-API-Key": self._api_key.reveal(),
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        self.services: Final = Services(self)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Self:
        """Build a client from FLINKEY_* environment variables, naming any that are missing."""
        env = os.environ if environ is None else environ
        return cls(**settings_from_env(env, PRODUCTION_URL), **options)

    @property
    def base_url(self) -> URL:
        """The API root every path is joined to."""
        return self._base_url

    @property
    def customer_id(self) -> int | None:
        """The default Customer-ID sent on customer-scoped calls."""
        return self._customer_id

    @property
    def retry_policy(self) -> RetryPolicy:
        """The client's retry settings (max_retries, backoff, Retry-After cap)."""
        return self._retry

    def __repr__(self) -> str:
        return (
            f"FlinkeyClient(base_url={str(self._base_url)!r}, username={self._username!r}, "
            f"customer_id={self._customer_id!r})"
        )

    async def __aenter__(self) -> Self:
        self._ensure_session()
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

        Calls still in flight end with ClientClosedError instead of hanging.
        """
        if self._closed:
            return
        if self._session is not None and self._owns_session:
            self._check_loop(asyncio.get_running_loop())
        self._closed = True
        self._tokens.cancel()
        self._naps.wake_all()
        self._watchdog.close()
        session, self._session = self._session, None
        if session is not None and self._owns_session and not session.closed:
            await session.close()

    def _check_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        bound = self._loop
        if bound is None and self._session is not None:
            bound = getattr(self._session, "_loop", None)
            if bound is loop:
                bound = None
        if bound is not None and bound is not loop:
            state = "an event loop that is now closed" if bound.is_closed() else "another loop"
            raise WrongEventLoopError(
                f"this FlinkeyClient (or its aiohttp session) belongs to {state}, not the "
                f"running one; {_WHAT_TO_DO}"
            )

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise ClientClosedError("this FlinkeyClient is closed; create a new one")
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._check_loop(loop)
            self._loop = loop
        if self._session is None:
            self._session = make_session(
                connect_timeout=self._connect_timeout,
                read_timeout=self._read_timeout,
                limit=self._limit,
                limit_per_host=self._limit_per_host,
            )
        return self._session

    def customer_header(self, customer_id: int | None) -> str:
        """Return the Customer-ID header value for a call, or raise before any I/O."""
        if customer_id is None and self._default_customer is not None:
            return self._default_customer
        chosen = self._customer_id if customer_id is None else check_id(customer_id, "customer_id")
        if chosen is None:
            raise ValueError("no customer_id: pass customer_id= to FlinkeyClient or to this call")
        return str(chosen)

    async def get(
        self,
        path: tuple[str, ...],
        *,
        query_string: str = "",
        customer_id: int | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> RawResponse:
        """GET a customer-scoped path (segments are quoted by yarl) and return the 2xx response.

        timeout and max_retries override the client's settings for this call (None: keep them).
        """
        customer = self.customer_header(customer_id)
        url = self._base_url.joinpath(*path)
        if query_string:
            url = URL(f"{url}?{query_string}", encoded=True)
        seconds = self._timeout if timeout is None else check_seconds(timeout, "timeout")
        policy = self._retry
        if max_retries is not None and max_retries != policy.max_retries:
            policy = attrs.evolve(policy, max_retries=max_retries)
        return await self._call("GET", url, customer, seconds, policy)

    async def _call(
        self, method: str, url: URL, customer: str, seconds: float, policy: RetryPolicy
    ) -> RawResponse:
        """Send with retries, all within one deadline of `seconds`."""
        session = self._ensure_session()
        deadline = _loop_time() + seconds
        retries = 0
        timer = self._watchdog.deadline(deadline)
        try:
            with timer:
                while True:
                    try:
                        if self._cooldown.active and self._cooldown.remaining() > 0:
                            await self._cooldown.wait(
                                deadline,
                                self._naps.sleep,
                                method=method,
                                url=str(url),
                                retries_taken=retries,
                            )
                        return self._check(
                            await self._authorized(method, url, session, customer, retries + 1)
                        )
                    except FlinkeyError as exc:
                        exc.retries_taken = retries
                        if self._closed:
                            raise _closed_during_call(method, url, retries) from exc
                        if isinstance(exc, APIError):
                            self._cooldown.extend(exc)
                        delay = policy.delay(exc, retries)
                        if delay is None or _loop_time() + delay >= deadline:
                            raise
                    await self._naps.sleep(delay)
                    if self._closed:
                        raise _closed_during_call(method, url, retries)
                    retries += 1
        except TimeoutError:
            if not timer.expired:
                raise
            raise FlinkeyTimeoutError(
                f"no answer within {seconds:g} s ({retries + 1} attempt(s))",
                method=method,
                url=str(url),
                retries_taken=retries,
            ) from None

    async def _authorized(
        self, method: str, url: URL, session: aiohttp.ClientSession, customer: str, attempt: int
    ) -> RawResponse:
        token = self._tokens.fresh() or await self._tokens.get()
        headers = self._headers(token, customer)
        response = await self._send(session, method, url, headers=headers, attempt=attempt)
        if response.status == 401 and _is_token_error(response):
            # The token was refused: renew it (unless another call already did) and replay once.
            self._tokens.invalidate(token)
            token = await self._tokens.get()
            headers = self._headers(token, customer)
            response = await self._send(session, method, url, headers=headers, attempt=attempt)
        return response

    def _headers(self, token: Token, customer: str) -> Mapping[str, str]:
        """Return the request headers for a token and customer, built once per pair."""
        cached_token, by_customer = self._header_cache
        if cached_token is not token:
            by_customer = {}
            self._header_cache = (token, by_customer)
        headers = by_customer.get(customer)
        if headers is None:
            headers = by_customer[customer] = {
                **self._static_headers,
                "Authorization": "Bearer " + token.value.reveal(),
                "Customer-ID": customer,
            }
        return headers

    def _check(self, response: RawResponse) -> RawResponse:
        if 200 <= response.status < 300:
            return response
        raise response.error()

    async def _fetch_token(self) -> Token:
        """Run the password grant (the TokenManager makes sure only one runs at a time)."""
        session = self._ensure_session()
        form = {
            "username": self._username,
            "password": self._password.reveal(),
            "grant_type": "password",
        }
        return await request_token(
            partial(self._send, session),
            self._base_url / "oauth2" / "token",
            headers=self._static_headers,
            form=form,
            timeout=self._timeout,
        )


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


def _closed_during_call(method: str, url: URL, retries: int) -> ClientClosedError:
    return ClientClosedError(
        "the FlinkeyClient was closed while this call was in flight",
        method=method,
        url=str(url),
        retries_taken=retries,
    )


def _is_token_error(response: RawResponse) -> bool:
    return b"access token is missing or invalid" in response.body.lower()
