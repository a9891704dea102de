"""RedisTokenStore: one token, one renewal lock and one cooldown for every process of a fleet."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from .._validate import check_text
from ._base import (
    DEFAULT_COOLDOWN_POLL,
    DEFAULT_LOCK_LEASE,
    DEFAULT_LOCK_WAIT,
    DEFAULT_REFRESH_JITTER,
    DEFAULT_RETRY_INTERVAL,
    DEFAULT_TIMEOUT,
    StoreOptions,
)

if TYPE_CHECKING:
    from redis.asyncio import Redis, RedisCluster

# Each script reads or writes one key, so they run unchanged on Redis Cluster.
_GET_WITH_TTL: Final = """
local value = redis.call('GET', KEYS[1])
if not value then return false end
return {value, redis.call('PTTL', KEYS[1])}
"""
_DELETE_IF: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_EXTEND: Final = """
if redis.call('PTTL', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
return 1
"""
_NAMESPACE: Final = re.compile(r"[A-Za-z0-9_.:-]+")


class RedisTokenStore:
    """A store in Redis, shared by every process (and machine) whose clients are given one.

    ``redis`` is a ``redis.asyncio.Redis`` (or ``RedisCluster``) you own and close; keys are
    ``{namespace}:{<hash>}:token``, ``...:lock`` and ``...:cooldown``, where the hash is made
    from the base URL, the API key and the username (never the secrets themselves). Times
    are Redis key lifetimes, so the machines' clocks need not agree.
    """

    local = False

    def __init__(
        self,
        redis: Redis | RedisCluster,
        *,
        namespace: str = "flinkey",
        timeout: float = DEFAULT_TIMEOUT,
        lock_lease: float = DEFAULT_LOCK_LEASE,
        lock_wait: float = DEFAULT_LOCK_WAIT,
        refresh_jitter: float = DEFAULT_REFRESH_JITTER,
        cooldown_poll: float = DEFAULT_COOLDOWN_POLL,
        retry_interval: float = DEFAULT_RETRY_INTERVAL,
    ) -> None:
        from redis.asyncio import Redis, RedisCluster

        if not isinstance(redis, Redis | RedisCluster):
            raise TypeError(
                "RedisTokenStore needs a redis.asyncio.Redis (or RedisCluster), "
                f"not {type(redis).__name__}"
            )
        if not _NAMESPACE.fullmatch(check_text(namespace, "namespace")):
            raise ValueError("namespace may hold only letters, digits and _ . : -")
        self.options = StoreOptions(
            timeout=timeout,
            lock_lease=lock_lease,
            lock_wait=lock_wait,
            refresh_jitter=refresh_jitter,
            cooldown_poll=cooldown_poll,
            retry_interval=retry_interval,
        )
        self.redis = redis
        self.namespace = namespace
        self._get = redis.register_script(_GET_WITH_TTL)
        self._delete_if = redis.register_script(_DELETE_IF)
        self._extend = redis.register_script(_EXTEND)

    def __repr__(self) -> str:
        return f"RedisTokenStore(namespace={self.namespace!r})"

    def key(self, key: str, kind: str) -> str:
        """Return the Redis key of one of a credential's entries (hash-tagged: one slot)."""
        return f"{self.namespace}:{{{key}}}:{kind}"

    async def get_token(self, key: str) -> tuple[str, float] | None:
        """Return the stored token value and the seconds until it expires, or None."""
        return await self._read(self.key(key, "token"))

    async def put_token(self, key: str, value: str, *, ttl: float) -> None:
        """Store a token value that expires after ttl seconds (replacing any other)."""
        await self.redis.set(self.key(key, "token"), value, px=_ms(ttl))

    async def drop_token(self, key: str, value: str) -> bool:
        """Delete the token only if it is still this value; return whether it was deleted."""
        return bool(await self._delete_if(keys=[self.key(key, "token")], args=[value]))

    async def lock(self, key: str, owner: str, *, lease: float) -> bool:
        """Take the lock for owner unless someone holds it; it lapses after lease seconds."""
        return bool(await self.redis.set(self.key(key, "lock"), owner, nx=True, px=_ms(lease)))

    async def unlock(self, key: str, owner: str) -> None:
        """Release the lock if owner still holds it."""
        await self._delete_if(keys=[self.key(key, "lock")], args=[owner])

    async def get_cooldown(self, key: str) -> tuple[float, int] | None:
        """Return the seconds left in the cooldown and the status that set it, or None."""
        found = await self._read(self.key(key, "cooldown"))
        return None if found is None else (found[1], int(found[0]))

    async def extend_cooldown(self, key: str, seconds: float, *, status: int) -> None:
        """Make the cooldown last at least seconds from now (never shorten it)."""
        await self._extend(keys=[self.key(key, "cooldown")], args=[_ms(seconds), str(status)])

    async def _read(self, name: str) -> tuple[str, float] | None:
        found: Any = await self._get(keys=[name])
        if not found:
            return None
        value, ttl = found
        if ttl < 0:  # no expiry: not written by a client (they always set one)
            return None
        return (value.decode("ascii") if isinstance(value, bytes) else str(value)), ttl / 1000


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
