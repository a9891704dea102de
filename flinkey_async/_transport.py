"""One attempt on the wire: send, follow same-origin redirects, read a capped body, log a line."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any, Final

import aiohttp
import attrs
from yarl import URL

from ._errors import (
    FlinkeyError,
    FlinkeyTimeoutError,
    RedirectError,
    ResponseDecodeError,
    TransportError,
    decode_json,
)
from ._redact import mask_query

MAX_REDIRECTS: Final = 3
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})

log = logging.getLogger("flinkey_async")


@attrs.frozen
class RawResponse:
    """A finished HTTP exchange: enough to decode the body or explain a failure."""

    method: str
    url: str
    status: int
    body: bytes
    headers: Mapping[str, str] = attrs.field(factory=dict, repr=False)

    def context(self) -> dict[str, Any]:
        """Return the keyword arguments every error about this response carries."""
        return {"status": self.status, "method": self.method, "url": self.url}

    def json(self) -> Any:
        """Decode the body as JSON or raise ResponseDecodeError."""
        return decode_json(self.body, **self.context())


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
    started = time.monotonic()
    outcome: int | str = "cancelled"
    try:
        async with session.request(
            method, url, headers=headers, data=data, allow_redirects=False
        ) as resp:
            outcome = resp.status
            body = await _read_body(resp, method, url, max_body_bytes)
            return RawResponse(method, str(url), resp.status, body, resp.headers)
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
    if not log.isEnabledFor(logging.DEBUG):
        return
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
