"""The one I/O edge every call goes through: token, headers, retries, cooldown, one deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Final

from yarl import URL

from ._auth import Token, TokenManager, request_token
from ._deadline import Watchdog
from ._errors import (
    APIError,
    ClientClosedError,
    FlinkeyError,
    FlinkeyTimeoutError,
    InvalidTokenError,
)
from ._response import RawResponse
from ._retry import COOLDOWN_STATUSES, Cooldown, Naps, RetryPolicy
from ._secret import Secret
from ._transport import Transport, send

if TYPE_CHECKING:
    import aiohttp

    from ._shared import Shared

JSON_TYPE: Final = "application/json"


class Engine:
    """Sends requests for a client and every view of it (shared session, token and cooldown).

    With a ``shared`` store, the token and the cooldown are also shared with every other
    client (and process) using that store.
    """

    cooldown_type: type[Cooldown] = Cooldown

    def __init__(
        self,
        *,
        base_url: URL,
        username: str,
        password: Secret,
        transport: Transport,
        static_headers: Mapping[str, str],
        timeout: float,
        retry: RetryPolicy,
        max_body_bytes: int,
        shared: Shared | None = None,
    ) -> None:
        self.base_url = base_url
        self.transport = transport
        self.timeout = timeout
        self.retry = retry
        self.closed = False
        self._username = username
        self._password = password
        self._static_headers = static_headers
        self.shared = shared
        self.tokens = TokenManager(self._fetch_token if shared is None else self._fetch_shared)
        self.cooldown = self.cooldown_type(_loop_time)
        self._naps = Naps()
        self._watchdog = Watchdog()
        self._header_cache: tuple[Token | None, dict[tuple[str | None, bool], dict[str, str]]] = (
            None,
            {},
        )
        self._send = partial(send, origin=base_url, max_body_bytes=max_body_bytes)

    def session(self) -> aiohttp.ClientSession:
        """Return the session for the running loop, or raise if the client is closed."""
        if self.closed:
            raise ClientClosedError("this FlinkeyClient is closed; create a new one")
        return self.transport.open()

    async def aclose(self) -> None:
        """End every call in flight with ClientClosedError and close an owned session."""
        if self.closed:
            return
        self.closed = True
        self.tokens.cancel()
        self._naps.wake_all()
        self._watchdog.close()
        await self.transport.close()

    async def call(
        self,
        method: str,
        url: URL,
        customer: str | None,
        seconds: float,
        policy: RetryPolicy,
        body: bytes | None = None,
        template: str | None = None,
    ) -> RawResponse:
        """Send with retries, all within one deadline of `seconds`; return the 2xx response.

        ``template`` (the route, ``/services/{serviceId}``) is for tracing; unused here.
        """
        session = self.session()
        shared = self.shared
        deadline = _loop_time() + seconds
        retries = 0
        timer = self._watchdog.deadline(deadline)
        try:
            with timer:
                while True:
                    try:
                        if shared is not None and shared.cooldown_due():
                            await self._join_cooldown(shared)
                        if self.cooldown.active and self.cooldown.remaining() > 0:
                            await self.cooldown.wait(
                                deadline,
                                self._naps.sleep,
                                method=method,
                                url=str(url),
                                retries_taken=retries,
                            )
                        response = await self._authorized(
                            session, method, url, customer, body, retries + 1
                        )
                        if 200 <= response.status < 300:
                            return response
                        raise response.error()
                    except FlinkeyError as exc:
                        exc.retries_taken = retries
                        if self.closed:
                            raise _closed_during_call(method, url, retries) from exc
                        if isinstance(exc, APIError):
                            self.cooldown.extend(exc)
                            if shared is not None:
                                await self._share_cooldown(shared, exc, policy)
                        delay = policy.delay(exc, retries)
                        if delay is None or _loop_time() + delay >= deadline:
                            raise
                    await self._naps.sleep(delay)
                    if self.closed:
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
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        customer: str | None,
        body: bytes | None,
        attempt: int,
    ) -> RawResponse:
        overrides = self.transport.overrides
        token = self.tokens.fresh() or await self.tokens.get()
        headers = self._headers(token, customer, body is not None)
        response = await self._send(
            session, method, url, headers=headers, data=body, attempt=attempt, overrides=overrides
        )
        if response.status == 401 and isinstance(response.error(), InvalidTokenError):
            # The gateway refused the token before the API saw the request: renew it (unless
            # another call already did) and replay once, writes included.
            self.tokens.invalidate(token)
            if self.shared is not None:
                await self.shared.invalidate(token)
            token = await self.tokens.get()
            headers = self._headers(token, customer, body is not None)
            response = await self._send(
                session,
                method,
                url,
                headers=headers,
                data=body,
                attempt=attempt,
                overrides=overrides,
            )
        return response

    def _headers(self, token: Token, customer: str | None, has_body: bool) -> Mapping[str, str]:
        """Return the request headers for a token and customer, built once per pair."""
        cached_token, built = self._header_cache
        if cached_token is not token:
            built = {}
            self._header_cache = (token, built)
        key = (customer, has_body)
        headers = built.get(key)
        if headers is None:
            headers = {
                **self._static_headers,
                "Authorization": "Bearer " + token.value.reveal(),
            }
            if customer is not None:
                headers["Customer-ID"] = customer
            if has_body:
                headers["Content-Type"] = JSON_TYPE
            built[key] = headers
        return headers

    async def _join_cooldown(self, shared: Shared) -> None:
        """Adopt the cooldown another process of the fleet was asked to keep."""
        cause = await shared.shared_cooldown()
        if cause is not None:
            self.cooldown.extend(cause)

    async def _share_cooldown(self, shared: Shared, exc: APIError, policy: RetryPolicy) -> None:
        """Make the fleet keep a 429/503 cooldown (capped by max_retry_after)."""
        if exc.retry_after is not None and exc.status in COOLDOWN_STATUSES:
            await shared.publish_cooldown(exc, min(exc.retry_after, policy.max_retry_after))

    async def _fetch_shared(self) -> Token:
        """Take the token from the shared store, or renew it there (one process at a time)."""
        assert self.shared is not None
        return await self.shared.fetch_token(self._fetch_token)

    async def _fetch_token(self) -> Token:
        """Run the password grant (the TokenManager makes sure only one runs at a time)."""
        session = self.session()
        form = {
            "username": self._username,
            "password": self._password.reveal(),
            "grant_type": "password",
        }
        return await request_token(
            partial(self._send, session, overrides=self.transport.overrides),
            self.base_url / "oauth2" / "token",
            headers=self._static_headers,
            form=form,
            timeout=self.timeout,
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
