"""One attempt on the wire: send, follow same-origin redirects, read a capped body, log a line."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

import aiohttp
from yarl import URL

from ._errors import (
    APIError,
    FlinkeyError,
    FlinkeyTimeoutError,
    RedirectError,
    ResponseDecodeError,
    TransportError,
    decode_json,
    error_for_response,
    loads,
)
from ._redact import mask_query
from ._retry import parse_retry_after

MAX_REDIRECTS: Final = 3
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})

log = logging.getLogger("flinkey_async")


class RawResponse(NamedTuple):
    """A finished HTTP exchange: enough to decode the body or explain a failure.

    A NamedTuple rather than an attrs class: one is built per response, on the hot path.
    """

    method: str
    target: URL
    status: int
    body: bytes
    headers: Mapping[str, str]

    @property
    def url(self) -> str:
        """The requested URL as text (built only when an error or a log needs it)."""
        return str(self.target)

    def context(self) -> dict[str, Any]:
        """Return the keyword arguments every error about this response carries."""
        return {"status": self.status, "method": self.method, "url": self.target}

    def error(self) -> APIError:
        """Return the APIError this (non-2xx) response stands for."""
        return error_for_response(
            self.status,
            self.body,
            method=self.method,
            url=self.url,
            retry_after=parse_retry_after(self.headers.get("Retry-After")),
        )

    def json(self) -> Any:
        """Decode the body as JSON or raise ResponseDecodeError."""
        try:
            return loads(self.body)
        except ValueError:
            return decode_json(self.body, **self.context())


def make_session(
    *, connect_timeout: float, read_timeout: float | None, limit: int, limit_per_host: int
) -> aiohttp.ClientSession:
    """Create the session a client owns: its timeouts and pool bounds, no hidden retries."""
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=connect_timeout, sock_read=read_timeout
    )
    connector = aiohttp.TCPConnector(limit=limit, limit_per_host=limit_per_host)
    session = aiohttp.ClientSession(timeout=timeout, connector=connector)
    # aiohttp silently resends an idempotent request once when a connection drops;
    # the client's retry loop does that (counted, logged, within the deadline) instead.
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False
    return session


async def send(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    *,
    headers: Mapping[str, str],
    data: Mapping[str, str] | None = None,
    attempt: int = 1,
    origin: URL,
    max_body_bytes: int,
) -> RawResponse:
    """Send one attempt, following up to MAX_REDIRECTS redirects within origin's host."""
    for _ in range(MAX_REDIRECTS + 1):
        response = await _exchange(session, method, url, headers, data, attempt, max_body_bytes)
        if response.status not in REDIRECT_STATUSES:
            return response
        url = _redirect_target(response, url, origin)
    raise RedirectError(
        f"more than {MAX_REDIRECTS} redirects",
        status=response.status,
        method=method,
        url=response.url,
    )


async def _exchange(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    headers: Mapping[str, str],
    data: Mapping[str, str] | None,
    attempt: int,
    max_body_bytes: int,
) -> RawResponse:
    """Send one HTTP request and read its (size-capped) body; log one DEBUG line."""
    debug = log.isEnabledFor(logging.DEBUG)
    started = time.monotonic() if debug else 0.0
    outcome: int | str = "cancelled"
    try:
        async with session.request(
            method, url, headers=headers, data=data, allow_redirects=False
        ) as resp:
            outcome = resp.status
            body = await _read_body(resp, method, url, max_body_bytes)
            return RawResponse(method, url, resp.status, body, resp.headers)
    except aiohttp.ClientError as exc:
        outcome = type(exc).__name__
        # A ClientResponseError's repr holds the request headers: do not chain it.
        raise _transport_error(exc, method, url) from (
            None if isinstance(exc, aiohttp.ClientResponseError) else exc
        )
    except FlinkeyError as exc:
        outcome = f"{outcome} {type(exc).__name__}"
        raise
    finally:
        if debug:
            _log_attempt(method, url, outcome, attempt, time.monotonic() - started)


async def _read_body(resp: aiohttp.ClientResponse, method: str, url: URL, limit: int) -> bytes:
    """Read the body, refusing more than limit bytes (declared, or after decompression)."""
    declared = resp.content_length
    if declared is not None and declared <= limit and "Content-Encoding" not in resp.headers:
        return await resp.read()
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


def _redirect_target(response: RawResponse, url: URL, origin: URL) -> URL:
    """Return where a redirect leads, or raise RedirectError if credentials would leave origin."""
    location = response.headers.get("Location")
    context = response.context()
    if not location:
        raise RedirectError(f"HTTP {response.status} without a Location header", **context)
    target = url.join(URL(location, encoded=True))
    if (target.scheme, target.host, target.port) != (origin.scheme, origin.host, origin.port):
        raise RedirectError(
            f"refusing a redirect to {target.scheme}://{target.host}:{target.port}: "
            f"credentials are only sent to {origin.scheme}://{origin.host}:{origin.port}",
            **context,
        )
    if response.method != "GET" and response.status not in (307, 308):
        raise RedirectError(
            f"refusing to turn {response.method} into GET on an HTTP {response.status}",
            **context,
        )
    return target


def _transport_error(exc: aiohttp.ClientError, method: str, url: URL) -> TransportError:
    # Only a failed connect (refused, DNS, connect timeout) proves the server never saw it.
    sent = not isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)
    cls = FlinkeyTimeoutError if isinstance(exc, aiohttp.ServerTimeoutError) else TransportError
    return cls(
        f"request failed: {type(exc).__name__}: {exc}",
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
