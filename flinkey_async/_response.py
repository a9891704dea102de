"""RawResponse: a finished HTTP exchange, decoded or explained without any I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from yarl import URL

from ._errors import APIError, ResponseDecodeError, error_for_response, excerpt
from ._json import loads, try_loads
from ._retry import parse_retry_after


class RawResponse(NamedTuple):
    """A finished HTTP exchange: enough to decode the body or explain a failure.

    A NamedTuple rather than an attrs class: one is built per response, on the hot path.
    """

    method: str
    target: URL
    status: int
    body: bytes
    headers: Mapping[str, str]

    def __repr__(self) -> str:
        # Never the body or the headers: a token endpoint's body holds the token.
        return f"RawResponse({self.method} {self.target.path} -> {self.status}, {len(self.body)} B)"

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
        except (ValueError, RecursionError):
            pass
        if not self.body.strip():
            raise ResponseDecodeError("the response body is empty", json_path="$", **self.context())
        _, reason = try_loads(self.body)
        raise ResponseDecodeError(
            f"the response body is not valid JSON ({reason})",
            json_path="$",
            body_excerpt=excerpt(self.body),
            **self.context(),
        )

    def json_or_none(self) -> Any:
        """Decode the body as JSON; an empty body (a 204, say) is None."""
        return self.json() if self.body.strip() else None
