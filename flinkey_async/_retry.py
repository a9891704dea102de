"""When to retry, how long to wait, and the client-wide cooldown (pure, except Cooldown.wait)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Final

import attrs

from ._errors import (
    APIError,
    ClientClosedError,
    FlinkeyError,
    RateLimitError,
    ServerError,
    TransportError,
)
from ._validate import check_non_negative, check_retries

RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
COOLDOWN_STATUSES: Final = frozenset({429, 503})
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_MAX_RETRIES: Final = 3
DEFAULT_BACKOFF_INITIAL: Final = 0.5
DEFAULT_BACKOFF_MAX: Final = 8.0
DEFAULT_MAX_RETRY_AFTER: Final = 60.0


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    check_non_negative(value, attribute.name)


def _retries(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    check_retries(value)


@attrs.frozen
class RetryPolicy:
    """How a call is retried: attempt budget, full-jitter backoff and the Retry-After cap."""

    max_retries: int = attrs.field(default=DEFAULT_MAX_RETRIES, validator=_retries)
    backoff_initial: float = attrs.field(default=DEFAULT_BACKOFF_INITIAL, validator=_non_negative)
    backoff_max: float = attrs.field(default=DEFAULT_BACKOFF_MAX, validator=_non_negative)
    max_retry_after: float = attrs.field(default=DEFAULT_MAX_RETRY_AFTER, validator=_non_negative)

    def backoff(self, retries_taken: int) -> float:
        """Return a full-jitter delay: uniform(0, min(backoff_max, initial * 2**retries))."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2.0 ** min(retries_taken, 62))
        return random.uniform(0.0, ceiling)

    def delay(self, exc: BaseException, retries_taken: int) -> float | None:
        """Return the seconds to wait before retrying after exc, or None to give up now."""
        if retries_taken >= self.max_retries:
            return None
        verdict = is_retryable(exc, max_retry_after=self.max_retry_after)
        if verdict is False:
            return None
        if verdict is True:
            return self.backoff(retries_taken)
        return verdict


def is_retryable(
    exc: BaseException, *, max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
) -> bool | float:
    """Say whether a failed call may be retried; a float is the server's Retry-After in seconds.

    GET is retried on transport errors and on 429, 502, 503 and 504. A write (PUT, POST,
    DELETE) is never resent once it may have reached the server: only when the connection
    failed before anything was sent, or on a 429/503 with Retry-After (refused, not acted on).
    A Retry-After above max_retry_after means "do not retry". Usable as
    ``stamina.retry(on=flinkey_async.is_retryable)``.
    """
    if not isinstance(exc, FlinkeyError):
        return False
    idempotent = (exc.method or "").upper() in IDEMPOTENT_METHODS
    if isinstance(exc, TransportError):
        return idempotent or not exc.request_sent
    if not (isinstance(exc, RateLimitError | ServerError) and exc.status in RETRY_STATUSES):
        return False
    if exc.retry_after is None:
        return idempotent
    if not idempotent and exc.status not in COOLDOWN_STATUSES:
        return False
    return False if exc.retry_after > max_retry_after else float(exc.retry_after)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Return Retry-After (delta-seconds or an HTTP-date) as seconds from now, or None."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = when.timestamp() - (time.time() if now is None else now)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None  # not a date, or one (or an hour or offset) out of any range
    if seconds != seconds or seconds == float("inf"):  # NaN or infinity: not a usable hint
        return None
    return max(seconds, 0.0)


class Cooldown:
    """A client-wide "not before" time set by a 429/503 with Retry-After, at most ``cap`` long."""

    # A Retry-After above the cap (max_retry_after) fails the call that got it, pausing nobody.

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, cap: float = DEFAULT_MAX_RETRY_AFTER
    ) -> None:
        self._clock = clock
        self._cap = cap
        self._not_before = 0.0
        self._cause: APIError | None = None

    def extend(self, error: APIError) -> None:
        """Push the not-before time out to now + error.retry_after (never pull it in)."""
        wait = error.retry_after
        if wait is None or wait > self._cap or error.status not in COOLDOWN_STATUSES:
            return
        until = self._clock() + wait
        if until > self._not_before:
            self._not_before = until
            self._cause = error

    @property
    def active(self) -> bool:
        """Whether a cooldown was ever set (a cheap test before asking for the time)."""
        return self._not_before > 0.0

    def remaining(self) -> float:
        """Seconds until requests may be sent again (0 when there is no cooldown)."""
        return max(0.0, self._not_before - self._clock())

    async def wait(
        self,
        deadline: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        *,
        method: str,
        url: str,
        retries_taken: int = 0,
    ) -> None:
        """Sleep until the cooldown ends; raise at once if it ends after the call's deadline."""
        while (left := self.remaining()) > 0:
            if self._clock() + left > deadline and self._cause is not None:
                cause = self._cause
                raise type(cause)(
                    f"flinkey asked this client to wait {left:.1f} s (HTTP {cause.status} "
                    f"with Retry-After), beyond this call's deadline",
                    status=cause.status,
                    method=method,
                    url=url,
                    retry_after=left,
                    retries_taken=retries_taken,
                )
            await sleep(left)


class Naps:
    """Backoff and cooldown sleeps that closing the client cuts short."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()
        self.closed = False

    async def sleep(self, delay: float) -> None:
        """Sleep for delay seconds; raise ClientClosedError once wake_all() was called."""
        if self.closed:
            raise ClientClosedError("the FlinkeyClient was closed")
        if delay <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        handle = loop.call_later(delay, _wake, waiter)
        self._waiters.add(waiter)
        try:
            await waiter
        finally:
            handle.cancel()
            self._waiters.discard(waiter)
        if self.closed:
            raise ClientClosedError("the FlinkeyClient was closed")

    def wake_all(self) -> None:
        """End every sleep now, and every later one at once (the client is closing)."""
        self.closed = True
        for waiter in self._waiters:
            _wake(waiter)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
