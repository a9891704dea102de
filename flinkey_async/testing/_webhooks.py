"""The fake's outgoing webhooks: flinkey POSTs assignment results to the customer's URL.

Configure a receiver with ``fake.webhooks.configure(url, secret=...)``. Deliveries run in the
background after the triggering request was answered (as flinkey's do); ``await
fake.webhooks.drain()`` waits for them. Each attempt is recorded, and a receiver that is down
or answers an error is a recorded failure, never an error of the fake server.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import aiohttp
import attrs

from ..webhooks import SECRET_HEADER, TARGET_ADDRESS_HEADER, AssignmentDeleted, to_wire

JSON = dict[str, Any]


def assignment_deleted(assignment: JSON, customer_id: int) -> JSON:
    """Return the body of an "assignment deleted" webhook for one deleted assignment row.

    Built with the SDK's own webhook model (reference §4.2; flinkey has not published the
    deleted payload, so the "created" fields are assumed). The checksum is an MD5 of the
    assignment as the fake knows it, in flinkey's upper-case hex form; flinkey's
    canonicalisation is undocumented, so it is opaque.
    """
    digest = hashlib.md5(json.dumps(assignment, sort_keys=True).encode(), usedforsecurity=False)
    event = AssignmentDeleted(
        checksum=digest.hexdigest().upper(),
        assignment_id=assignment["id"],
        car_id=assignment.get("carId"),
        user_id=assignment.get("userId"),
        start=_when(assignment.get("start")),
        end=_when(assignment.get("end")),
        customer_id=customer_id,
        operation_succeeded=True,
        lifetime=assignment.get("lifetime"),
        renewable_after=assignment.get("renewableAfter"),
    )
    return to_wire(event)


def _when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


@attrs.frozen
class Delivery:
    """One webhook POST: where it went, what was sent, and how it ended.

    ``status`` is the receiver's HTTP status (None if no answer came); ``error`` says why an
    attempt failed (a non-2xx status, a refused connection, a timeout), else None.
    """

    url: str
    headers: dict[str, str] = attrs.field(repr=lambda h: repr(_masked(h)))
    payload: JSON
    status: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the receiver answered with a 2xx status."""
        return self.error is None


def _masked(headers: dict[str, str]) -> dict[str, str]:
    return {k: "***" if k == SECRET_HEADER else v for k, v in headers.items()}


@attrs.define
class WebhookSender:
    """Sends the fake's webhooks to one configured URL (none: events are dropped, unrecorded).

    ``deliveries`` lists every attempt in order, ``failures`` the ones that did not get a 2xx.
    """

    url: str | None = None
    secret: str | None = attrs.field(default=None, repr=lambda s: "None" if s is None else "'***'")
    target_address: str | None = None
    timeout: float = 5.0
    deliveries: list[Delivery] = attrs.Factory(list)
    _pending: set[asyncio.Task[None]] = attrs.field(factory=set, init=False, repr=False)
    _loop: asyncio.AbstractEventLoop | None = attrs.field(default=None, init=False, repr=False)
    _session: aiohttp.ClientSession | None = attrs.field(default=None, init=False, repr=False)

    @property
    def failures(self) -> list[Delivery]:
        """The attempts that did not get a 2xx answer."""
        return [delivery for delivery in self.deliveries if not delivery.ok]

    def configure(
        self, url: str | None, *, secret: str | None = None, target_address: str | None = None
    ) -> None:
        """Send webhooks to ``url`` (None: stop sending) with ``secret`` in the Secret header.

        ``target_address`` is the Target-Webhook-Address header (default: the URL itself).
        """
        self.url, self.secret, self.target_address = url, secret, target_address

    def send(self, payloads: list[JSON], *, after: Awaitable[object] | None = None) -> None:
        """Deliver payloads in order, in the background, once ``after`` is done.

        Call it from the server's loop before answering (so ``drain()`` already sees it), with
        ``after`` done once the answer is out.
        """
        if self.url is None or not payloads:
            return
        self._loop = asyncio.get_running_loop()
        delivery = self._deliver(self.url, self._headers(self.url), payloads, after)
        task = self._loop.create_task(delivery)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def drain(self) -> None:
        """Wait until every webhook sent so far was delivered or failed (from any loop)."""
        loop = self._loop
        if loop is None:
            return
        if loop is asyncio.get_running_loop():
            await self._drain()
        else:  # the fake serves from another thread (run_in_thread)
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._drain(), loop))

    async def close(self) -> None:
        """Finish pending deliveries (for at most ``timeout`` s) and close the HTTP session.

        What is still pending then is cancelled and recorded as failed: a receiver in a loop
        that waits for this close (run_in_thread) could never answer.
        """
        if self._pending:
            _, late = await asyncio.wait(set(self._pending), timeout=self.timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _drain(self) -> None:
        while self._pending:
            await asyncio.gather(*self._pending)

    def _headers(self, url: str) -> dict[str, str]:
        headers = {TARGET_ADDRESS_HEADER: self.target_address or url}
        if self.secret is not None:
            headers[SECRET_HEADER] = self.secret
        return headers

    async def _deliver(
        self,
        url: str,
        headers: dict[str, str],
        payloads: list[JSON],
        after: Awaitable[object] | None,
    ) -> None:
        done = 0
        try:
            if after is not None:
                await after
            for payload in payloads:
                self.deliveries.append(await self._post(url, headers, payload))
                done += 1
        except asyncio.CancelledError:
            cancelled = "cancelled: the fake server closed before delivery"
            self.deliveries.extend(
                Delivery(url, headers, p, None, cancelled) for p in payloads[done:]
            )
            raise

    async def _post(self, url: str, headers: dict[str, str], payload: JSON) -> Delivery:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        status: int | None = None
        error: str | None = None
        try:
            async with self._session.post(url, json=payload, headers=headers) as response:
                status = response.status
                await response.read()
            if not 200 <= status < 300:
                error = f"the receiver answered HTTP {status}"
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return Delivery(url, headers, payload, status, error)
