"""Call deadlines for the hot path: one ticker per client instead of one timer per call.

An ``asyncio.timeout`` per call costs a timer handle in the loop's heap, and cancelled handles
linger there until the heap is rebuilt; at thousands of calls a second that is a measurable
share of the SDK's overhead. Here every deadline is rounded up to a 10 ms slot, the slots sit
in a dict and a small heap, and one timer fires only when the earliest slot is due.
"""

from __future__ import annotations

import asyncio
import heapq
import math
from types import TracebackType
from typing import Final

RESOLUTION: Final = 0.01
COMPACT_AT: Final = 1024
"""Finished slots kept queued at most (beyond twice the live ones) before the heap is rebuilt."""


class Watchdog:
    """Cancel tasks whose deadline has passed; one per client (and so per event loop)."""

    def __init__(self) -> None:
        self._slots: dict[int, set[Deadline]] = {}
        self._due: list[int] = []  # a heap of slots, each pushed once while queued
        self._queued: set[int] = set()
        self._handle: asyncio.TimerHandle | None = None
        self._next = 0

    def deadline(self, when: float) -> Deadline:
        """Return a context manager raising TimeoutError in this task once `when` has passed."""
        return Deadline(self, when)

    def _add(self, deadline: Deadline) -> None:
        slot = deadline.slot
        members = self._slots.get(slot)
        if members is None:
            members = self._slots[slot] = set()
            if slot not in self._queued:
                self._queued.add(slot)
                heapq.heappush(self._due, slot)
            if self._handle is None or slot < self._next:
                self._schedule(asyncio.get_running_loop(), slot)
        members.add(deadline)

    def _remove(self, deadline: Deadline) -> None:
        members = self._slots.get(deadline.slot)
        if members is not None:
            members.discard(deadline)
            if not members:
                del self._slots[deadline.slot]
                if len(self._due) > COMPACT_AT + 2 * len(self._slots):
                    self._compact()

    def _compact(self) -> None:
        """Forget the queued slots whose calls all finished (long timeouts would pile them up)."""
        self._due = list(self._slots)
        heapq.heapify(self._due)
        self._queued = set(self._due)

    def _schedule(self, loop: asyncio.AbstractEventLoop, slot: int) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._next = slot
        self._handle = loop.call_at(slot * RESOLUTION, self._tick, loop)

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        self._handle = None
        now_slot = math.floor(loop.time() / RESOLUTION)
        while self._due and self._due[0] <= now_slot:
            slot = heapq.heappop(self._due)
            self._queued.discard(slot)
            for deadline in self._slots.pop(slot, ()):
                deadline.expire()
        # Slots whose calls all finished are dropped without waking up for them.
        while self._due and self._due[0] not in self._slots:
            self._queued.discard(heapq.heappop(self._due))
        if self._due:
            self._schedule(loop, self._due[0])

    def close(self) -> None:
        """Stop the ticker (the client is closing)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


class Deadline:
    """Like ``asyncio.timeout_at``: a cancellation from elsewhere still propagates as such."""

    __slots__ = ("_cancelling", "_task", "_watchdog", "expired", "slot")

    def __init__(self, watchdog: Watchdog, when: float) -> None:
        self._watchdog = watchdog
        self.slot = math.ceil(when / RESOLUTION)
        self.expired = False

    def __enter__(self) -> Deadline:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a deadline must be used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._watchdog._add(self)
        return self

    def expire(self) -> None:
        """Cancel the task (called by the watchdog when the deadline's slot is due)."""
        self.expired = True
        self._task.cancel()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._watchdog._remove(self)
        if self.expired and (
            self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from exc
