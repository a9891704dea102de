"""Bearer tokens: fetched once, shared by concurrent calls, renewed before they expire."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs

from ._errors import (
    ClientClosedError,
    ConfigurationError,
    FlinkeyTimeoutError,
    InvalidAPIKeyError,
    NotFoundError,
    RateLimitError,
    ResponseDecodeError,
    TokenRequestError,
    UnsupportedMediaTypeError,
)
from ._secret import Secret

if TYPE_CHECKING:
    from yarl import URL

    from ._response import RawResponse
    from ._secret import Sealed

MAX_REFRESH_MARGIN: Final = 60.0
# expires_in below this (0, negative, a few seconds) is read as this many seconds, so a broken
# answer cannot make every call fetch a token; a token refused earlier is renewed on its 401.
MIN_TOKEN_LIFETIME: Final = 60.0
# Above this (ten years), expires_in is not a lifetime but garbage: the token is refused.
MAX_TOKEN_LIFETIME: Final = 10 * 365 * 86400
_LIFETIME: Final = re.compile(r"[+-]?[0-9]{1,12}")
# A bearer token is visible ASCII (RFC 6750's b64token and JWTs are): no space, CR/LF, NUL.
_TOKEN_TEXT: Final = re.compile(r"[\x21-\x7e]+")


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
        # Taken out of the dict at once: no traceback frame below shows it in clear.
        value = _token_value(data.pop("access_token", None))
        if value is None:
            raise ResponseDecodeError(
                "the token response has no usable access_token (a non-empty string of visible"
                " ASCII characters)",
                json_path="$.access_token",
                **context,
            )
        raw = str(data.get("expires_in", "3600")).strip()
        lifetime = float(raw) if _LIFETIME.fullmatch(raw) else None
        if lifetime is None or lifetime > MAX_TOKEN_LIFETIME:
            raise ResponseDecodeError(
                "the token response's expires_in is not a number of seconds (up to ten years)",
                json_path="$.expires_in",
                **context,
            )
        lifetime = max(lifetime, MIN_TOKEN_LIFETIME)
        margin = min(MAX_REFRESH_MARGIN, lifetime / 2)
        return cls(value, refresh_at=now + lifetime - margin, expires_at=now + lifetime)

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


def _token_value(access: object) -> Secret | None:
    """Return the token as a Secret, or None if it cannot be sent in a header."""
    if isinstance(access, str) and _TOKEN_TEXT.fullmatch(access):
        return Secret(access)
    return None


def _consume_exception(future: asyncio.Future[Token]) -> None:
    if not future.cancelled():
        future.exception()


Form = dict[str, str]


class _Send(Protocol):
    async def __call__(
        self, method: str, url: URL, *, headers: Sealed[dict[str, str]], data: Sealed[Form]
    ) -> RawResponse: ...


async def request_token(
    send: _Send,
    url: URL,
    *,
    headers: Sealed[dict[str, str]],
    form: Sealed[Form],
    timeout: float,
) -> Token:
    """POST the password grant and return the token, or raise why it was refused."""
    # A 429 is a RateLimitError (retried and honoured like any), a 5xx a ServerError, a 404 a
    # ConfigurationError (base_url does not lead to the API); other refusals TokenRequestError.
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
        if type(error) is NotFoundError:
            raise ConfigurationError(
                f"no token endpoint at {url}; check base_url (the API root, ending in /v3)",
                status=error.status,
                body_excerpt=error.body_excerpt,
                method="POST",
                url=url,
            )
        if isinstance(error, InvalidAPIKeyError | UnsupportedMediaTypeError | RateLimitError) or (
            response.status >= 500
        ):
            raise error
        raise TokenRequestError(
            f"the token request was refused: {error.message}",
            **{k: getattr(error, k) for k in ("status", "body_excerpt", "method", "url")},
        )
    return Token.from_response(response.json(), now=started, **response.context())
