"""FlinkeyClient: the one place that owns the aiohttp session and sends requests."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Final, Self

import aiohttp
import attrs
from yarl import URL

from ._auth import Token, TokenManager
from ._errors import (
    FlinkeyTimeoutError,
    InvalidAPIKeyError,
    TokenRequestError,
    TransportError,
    UnsupportedMediaTypeError,
    WrongEventLoopError,
    decode_json,
    error_for_response,
)
from ._secret import Secret, as_secret
from ._services import Services
from ._validate import check_id, check_text
from ._version import __version__

PRODUCTION_URL: Final = "https://api.flinkey.de/v3"
UAT_URL: Final = "https://api-uat.flinkey.de/v3"
DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_LIMIT: Final = 100
USER_AGENT: Final = f"flinkey-async/{__version__}"
ENV_VARS: Final = (
    "FLINKEY_API_KEY",
    "FLINKEY_USERNAME",
    "FLINKEY_PASSWORD",
    "FLINKEY_CUSTOMER_ID",
    "FLINKEY_BASE_URL",
)

log = logging.getLogger("flinkey_async")


@attrs.frozen
class RawResponse:
    """A finished HTTP exchange: enough to decode the body or explain a failure."""

    method: str
    url: str
    status: int
    body: bytes

    def context(self) -> dict[str, Any]:
        """Return the keyword arguments every error about this response carries."""
        return {"status": self.status, "method": self.method, "url": self.url}

    def json(self) -> Any:
        """Decode the body as JSON or raise ResponseDecodeError."""
        return decode_json(self.body, **self.context())


class FlinkeyClient:
    """An async client for the flinkey API v3; use it with ``async with``, one per event loop."""

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
    ) -> None:
        self._api_key = as_secret(api_key, "api_key")
        self._username = check_text(username, "username")
        self._password = as_secret(password, "password")
        self._customer_id = None if customer_id is None else check_id(customer_id, "customer_id")
        self._base_url = _check_base_url(base_url)
        self._timeout = _check_seconds(timeout, "timeout")
        self._connect_timeout = _check_seconds(connect_timeout, "connect_timeout")
        # Connection-pool bounds of the session this client creates (0: no limit, as in aiohttp).
        self._limit = _check_pool_size(limit, "limit")
        self._limit_per_host = _check_pool_size(limit_per_host, "limit_per_host")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise TypeError("session must be an aiohttp.ClientSession")
        self._session = session
        self._owns_session = session is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._tokens = TokenManager(self._fetch_token)
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
        missing = [name for name in ENV_VARS[:4] if not env.get(name, "").strip()]
        if missing:
            raise ValueError(f"missing environment variable(s): {', '.join(missing)}")
        raw_id = env["FLINKEY_CUSTOMER_ID"].strip()
        if not raw_id.isdigit():
            raise ValueError("FLINKEY_CUSTOMER_ID must be a positive integer")
        return cls(
            api_key=env["FLINKEY_API_KEY"].strip(),
            username=env["FLINKEY_USERNAME"].strip(),
            password=env["FLINKEY_PASSWORD"],
            customer_id=int(raw_id),
            base_url=env.get("FLINKEY_BASE_URL", "").strip() or PRODUCTION_URL,
            **options,
        )

    @property
    def base_url(self) -> URL:
        """The API root every path is joined to."""
        return self._base_url

    @property
    def customer_id(self) -> int | None:
        """The default Customer-ID sent on customer-scoped calls."""
        return self._customer_id

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
        """Close the session if this client created it; a borrowed session stays open."""
        self._closed = True
        self._tokens.cancel()
        session, self._session = self._session, None
        if session is not None and self._owns_session and not session.closed:
            await session.close()

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("this FlinkeyClient is closed; create a new one")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise WrongEventLoopError(
                "this FlinkeyClient is bound to another event loop (it was first used there); "
                "create one client per event loop, e.g. inside the coroutine given to asyncio.run()"
            )
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=self._connect_timeout)
            connector = aiohttp.TCPConnector(limit=self._limit, limit_per_host=self._limit_per_host)
            self._session = aiohttp.ClientSession(timeout=timeout, connector=connector)
        return self._session

    def _customer_header(self, customer_id: int | None) -> str:
        chosen = self._customer_id if customer_id is None else check_id(customer_id, "customer_id")
        if chosen is None:
            raise ValueError("no customer_id: pass customer_id= to FlinkeyClient or to this call")
        return str(chosen)

    async def get(
        self, path: tuple[str, ...], *, query_string: str = "", customer_id: int | None = None
    ) -> RawResponse:
        """GET a customer-scoped path (segments are quoted by yarl) and return the 2xx response."""
        customer = self._customer_header(customer_id)
        url = self._base_url.joinpath(*path)
        if query_string:
            url = URL(f"{url}?{query_string}", encoded=True)
        session = self._ensure_session()
        try:
            async with asyncio.timeout(self._timeout):
                return await self._authorized("GET", url, session, customer)
        except TimeoutError:
            raise FlinkeyTimeoutError(
                f"no answer within {self._timeout:g} s", method="GET", url=str(url)
            ) from None

    async def _authorized(
        self, method: str, url: URL, session: aiohttp.ClientSession, customer: str
    ) -> RawResponse:
        token = await self._tokens.get()
        headers = {
            **self._static_headers,
            "Authorization": "Bearer " + token.value.reveal(),
            "Customer-ID": customer,
        }
        response = await self._send(session, method, url, headers=headers)
        if response.status == 401 and _is_token_error(response):
            # The token was refused: renew it (unless another call already did) and replay once.
            self._tokens.invalidate(token)
            token = await self._tokens.get()
            headers["Authorization"] = "Bearer " + token.value.reveal()
            response = await self._send(session, method, url, headers=headers)
        return self._check(response)

    async def _send(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        *,
        headers: Mapping[str, str],
        data: Mapping[str, str] | None = None,
    ) -> RawResponse:
        started = time.monotonic()
        try:
            async with session.request(
                method, url, headers=headers, data=data, allow_redirects=False
            ) as resp:
                body = await resp.read()
                status = resp.status
        except aiohttp.ClientError as exc:
            raise TransportError(
                f"request failed: {type(exc).__name__}: {exc}", method=method, url=str(url)
            ) from exc
        log.debug(
            "%s %s -> %s in %.1f ms",
            method,
            url.path,
            status,
            (time.monotonic() - started) * 1000,
        )
        return RawResponse(method=method, url=str(url), status=status, body=body)

    def _check(self, response: RawResponse) -> RawResponse:
        if 200 <= response.status < 300:
            return response
        raise error_for_response(
            response.status, response.body, method=response.method, url=response.url
        )

    async def _fetch_token(self) -> Token:
        session = self._ensure_session()
        url = self._base_url / "oauth2" / "token"
        form = {
            "username": self._username,
            "password": self._password.reveal(),
            "grant_type": "password",
        }
        started = time.monotonic()
        response = await self._send(session, "POST", url, headers=self._static_headers, data=form)
        if not 200 <= response.status < 300:
            error = error_for_response(
                response.status, response.body, method="POST", url=response.url
            )
            if isinstance(error, InvalidAPIKeyError | UnsupportedMediaTypeError) or (
                response.status >= 500
            ):
                raise error
            raise TokenRequestError(
                f"the token request was refused: {error.message}",
                **{k: getattr(error, k) for k in ("status", "body_excerpt", "method", "url")},
            )
        return Token.from_response(response.json(), now=started, **response.context())


def _is_token_error(response: RawResponse) -> bool:
    return b"access token is missing or invalid" in response.body.lower()


def _check_base_url(base_url: str | URL) -> URL:
    if not isinstance(base_url, str | URL):
        raise TypeError("base_url must be a str or yarl.URL")
    url = URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got {str(base_url)!r}")
    if url.query_string or url.fragment:
        raise ValueError("base_url must not have a query or fragment")
    return url.with_path(url.path.rstrip("/") or "/")


def _check_seconds(value: float, name: str) -> float:
    if value is None:
        raise ValueError(f"{name}=None would wait forever; pass a number of seconds")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds")
    if not 0 < value < float("inf"):
        raise ValueError(f"{name} must be a positive, finite number of seconds")
    return float(value)


def _check_pool_size(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int (0 for no limit)")
    if value < 0:
        raise ValueError(f"{name} must be 0 (no limit) or a positive number of connections")
    return value
