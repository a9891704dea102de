"""One client's use of a shared token store: the token, its renewal lock, the cooldown, outages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ._auth import Token
from ._errors import APIError, RateLimitError, ServerError
from ._retry import COOLDOWN_STATUSES
from ._seal import AesGcm, Codec, Plain, key_id
from ._secret import Secret

if TYPE_CHECKING:
    from yarl import URL

    from .stores import TokenStore

T = TypeVar("T")
Grant = Callable[[], Awaitable[Token]]

POLL: Final = 0.05
log = logging.getLogger("flinkey_async")


class StoreUnavailable(Exception):
    """The store failed or timed out (or is still resting after an outage)."""


class Shared:
    """A client's token and cooldown kept in a store, falling back to its own during outages.

    The token id hashes the base URL, the API key and the username; the cooldown id only the
    base URL and the API key (flinkey throttles per API key). Each process renews the shared
    token at its own random point of the jitter window, so a fleet does not renew at once.
    """

    def __init__(
        self,
        store: TokenStore,
        *,
        base_url: str,
        api_key: Secret,
        username: str,
        password: Secret,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.options = store.options
        self.token_key = key_id(api_key, "token", base_url, username)
        self.cooldown_key = key_id(api_key, "cooldown", base_url)
        self._codec: Codec = Plain() if store.local else AesGcm(api_key, password, self.token_key)
        self._clock = clock
        self._share = random.random()  # this process's point in the refresh jitter window
        self._issued: tuple[Token, str] | None = None
        self._retry_at = 0.0
        self._down = False
        self._next_poll = 0.0

    @property
    def available(self) -> bool:
        """Whether the store is in use (not resting after a failure)."""
        return not self._down

    # -- token ---------------------------------------------------------------------------------

    async def fetch_token(self, grant: Grant) -> Token:
        """Return the shared token, or renew it (one process at a time) with grant()."""
        try:
            return await self._shared_token(grant)
        except StoreUnavailable:
            return await grant()

    async def invalidate(self, token: Token) -> None:
        """Delete the shared token only if it is still the one that was refused."""
        issued = self._issued
        if issued is None or issued[0] is not token:
            return
        self._issued = None
        with contextlib.suppress(StoreUnavailable):
            await self._op(self.store.drop_token(self.token_key, issued[1]))

    async def _shared_token(self, grant: Grant) -> Token:
        give_up: float | None = None
        options = self.options
        while True:
            found = await self._read()
            now = self._clock()
            if found is not None and now < found[0].refresh_at:
                return self._hand_out(*found)
            owner = secrets.token_hex(8)
            if await self._op(self.store.lock(self.token_key, owner, lease=options.lock_lease)):
                try:
                    found = await self._read()
                    if found is not None and self._clock() < found[0].refresh_at:
                        return self._hand_out(*found)
                    return await self._publish(await grant())
                finally:
                    await self._quietly(self.store.unlock(self.token_key, owner))
            if found is not None and now < found[0].expires_at - options.cooldown_poll - POLL:
                # Someone is renewing a token that still works: use it, look again soon.
                token, value = found
                return self._hand_out(Token(token.value, now + POLL, token.expires_at), value)
            give_up = now + options.lock_wait if give_up is None else give_up
            if now >= give_up:
                log.warning(
                    "flinkey_async: no token in the store after waiting %.1f s for the "
                    "process renewing it; requesting one",
                    options.lock_wait,
                )
                return await self._publish(await grant())
            await asyncio.sleep(POLL * (0.5 + random.random()))

    async def _read(self) -> tuple[Token, str] | None:
        """Return the stored token (due at this process's point) and its stored value."""
        found = await self._op(self.store.get_token(self.token_key))
        if found is None:
            return None
        value, ttl = found
        plain = self._codec.open(value)
        if plain is None:
            return None  # sealed under other credentials (a changed password): renew
        margin_text, _, token_text = plain.partition("\n")
        try:
            margin, token = float(margin_text), Secret(token_text)
        except (TypeError, ValueError):
            return None
        expires_at = self._clock() + ttl
        return Token(token, self._due(expires_at, margin), expires_at), value

    def _due(self, expires_at: float, margin: float) -> float:
        jitter = min(self.options.refresh_jitter, margin / 2)
        return expires_at - margin - self._share * jitter

    def _hand_out(self, token: Token, value: str) -> Token:
        self._issued = (token, value)
        return token

    async def _publish(self, token: Token) -> Token:
        """Store a token this process requested, and return it due at this process's point."""
        margin = max(0.0, token.expires_at - token.refresh_at)
        value = self._codec.seal(f"{margin:.3f}\n{token.value.reveal()}")
        ttl = token.expires_at - self._clock()
        mine = Token(token.value, self._due(token.expires_at, margin), token.expires_at)
        if ttl > 0:
            await self._quietly(self.store.put_token(self.token_key, value, ttl=ttl))
        return self._hand_out(mine, value)

    # -- cooldown ------------------------------------------------------------------------------

    def cooldown_due(self) -> bool:
        """Whether it is time to read the shared cooldown again (no I/O)."""
        return self._clock() >= self._next_poll

    async def shared_cooldown(self) -> APIError | None:
        """Return the fleet's cooldown as an error whose retry_after is the time left, if any."""
        self._next_poll = self._clock() + self.options.cooldown_poll
        try:
            found = await self._op(self.store.get_cooldown(self.cooldown_key))
        except StoreUnavailable:
            return None
        if found is None:
            return None
        seconds, status = found
        cls = RateLimitError if status == 429 else ServerError
        return cls(
            "another client sharing this API key was asked to wait",
            status=status,
            retry_after=seconds,
        )

    async def publish_cooldown(self, error: APIError, seconds: float) -> None:
        """Make the whole fleet wait seconds (a 429/503 with Retry-After seen here)."""
        if error.status not in COOLDOWN_STATUSES or seconds <= 0:
            return
        await self._quietly(
            self.store.extend_cooldown(self.cooldown_key, seconds, status=error.status)
        )

    # -- outages -------------------------------------------------------------------------------

    async def _op(self, operation: Awaitable[T]) -> T:
        """Run one store operation within the store timeout; note outages and recoveries."""
        if self._clock() < self._retry_at:
            _close(operation)
            raise StoreUnavailable
        try:
            async with asyncio.timeout(self.options.timeout):
                result = await operation
        except Exception as exc:
            self._retry_at = self._clock() + self.options.retry_interval
            if not self._down:
                self._down = True
                log.warning(
                    "flinkey_async: the token store %r failed (%s: %s); this client uses its "
                    "own token and cooldown until the store answers again (retried every "
                    "%g s)",
                    self.store,
                    type(exc).__name__,
                    exc,
                    self.options.retry_interval,
                )
            raise StoreUnavailable from exc
        if self._down:
            self._down = False
            log.info("flinkey_async: the token store %r answers again", self.store)
        return result

    async def _quietly(self, operation: Awaitable[Any]) -> None:
        with contextlib.suppress(StoreUnavailable):
            await self._op(operation)


def _close(operation: Awaitable[Any]) -> None:
    close = getattr(operation, "close", None)
    if close is not None:
        close()  # a coroutine never awaited: close it without a warning


def shared_for(
    store: TokenStore | None, base_url: URL, api_key: Secret, username: str, password: Secret
) -> Shared | None:
    """Return a client's use of a token store, if it has one (checked before any I/O)."""
    from .stores import TokenStore

    if store is None:
        return None
    if not isinstance(store, TokenStore):
        raise TypeError(
            "token_store must be a flinkey_async.stores.TokenStore "
            f"(MemoryTokenStore, RedisTokenStore), not {type(store).__name__}"
        )
    return Shared(
        store, base_url=str(base_url), api_key=api_key, username=username, password=password
    )
