"""The token store interface: what a client shares with every other process using the store."""

from __future__ import annotations

from typing import Final, Protocol, runtime_checkable

import attrs

from .._validate import check_non_negative, check_seconds

DEFAULT_TIMEOUT: Final = 0.5
DEFAULT_LOCK_LEASE: Final = 10.0
DEFAULT_LOCK_WAIT: Final = 15.0
DEFAULT_REFRESH_JITTER: Final = 30.0
DEFAULT_COOLDOWN_POLL: Final = 0.25
DEFAULT_RETRY_INTERVAL: Final = 5.0


def _seconds(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    check_seconds(value, attribute.name)


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    check_non_negative(value, attribute.name)


@attrs.frozen(kw_only=True)
class StoreOptions:
    """How clients use a shared store: its timeout, the lock's lease and wait, refresh jitter.

    ``timeout`` bounds each store operation (then the client works on its own until
    ``retry_interval`` has passed); ``lock_lease`` is how long a token request may hold the
    lock before another process may take over; ``lock_wait`` is how long a process without a
    token waits for the holder before requesting one itself; each process renews the shared
    token up to ``refresh_jitter`` seconds early (a random share, fixed per process, at most
    a quarter of the token's lifetime); ``cooldown_poll`` is how often a process reads the
    shared cooldown.
    """

    timeout: float = attrs.field(default=DEFAULT_TIMEOUT, validator=_seconds)
    lock_lease: float = attrs.field(default=DEFAULT_LOCK_LEASE, validator=_seconds)
    lock_wait: float = attrs.field(default=DEFAULT_LOCK_WAIT, validator=_seconds)
    refresh_jitter: float = attrs.field(default=DEFAULT_REFRESH_JITTER, validator=_non_negative)
    cooldown_poll: float = attrs.field(default=DEFAULT_COOLDOWN_POLL, validator=_non_negative)
    retry_interval: float = attrs.field(default=DEFAULT_RETRY_INTERVAL, validator=_seconds)


@runtime_checkable
class TokenStore(Protocol):
    """Where clients share a token, the lock on renewing it, and a cooldown.

    Keys are opaque ids made by the client (hashes, never a secret); token values are text the
    client seals before storing unless ``local`` says they never leave this process. Every
    operation must be atomic; the client bounds each with ``options.timeout`` and treats any
    exception as the store being unavailable.
    """

    @property
    def options(self) -> StoreOptions:
        """How clients use this store."""
        ...

    @property
    def local(self) -> bool:
        """Whether values stay in this process (then tokens are kept unsealed)."""
        ...

    async def get_token(self, key: str) -> tuple[str, float] | None:
        """Return the stored token value and the seconds until it expires, or None."""
        ...

    async def put_token(self, key: str, value: str, *, ttl: float) -> None:
        """Store a token value that expires after ttl seconds (replacing any other)."""
        ...

    async def drop_token(self, key: str, value: str) -> bool:
        """Delete the token only if it is still this value; return whether it was deleted."""
        ...

    async def lock(self, key: str, owner: str, *, lease: float) -> bool:
        """Take the lock for owner unless someone holds it; it lapses after lease seconds."""
        ...

    async def unlock(self, key: str, owner: str) -> None:
        """Release the lock if owner still holds it."""
        ...

    async def get_cooldown(self, key: str) -> tuple[float, int] | None:
        """Return the seconds left in the cooldown and the status that set it, or None."""
        ...

    async def extend_cooldown(self, key: str, seconds: float, *, status: int) -> None:
        """Make the cooldown last at least seconds from now (never shorten it)."""
        ...
