"""The wire text of query options: their percent-encoding, and the query string they make."""

from __future__ import annotations

import re
import string
from typing import Final
from urllib.parse import quote

from ._expr import PRECEDENCE, Node
from ._fields import OrderKey

# Characters left literal inside option values (besides unreserved ones); everything else,
# including space, + & # % / ? = ; @ and non-ASCII (as UTF-8), is percent-encoded.
_SAFE: Final = "'(),:$*"
_NEEDS_QUOTE: Final = re.compile(r"[^A-Za-z0-9\-._~'(),:$* ]")  # what .replace() cannot do
_KEPT: Final = (string.ascii_letters + string.digits + "-._~" + _SAFE + " ").encode()
_ASCII_ESCAPES: Final = {c: quote(chr(c), safe=_SAFE) for c in range(128) if c not in _KEPT}
_PERCENT: Final = ord("%")
_AND: Final = PRECEDENCE["and"]


def encode_value(text: str) -> str:
    """Percent-encode one option value for the URL: spaces as %20 (never +), nothing twice.

    Exactly ``quote(text, safe=_SAFE)``, but only the characters that need it are escaped (each
    on its own: UTF-8 encodes each character on its own), not byte by byte over the value.
    """
    if not text.isascii():
        text = _NEEDS_QUOTE.sub(_quote_match, text)
    else:
        # Which characters need escaping, found by bytes.translate (several times faster than
        # a regex scan); each is then replaced throughout, "%" first (the escapes hold "%").
        special = text.encode().translate(None, _KEPT)
        if special:
            if _PERCENT in special:
                text = text.replace("%", "%25")
            for code in set(special):
                if code != _PERCENT:
                    text = text.replace(chr(code), _ASCII_ESCAPES[code])
    return text.replace(" ", "%20")


def _quote_match(match: re.Match[str]) -> str:
    char = match.group()
    return _ASCII_ESCAPES.get(ord(char)) or quote(char, safe=_SAFE)


def filter_text(filters: tuple[Node, ...]) -> str:
    """Return the conditions of several filter() calls as one OData expression."""
    first, *rest = filters
    if not rest:
        return first.text  # never parenthesised at the top
    # Joined flat, as nested "and"s would render: later ones need () unless they bind tighter.
    texts = [first.text if first.level >= _AND else f"({first.text})"]
    texts += [node.text if node.level > _AND else f"({node.text})" for node in rest]
    return " and ".join(texts)


def orderby_text(keys: tuple[OrderKey, ...]) -> str:
    """Return the ``$orderby`` value (not yet percent-encoded)."""
    texts = []  # a loop: a comprehension costs a frame, as much as a short loop's work
    for key in keys:
        texts.append(f"{key.node.text} desc" if key.descending else key.node.text)
    return ",".join(texts)


def expand_item(path: str, nested: str | None) -> str:
    """Return one ``$expand`` item: a path, and the query string of its nested options."""
    path = encode_value(path)
    # Nested options are separated by ';'; their values are percent-encoded, so hold no '&'.
    return f"{path}({nested.replace('&', ';')})" if nested else path


def head_text(
    filters: tuple[Node, ...],
    select: tuple[str, ...],
    expands: list[str],
    orderby: tuple[OrderKey, ...],
) -> str:
    """Return the options before ``$top``, in the fixed order of the wire."""
    parts = []
    if filters:
        parts.append(f"$filter={encode_value(filter_text(filters))}")
    if select:
        parts.append(f"$select={encode_value(','.join(select))}")
    if expands:
        parts.append(f"$expand={','.join(expands)}")
    if orderby:
        parts.append(f"$orderby={encode_value(orderby_text(orderby))}")
    return "&".join(parts)


def query_string(head: str, top: int | None, skip: int | None, count: bool | None) -> str:
    """Return the query string: the options before ``$top``, then $top, $skip and $count."""
    parts = [head] if head else []
    if top is not None:
        parts.append(f"$top={top}")
    if skip is not None:
        parts.append(f"$skip={skip}")
    if count is not None:
        parts.append("$count=true" if count else "$count=false")
    return "&".join(parts)
