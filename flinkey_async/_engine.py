"""The one I/O edge every call goes through: token, headers, retries, cooldown, one deadline."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, Final

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
from ._redirects import REDIRECT_STATUSES
from ._response import RawResponse
from ._retry import Cooldown, Naps, RetryPolicy
from ._secret import Sealed, Secret, seal
from ._transport import Body, Transport, exchange, follow_redirects, send

if TYPE_CHECKING:
    import aiohttp

    from ._shared import Shared

JSON_TYPE: Final = "application/json"
Headers = dict[str, str]
# Tokens kept (as Secrets) after renewal, so a server echoing an old one is still redacted.
RECENT_TOKENS: Final = 4


class Engine:
    """Sends requests for a client and its views; ``shared``: token and cooldown in a store."""

    cooldown_type: type[Cooldown] = Cooldown

    def __init__(
        self,
        *,
        base_url: URL,
        username: str,
        password: Secret,
        transport: Transport,
        static_headers: Mapping[str, str | Secret],
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
        # The Secrets stay referenced (so errors are redacted of them); the wire copy is sealed.
        self._secrets = tuple(v for v in static_headers.values() if isinstance(v, Secret))
        self._static = seal(static_headers)
        self._recent: deque[Secret] = deque(maxlen=RECENT_TOKENS)
        self.shared = shared
        self.tokens = TokenManager(self._fetch_token if shared is None else self._fetch_shared)
        self.cooldown = self.cooldown_type(_loop_time, cap=retry.max_retry_after)
        self._naps = Naps()
        self._watchdog = Watchdog()
        self._calls: set[asyncio.Task[Any]] = set()  # the tasks inside call() now
        self._closing: set[asyncio.Task[Any]] = set()  # the ones aclose() cancelled
        self._max_body_bytes = max_body_bytes
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
        # Cancelled here, each call ends with ClientClosedError at once: sending, waiting for a
        # pooled connection (even on a borrowed session), sleeping or waiting for a token.
        current = asyncio.current_task()
        for task in self._calls:
            if task is not current:
                self._closing.add(task)
                task.cancel()
        self._watchdog.close()
        await self.transport.close()

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
        """Send with retries, all within one deadline of `seconds`; return the 2xx response."""
        session = self.session()
        shared = self.shared
        loop = asyncio.get_running_loop()
        task = _current_task(loop)
        cancelling = task.cancelling()
        self._calls.add(task)
        deadline = loop.time() + seconds
        retries = 0
        timer = self._watchdog.deadline(deadline, task)
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
                                await self._share_cooldown(shared, exc)
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
        except asyncio.CancelledError:
            if not self._ended_by_close(task, cancelling):
                raise
            raise _closed_during_call(method, url, retries) from None
        finally:
            self._calls.discard(task)
            if self.closed and task in self._closing:  # aclose()'s cancel was turned into
                self._closing.discard(task)  # another error on the way: take it back
                task.uncancel()

    def _ended_by_close(self, task: asyncio.Task[Any], cancelling: int) -> bool:
        """Whether a CancelledError in task came from aclose(), not from the caller."""
        if not self.closed:
            return False
        if task in self._closing:
            self._closing.discard(task)
            return task.uncancel() <= cancelling
        # Not the task but a future it awaited was cancelled: aiohttp's pool, closing.
        return task.cancelling() <= cancelling

    async def _authorized(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        customer: str | None,
        body: Body,
        attempt: int,
    ) -> RawResponse:
        """One attempt: token, headers, the exchange (and its redirects), one replay on a 401."""
        token = self.tokens.fresh() or await self.tokens.get()
        headers = self._headers(token, customer, body is not None)
        overrides = self.transport.overrides
        # transport.send() written out: one coroutine less on the path of every call.
        response = await exchange(
            session, method, url, headers, body, attempt, self._max_body_bytes, overrides
        )
        if response.status in REDIRECT_STATUSES:
            response = await follow_redirects(
                response,
                session,
                headers,
                body,
                attempt,
                self.base_url,
                self._max_body_bytes,
                overrides,
            )
        if response.status == 401 and isinstance(response.error(), InvalidTokenError):
            # The gateway refused the token before the API saw the request: renew it (unless
            # another call already did) and replay once, writes included.
            self.tokens.invalidate(token)
            if self.shared is not None:
                await self.shared.invalidate(token)
            token = await self.tokens.get()
            response = await self._send(
                session,
                method,
                url,
                headers=self._headers(token, customer, body is not None),
                data=body,
                attempt=attempt,
                overrides=overrides,
            )
        return response

    def _headers(self, token: Token, customer: str | None, has_body: bool) -> Sealed[Headers]:
        """Return the request headers for a token and customer (built per call, sealed)."""
        plain = {**self._static.reveal(), "Authorization": "Bearer " + token.value.reveal()}
        if customer is not None:
            plain["Customer-ID"] = customer
        if has_body:
            plain["Content-Type"] = JSON_TYPE
        return Sealed(plain)

    async def _join_cooldown(self, shared: Shared) -> None:
        """Adopt the cooldown another process of the fleet was asked to keep."""
        cause = await shared.shared_cooldown()
        if cause is not None:
            self.cooldown.extend(cause)

    async def _share_cooldown(self, shared: Shared, exc: APIError) -> None:
        """Make the fleet keep a 429/503 cooldown this client keeps (within max_retry_after)."""
        wait = exc.retry_after
        if wait is not None and wait <= self.retry.max_retry_after:
            await shared.publish_cooldown(exc, wait)  # only a 429/503 is shared

    async def _fetch_shared(self) -> Token:
        """Take the token from the shared store, or renew it there (one process at a time)."""
        assert self.shared is not None
        token = await self.shared.fetch_token(self._fetch_token)
        if token.value not in self._recent:  # kept, so an echo of it is still redacted
            self._recent.append(token.value)
        return token

    async def _fetch_token(self) -> Token:
        """Run the password grant (the TokenManager makes sure only one runs at a time)."""
        session = self.session()
        token = await request_token(
            partial(self._send, session, overrides=self.transport.overrides),
            self.base_url / "oauth2" / "token",
            headers=self._static,
            form=seal(
                {"username": self._username, "password": self._password, "grant_type": "password"}
            ),
            timeout=self.timeout,
        )
        self._recent.append(token.value)
        return token


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


def _current_task(loop: asyncio.AbstractEventLoop) -> asyncio.Task[Any]:
    task = asyncio.current_task(loop)
    if task is None:
        raise RuntimeError("a FlinkeyClient call must run inside an asyncio task")
    return task


def _closed_during_call(method: str, url: URL, retries: int) -> ClientClosedError:
    return ClientClosedError(
        "the FlinkeyClient was closed while this call was in flight",
        method=method,
        url=str(url),
        retries_taken=retries,
    )
