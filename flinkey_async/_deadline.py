"""A lean deadline for the hot path: asyncio.timeout_at semantics at a third of the cost."""

from __future__ import annotations

import asyncio
from types import TracebackType


class Deadline:
    """Cancel the current task at a loop time and turn that cancellation into TimeoutError.

    Like ``asyncio.timeout_at`` (a cancellation from elsewhere still propagates), but one
    timer handle and no state machine: the SDK enters one per call, so the cost counts.
    """

    __slots__ = ("_cancelling", "_handle", "_task", "_when", "expired")

    def __init__(self, when: float) -> None:
        self._when = when
        self.expired = False

    def __enter__(self) -> Deadline:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Deadline must be used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._handle = asyncio.get_running_loop().call_at(self._when, self._expire)
        return self

    def _expire(self) -> None:
        self.expired = True
        self._task.cancel()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._handle.cancel()
        if self.expired and (
            self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from exc
