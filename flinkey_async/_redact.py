"""Mask query values (filters may hold e-mails, names) and secrets in logs and error texts."""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Final
from urllib.parse import quote, quote_plus

from ._secret import live_secrets

if TYPE_CHECKING:
    from yarl import URL

MASK: Final = "***"

# A space as it may appear in an encoded query: literal, "+" (form style) or "%20".
_SP: Final = r"(?:\s|\+|%20)"
_AFTER_SP: Final = r"(?:(?<=\s)|(?<=\+)|(?<=%20))"
# An OData string literal, quote-doubling included, with raw or percent-encoded quotes.
_QUOTED: Final = re.compile(r"(?:'|%27)(?:''|%27%27|(?!'|%27).)*(?:'|%27)", re.DOTALL)
# A bare value (number, date-time, GUID, ...) right after a comparison operator.
_COMPARED: Final = re.compile(
    rf"{_AFTER_SP}(eq|ne|gt|ge|lt|le|has){_SP}+(?!null\b|true\b|false\b|'|%27)"
    r"((?:(?!%20|%29|%2C)[^\s+&(),])+)",
    re.IGNORECASE,
)
# The items of an "in (...)" list.
_IN_LIST: Final = re.compile(rf"{_AFTER_SP}(in{_SP}*(?:\(|%28))[^)&]*?((?:\)|%29))", re.IGNORECASE)


def mask_query(query_string: str) -> str:
    """Return the (encoded) query string with every literal value in it replaced by ***.

    Quoted strings anywhere, bare values after comparison operators and the items of
    ``in (...)`` lists are masked; property names, operators, null/true/false, $top and
    $skip stay readable: ``$filter=email+eq+'a@b.de'+and+id+gt+5`` becomes
    ``$filter=email+eq+'***'+and+id+gt+***``.
    """
    if not query_string:
        return query_string
    masked = _QUOTED.sub(f"'{MASK}'", query_string)
    masked = _IN_LIST.sub(rf"\g<1>{MASK}\g<2>", masked)
    return _COMPARED.sub(lambda m: m.group(0)[: m.start(2) - m.start(0)] + MASK, masked)


# A token's value in a JSON text (the token endpoint's or the SDK's answer), even cut short.
_TOKEN_FIELD: Final = re.compile(
    r'("(?:access_token|refresh_token|id_token)"\s*:\s*")((?:\\.|[^"\\])*)', re.IGNORECASE
)


# Shorter secrets are not searched for: masking every "abc" would garble messages, not protect.
MIN_REDACTED: Final = 4


def _forms(secret: str) -> set[str]:
    """The spellings of a secret a server may echo: raw, form- or percent-encoded, JSON, HTML."""
    forms = {secret, quote_plus(secret), quote(secret, safe=""), html.escape(secret)}
    forms |= {json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    return forms | {" ".join(form.split()) for form in forms}


def redact(text: str) -> str:
    """Return text with every live Secret (in any echoed spelling) and token value masked."""
    if not text:
        return text
    for secret in live_secrets():
        for form in _forms(secret):
            if len(form) >= MIN_REDACTED and form in text:
                text = text.replace(form, MASK)
    return _TOKEN_FIELD.sub(rf"\g<1>{MASK}", text)


def mask_url_text(text: str, url: URL) -> str:
    """Return a library's message with the query of url (raw or decoded) masked."""
    for query in (url.raw_query_string, url.query_string):
        if query:
            text = text.replace(query, mask_query(query))
    return text
