"""Mask query values (filters may hold e-mails, names) and secrets in logs and error texts."""

from __future__ import annotations

import html
import json
import re
import weakref
from typing import TYPE_CHECKING, Final
from urllib.parse import quote, quote_plus

from ._secret import Secret, live_secrets

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


def _spellings(secret: Secret) -> frozenset[str]:
    """The spellings of a secret a server may echo: raw, form- or percent-encoded, JSON, HTML."""
    known = _SPELLINGS.get(secret)
    if known is None:
        value = secret.reveal()
        forms = {value, quote_plus(value), quote(value, safe=""), html.escape(value)}
        forms |= {json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
        forms |= {" ".join(form.split()) for form in forms}
        known = _SPELLINGS[secret] = frozenset(f for f in forms if len(f) >= MIN_REDACTED)
    return known


# Computed once per secret, and forgotten with it.
_SPELLINGS: Final[weakref.WeakKeyDictionary[Secret, frozenset[str]]] = weakref.WeakKeyDictionary()


def redact(text: str) -> str:
    """Return text with every live Secret (in any echoed spelling) and token value masked."""
    if not text:
        return text
    for secret in live_secrets():
        for form in _spellings(secret):
            if form in text:
                text = text.replace(form, MASK)
    return _TOKEN_FIELD.sub(rf"\g<1>{MASK}", text)


def mask_url_text(text: str, url: URL) -> str:
    """Return a library's message with the query of url (raw or decoded) masked."""
    for query in (url.raw_query_string, url.query_string):
        if query:
            text = text.replace(query, mask_query(query))
    return text
