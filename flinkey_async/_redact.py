"""Mask the values in a query string before it is logged (filters may hold e-mails, names)."""

from __future__ import annotations

import re
from typing import Final

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
