"""The only aiohttp user of the client: the session, one attempt on the wire, redirects, bodies.

It owns (or borrows) the session, binds it to one event loop, sends one attempt, follows
same-origin redirects, reads a capped body and logs one line per attempt.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any, Final

import aiohttp
from yarl import URL

from ._errors import (
    ClientClosedError,
    FlinkeyError,
    FlinkeyTimeoutError,
    RedirectError,
    ResponseDecodeError,
    TransportError,
    WrongEventLoopError,
)
from ._redact import mask_query, mask_url_text
from ._redirects import MAX_REDIRECTS, REDIRECT_STATUSES, redirect_target
from ._response import RawResponse
from ._secret import Sealed

log = logging.getLogger("flinkey_async")
_new_tuple: Final = tuple.__new__


Body = bytes | Sealed[bytes] | None
Data = Body | Sealed[dict[str, str]]
Headers = Sealed[dict[str, str]]


class Transport:
    """The session a client sends on: its own (created lazily) or a borrowed one, on one loop."""

    def __init__(
        self,
        session: aiohttp.ClientSession | None,
        *,
        connect_timeout: float,
        read_timeout: float | None,
        limit: int,
        limit_per_host: int,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
    ) -> None:
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise TypeError("session must be an aiohttp.ClientSession")
        self._session = session
        self._owned = session is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect_timeout, sock_read=read_timeout
        )
        self._limits = (limit, limit_per_host)
        # Added to the session this transport creates; a borrowed session is never changed.
        self._trace_configs = list(trace_configs) or None
        # A borrowed session keeps its own settings; these override them per request.
        self.overrides: dict[str, Any] = (
            {} if session is None else {"timeout": self._timeout, "raise_for_status": False}
        )
        if session is not None:
            _no_hidden_resends(session)

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The session in use, if one exists yet."""
        return self._session

    def open(self) -> aiohttp.ClientSession:
        """Return the session for the running loop, creating the client's own if needed."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self.check_loop(loop)
            self._loop = loop
        session = self._session
        if session is None:
            connector = aiohttp.TCPConnector(limit=self._limits[0], limit_per_host=self._limits[1])
            session = self._session = aiohttp.ClientSession(
                timeout=self._timeout, connector=connector, trace_configs=self._trace_configs
            )
            _no_hidden_resends(session)
        elif session.closed:
            raise ClientClosedError("the aiohttp session lent to this FlinkeyClient is closed")
        return session

    def check_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Raise WrongEventLoopError if the session belongs to another (or a closed) loop."""
        bound = self._loop
        if bound is None and self._session is not None:
            bound = getattr(self._session, "_loop", None)
            if bound is loop:
                bound = None
        if bound is not None and bound is not loop:
            state = "an event loop that is now closed" if bound.is_closed() else "another loop"
            raise WrongEventLoopError(
                f"this FlinkeyClient (or its aiohttp session) belongs to {state}, not the "
                "running one; create one FlinkeyClient per event loop (e.g. inside the "
                "coroutine given to asyncio.run()) and close it with 'async with' or aclose() "
                "before that loop ends"
            )

    async def close(self) -> None:
        """Close the session if this transport created it; a borrowed one stays open."""
        session, self._session = self._session, None
        if session is not None and self._owned and not session.closed:
            self.check_loop(asyncio.get_running_loop())
            await session.close()


def _no_hidden_resends(session: aiohttp.ClientSession) -> None:
    # aiohttp silently resends GET/PUT/DELETE once when a kept-alive connection drops; a write
    # may then reach flinkey twice. The client's own retry rules decide instead.
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False


async def send(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    *,
    headers: Headers,
    data: Data = None,
    attempt: int = 1,
    origin: URL,
    max_body_bytes: int,
    overrides: Mapping[str, Any],
) -> RawResponse:
    """Send one attempt, following up to MAX_REDIRECTS redirects within origin's host."""
    response = await exchange(
        session, method, url, headers, data, attempt, max_body_bytes, overrides
    )
    if response.status in REDIRECT_STATUSES:
        response = await follow_redirects(
            response, session, headers, data, attempt, origin, max_body_bytes, overrides
        )
    return response


