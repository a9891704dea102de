"""Where a redirect may lead: pure rules, no I/O (credentials never leave the base URL's origin)."""

from __future__ import annotations

import re
from typing import Final

from yarl import URL

from ._errors import RedirectError
from ._response import RawResponse

MAX_REDIRECTS: Final = 3
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
_RELATIVE_WITH_COLON: Final = re.compile(r"(?![A-Za-z][A-Za-z0-9+.-]*:)[^/?#]*:")


def redirect_target(response: RawResponse, url: URL, origin: URL) -> URL:
    """Return where a redirect leads, or raise RedirectError if credentials would leave origin."""
    location = response.headers.get("Location")
    context = response.context()
    if not location:
        raise RedirectError(f"HTTP {response.status} without a Location header", **context)
    try:
        # A relative reference whose first segment has a colon is no URL (RFC 3986, 4.2).
        if _RELATIVE_WITH_COLON.match(location):
            raise ValueError("a colon in the first segment of a relative reference")
        target = url.join(URL(location, encoded=True))
        where = (target.scheme, target.host, target.port)
    except ValueError:  # UnicodeError too (an IDNA host that does not decode)
        raise RedirectError(
            f"refusing a redirect (HTTP {response.status}) to a Location that is not a valid URL",
            **context,
        ) from None
    if target.user is not None or target.password is not None:
        raise RedirectError("refusing a redirect to a URL with a user name or password", **context)
    if where != (origin.scheme, origin.host, origin.port):
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
