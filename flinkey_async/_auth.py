"""Bearer tokens: fetched once, shared by concurrent calls, renewed before they expire."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs

from ._errors import (
    ClientClosedError,
    FlinkeyTimeoutError,
    InvalidAPIKeyError,
    ResponseDecodeError,
    TokenRequestError,
    UnsupportedMediaTypeError,
)
from ._secret import Secret

if TYPE_CHECKING:
    from yarl import URL

    from ._response import RawResponse

MAX_REFRESH_MARGIN: Final = 60.0


@attrs.frozen(repr=False, eq=False)
class Token:
    """One bearer token and the monotonic times at which to renew it and when it dies."""

    value: Secret
    refresh_at: float
    expires_at: float

    @classmethod
    def from_response(cls, data: Any, *, now: float, **context: Any) -> Token:
        """Build a token from the token endpoint's JSON (expires_in arrives as a string)."""
        if not isinstance(data, dict):
            raise ResponseDecodeError("the token response is not a JSON object", **context)
        access = data.get("access_token")
        if not isinstance(access, str) or not access:
            raise ResponseDecodeError(
                "the token response has no access_token", json_path="$.access_token", **context
            )
        try:
            lifetime = float(int(str(data.get("expires_in", "3600")).strip()))
        except ValueError:
            raise ResponseDecodeError(
                "the token response's expires_in is not a number of seconds",
                json_path="$.expires_in",
                **context,
            ) from None
        lifetime = max(lifetime, 0.0)
        margin = min(MAX_REFRESH_MARGIN, lifetime / 2)
        return cls(Secret(access), refresh_at=now + lifetime - margin, expires_at=now + lifetime)

    def __repr__(self) -> str:
        return f"Token(value={self.value!r}, expires_at={self.expires_at:.1f})"


class TokenManager:
    """Hand out a valid token; at most one token request runs at a time."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[Token]],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._token: Token | None = None
        self._inflight: asyncio.Future[Token] | None = None

    @property
    def current(self) -> Token | None:
        """The cached token, if any (possibly due for renewal)."""
        return self._token

    def fresh(self) -> Token | None:
        """Return the cached token if it is not yet due for renewal (no await needed)."""
        token = self._token
        if token is not None and self._clock() < token.refresh_at:
            return token
        return None

    async def get(self) -> Token:
        """Return the cached token, or join (or start) the single request for a new one."""
        token = self._token
        if token is not None and self._clock() < token.refresh_at:
            return token
        inflight = self._inflight
        if inflight is None:
            inflight = self._inflight = asyncio.ensure_future(self._refresh())
            # A failure nobody awaits (every caller was cancelled) is still retrieved.
            inflight.add_done_callback(_consume_exception)
        # Shielded: one caller's cancellation must not cancel the others' shared request.
        try:
            return await asyncio.shield(inflight)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if inflight.cancelled() and (task is None or task.cancelling() == 0):
                # Not this caller's cancellation: cancel() ended the shared request.
                raise ClientClosedError(
                    "the FlinkeyClient was closed while this call waited for a token"
                ) from None
            raise

    def invalidate(self, failed: Token) -> None:
        """Forget the token only if it is still the one that was refused (compare-and-drop)."""
        if self._token is failed:
            self._token = None

    def cancel(self) -> None:
        """Cancel the token request in flight (on close; its waiters get ClientClosedError)."""
        if self._inflight is not None:
            self._inflight.cancel()
            self._inflight = None

    async def _refresh(self) -> Token:
        try:
            token = await self._fetch()
            self._token = token
            return token
        finally:
            self._inflight = None


def _consume_exception(future: asyncio.Future[Token]) -> None:
    if not future.cancelled():
        future.exception()


class _Send(Protocol):
    async def __call__(
        self, method: str, url: URL, *, headers: Mapping[str, str], data: Mapping[str, str]
    ) -> RawResponse: ...


async def request_token(
    send: _Send,
    url: URL,
    *,
    headers: Mapping[str, str],
    form: Mapping[str, str],
    timeout: float,
) -> Token:
    """POST the password grant and return the token, or raise why it was refused."""
    started = time.monotonic()
    timer = asyncio.timeout(timeout)
    try:
        async with timer:
            response = await send("POST", url, headers=headers, data=form)
    except TimeoutError:
        if not timer.expired():
            raise
        raise FlinkeyTimeoutError(
            f"the token request got no answer within {timeout:g} s", method="POST", url=str(url)
        ) from None
    if not 200 <= response.status < 300:
        error = response.error()
        if isinstance(error, InvalidAPIKeyError | UnsupportedMediaTypeError) or (
            response.status >= 500
        ):
            raise error
        raise TokenRequestError(
            f"the token request was refused: {error.message}",
            **{k: getattr(error, k) for k in ("status", "body_excerpt", "method", "url")},
        )
    return Token.from_response(response.json(), now=started, **response.context())