async def follow_redirects(
    response: RawResponse,
    session: aiohttp.ClientSession,
    headers: Headers,
    data: Data,
    attempt: int,
    origin: URL,
    max_body_bytes: int,
    overrides: Mapping[str, Any],
) -> RawResponse:
    """Follow a redirect answer (up to MAX_REDIRECTS in all) within origin's host."""
    method = response.method
    for _ in range(MAX_REDIRECTS):
        url = redirect_target(response, response.target, origin)
        response = await exchange(
            session, method, url, headers, data, attempt, max_body_bytes, overrides
        )
        if response.status not in REDIRECT_STATUSES:
            return response
    raise RedirectError(
        f"more than {MAX_REDIRECTS} redirects",
        status=response.status,
        method=method,
        url=response.url,
    )


async def exchange(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    headers: Headers,
    data: Data,
    attempt: int,
    max_body_bytes: int,
    overrides: Mapping[str, Any],
) -> RawResponse:
    """Send one HTTP request and read its (size-capped) body; log one DEBUG line."""
    debug = log.isEnabledFor(logging.DEBUG)
    started = time.monotonic() if debug else 0.0
    outcome: int | str = "cancelled"
    try:
        # Revealed only here, as arguments: no frame of this SDK holds them in clear.
        async with session.request(
            method,
            url,
            headers=headers.reveal(),
            data=data.reveal() if isinstance(data, Sealed) else data,
            allow_redirects=False,
            **overrides,
        ) as resp:
            outcome = status = resp.status
            declared = resp.content_length
            if (
                declared is not None
                and declared <= max_body_bytes
                and "Content-Encoding" not in resp.headers
            ):
                body = await resp.read()  # the common case, without a coroutine of ours
            else:
                body = await _read_capped(resp, method, url, max_body_bytes)
            # What RawResponse(...) does, without its generated Python __new__ (hot path).
            return _new_tuple(RawResponse, (method, url, status, body, resp.headers))
    except aiohttp.ClientError as exc:
        outcome = type(exc).__name__
        # A ClientResponseError's repr holds the request headers: do not chain it.
        raise _transport_error(exc, method, url) from (
            None if isinstance(exc, aiohttp.ClientResponseError) else _without_frames(exc)
        )
    except FlinkeyError as exc:
        outcome = f"{outcome} {type(exc).__name__}"
        raise
    finally:
        if debug:
            _log_attempt(method, url, outcome, attempt, time.monotonic() - started)


async def _read_capped(resp: aiohttp.ClientResponse, method: str, url: URL, limit: int) -> bytes:
    """Read a body of unknown (or compressed) size, refusing more than limit bytes."""
    declared = resp.content_length
    chunks: list[bytes] = []
    size = 0 if declared is None or declared <= limit else declared
    while size <= limit:
        chunk = await resp.content.readany()
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        chunks.append(chunk)
    raise ResponseDecodeError(
        f"the response body is larger than max_body_bytes ({limit} bytes)",
        status=resp.status,
        method=method,
        url=str(url),
    )


def _without_frames(exc: BaseException) -> BaseException:
    """Drop the tracebacks of an aiohttp error chain: its frames hold the headers in clear."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return exc


def _transport_error(exc: aiohttp.ClientError, method: str, url: URL) -> TransportError:
    # Only a failed connect (refused, DNS, connect timeout) proves the server never saw it.
    sent = not isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)
    cls = FlinkeyTimeoutError if isinstance(exc, aiohttp.ServerTimeoutError) else TransportError
    return cls(
        f"request failed: {type(exc).__name__}: {mask_url_text(str(exc), url)}",
        method=method,
        url=str(url),
        request_sent=sent,
    )


def _log_attempt(method: str, url: URL, outcome: int | str, attempt: int, seconds: float) -> None:
    query = mask_query(url.raw_query_string)
    target = url.raw_path + ("?" + query if query else "")
    elapsed_ms = seconds * 1000
    log.debug(
        "%s %s -> %s (attempt %d, %.1f ms)",
        method,
        target,
        outcome,
        attempt,
        elapsed_ms,
        extra={
            "flinkey_method": method,
            "flinkey_path": target,
            "flinkey_status": outcome,
            "flinkey_attempt": attempt,
            "flinkey_elapsed_ms": round(elapsed_ms, 1),
        },
    )
