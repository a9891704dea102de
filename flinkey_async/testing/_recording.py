"""What the fake remembers of the requests it received: a bounded log of recent ones."""

from __future__ import annotations

import collections
import time
from collections.abc import Iterable
from typing import Final

import attrs
from multidict import CIMultiDictProxy

DEFAULT_MAX_REQUESTS: Final = 10_000
"""How many recent requests FakeFlinkey.requests keeps by default (older ones are dropped)."""


@attrs.frozen
class RecordedRequest:
    """One request as it arrived: method, raw path with query string, headers, body, time."""

    method: str
    raw_path: str
    headers: CIMultiDictProxy[str]
    body: bytes
    received: float = attrs.field(factory=time.monotonic, eq=False)

    @property
    def path(self) -> str:
        """The raw path without the query string."""
        return self.raw_path.split("?", 1)[0]

    @property
    def raw_query_string(self) -> str:
        """The query string exactly as sent (still percent-encoded)."""
        return self.raw_path.partition("?")[2]


class RequestLog(collections.deque[RecordedRequest]):
    """The most recent requests, oldest first: a ring buffer of ``maxlen`` entries.

    It reads like a list (``log[-1]``, ``len(log)``, ``log == []``); ``total`` counts every
    request ever recorded, including those the buffer has dropped.
    """

    def __init__(
        self, items: Iterable[RecordedRequest] = (), maxlen: int = DEFAULT_MAX_REQUESTS
    ) -> None:
        if type(maxlen) is not int or maxlen < 1:
            raise ValueError(f"max_requests must be a positive int, got {maxlen!r}")
        super().__init__(items, maxlen)
        self.total = len(self)

    def append(self, request: RecordedRequest) -> None:
        """Record a request, dropping the oldest when full."""
        self.total += 1
        super().append(request)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return super().__eq__(other)

    def __repr__(self) -> str:
        return f"RequestLog({len(self)} of max {self.maxlen}, total {self.total})"
