"""The framework-free core of the ready receivers: verify, read, parse, hand over, answer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

from .._secret import Secret, as_secret
from ._codec import check_limit, decode
from ._errors import WebhookError
from ._events import WebhookKind, event_class
from ._parse import Headers, verify

log: Final = logging.getLogger("flinkey_async.webhooks")

ReadBody = Callable[[int], Awaitable[bytes]]
"""Read the whole body, or raise WebhookBodyTooLargeError as soon as it exceeds the limit."""

ALLOW_POST: Final = (("Allow", "POST"),)
TEXT_FAILED: Final = "the webhook handler failed"


class Receiver:
    """One configured receiver; the aiohttp and ASGI adapters only move bytes in and out."""

    __slots__ = ("_cls", "_limit", "_on_event", "_secret")

    def __init__(
        self,
        secret: str | Secret,
        on_event: Callable[[Any], Awaitable[object]],
        kind: WebhookKind | str | None,
        max_body_bytes: int,
    ) -> None:
        # Checked now, at start-up, rather than on the first webhook.
        self._secret = as_secret(secret, "secret")
        if not callable(on_event):
            raise TypeError(f"on_event must be an async callable, not {type(on_event).__name__}")
        self._on_event = on_event
        self._cls = event_class(kind)
        self._limit = check_limit(max_body_bytes)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._cls.__name__} secret={self._secret!r}>"

    async def answer(
        self, method: str, headers: Headers, read_body: ReadBody
    ) -> tuple[int, str, tuple[tuple[str, str], ...]]:
        """Return (status, text, extra headers) for one request; the body is read only if due.

        The secret is checked before the body is read, so an unauthenticated sender cannot
        make the receiver buffer anything. A failing ``on_event`` is logged and answered 500
        with a fixed text, so its details never reach the sender.
        """
        if method != "POST":
            return 405, "a flinkey webhook is a POST request", ALLOW_POST
        try:
            verify(headers, secret=self._secret)
            event = decode(await read_body(self._limit), self._cls, self._limit)
        except WebhookError as exc:
            log.warning("flinkey webhook refused with HTTP %d: %s", exc.http_status, exc.message)
            return exc.http_status, exc.message, ()
        try:
            await self._on_event(event)
        except Exception:
            log.exception(
                "flinkey webhook: on_event failed for %s with checksum %s",
                type(event).__name__,
                event.checksum,
            )
            return 500, TEXT_FAILED, ()
        return 204, "", ()
