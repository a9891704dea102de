"""MemoryTokenStore: the token and cooldown shared by the clients of one process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ._base import (
    DEFAULT_COOLDOWN_POLL,
    DEFAULT_LOCK_LEASE,
    DEFAULT_LOCK_WAIT,
    DEFAULT_REFRESH_JITTER,
    DEFAULT_RETRY_INTERVAL,
    DEFAULT_TIMEOUT,
    StoreOptions,
)


class MemoryTokenStore:
    """A store in this process's memory: clients given the same instance share one token.

    A client without ``token_store=`` keeps its own token and cooldown, as if it had a
    MemoryTokenStore of its own. Safe to share between threads and event loops.
    """

    local = True

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        lock_lease: float = DEFAULT_LOCK_LEASE,
        lock_wait: float = DEFAULT_LOCK_WAIT,
        refresh_jitter: float = DEFAULT_REFRESH_JITTER,
        cooldown_poll: float = DEFAULT_COOLDOWN_POLL,
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = StoreOptions(
            timeout=timeout,
            lock_lease=lock_lease,
            lock_wait=lock_wait,
            refresh_jitter=refresh_jitter,
            cooldown_poll=cooldown_poll,
            retry_interval=retry_interval,
        )
        self._clock = clock
        self._lock = threading.Lock()
        self._values: dict[tuple[str, str], tuple[str, float]] = {}

    def __repr__(self) -> str:
        return f"MemoryTokenStore({len(self._values)} key(s))"

    def _get(self, key: tuple[str, str]) -> tuple[str, float] | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        left = entry[1] - self._clock()
        if left <= 0:
            del self._values[key]
            return None
        return entry[0], left

    def _set(self, key: tuple[str, str], value: str, ttl: float) -> None:
        self._values[key] = (value, self._clock() + ttl)

    async def get_token(self, key: str) -> tuple[str, float] | None:
        """Return the stored token value and the seconds until it expires, or None."""
        with self._lock:
            return self._get(("token", key))

    async def put_token(self, key: str, value: str, *, ttl: float) -> None:
        """Store a token value that expires after ttl seconds (replacing any other)."""
        with self._lock:
            self._set(("token", key), value, ttl)

    async def drop_token(self, key: str, value: str) -> bool:
        """Delete the token only if it is still this value; return whether it was deleted."""
        with self._lock:
            return self._drop(("token", key), value)

    def _drop(self, key: tuple[str, str], value: str) -> bool:
        found = self._get(key)
        if found is None or found[0] != value:
            return False
        del self._values[key]
        return True

    async def lock(self, key: str, owner: str, *, lease: float) -> bool:
        """Take the lock for owner unless someone holds it; it lapses after lease seconds."""
        with self._lock:
            if self._get(("lock", key)) is not None:
                return False
            self._set(("lock", key), owner, lease)
            return True

    async def unlock(self, key: str, owner: str) -> None:
        """Release the lock if owner still holds it."""
        with self._lock:
            self._drop(("lock", key), owner)

    async def get_cooldown(self, key: str) -> tuple[float, int] | None:
        """Return the seconds left in the cooldown and the status that set it, or None."""
        with self._lock:
            found = self._get(("cooldown", key))
        return None if found is None else (found[1], int(found[0]))

    async def extend_cooldown(self, key: str, seconds: float, *, status: int) -> None:
        """Make the cooldown last at least seconds from now (never shorten it)."""
        with self._lock:
            found = self._get(("cooldown", key))
            if found is None or found[1] < seconds:
                self._set(("cooldown", key), str(status), seconds)
