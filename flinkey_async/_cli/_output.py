"""Printing results: wire-shaped JSON for programs, a plain column table for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from typing import Any, Final, TextIO

from .._convert import unstructure
from ._exit import one_line

MISSING: Final = "-"
GAP: Final = "  "


def print_result(
    result: Any, *, as_json: bool, out: TextIO | None = None, label: str = "value"
) -> None:
    """Print a model or models as wire-shaped JSON or as a table (plain values under label)."""
    stream = out or sys.stdout
    data = unstructure(result)
    if as_json:
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if not _encodable(text, stream):
            text = json.dumps(data, indent=2)
        stream.write(text + "\n")
        return
    listed = data if isinstance(data, list) else [data]
    rows = [row if isinstance(row, Mapping) else {label: row} for row in listed]
    text = table(rows)
    if not _encodable(text, stream):
        text = table(rows, encoding="ascii")
    stream.write((text or "(no results)") + "\n")


def table(rows: list[Mapping[str, Any]], *, encoding: str | None = None) -> str:
    """Return rows as aligned columns (objects as ``a/b`` columns), escaped for ``encoding``."""
    if not rows:
        return ""
    flat = [dict(_flatten(row)) for row in rows]
    names = list(dict.fromkeys(name for row in flat for name in row))
    columns = [[name, *(_cell(row.get(name)) for row in flat)] for name in names]
    if encoding is not None:
        columns = [[_escape(cell, encoding) for cell in column] for column in columns]
    numeric = [_numeric([row.get(name) for row in flat]) for name in names]
    widths = [max(map(len, column)) for column in columns]
    lines = []
    for index in range(len(rows) + 2):
        if index == 1:
            cells = ["-" * width for width in widths]
        else:
            row = 0 if index == 0 else index - 1
            cells = [
                c[row].rjust(w) if num else c[row].ljust(w)
                for c, w, num in zip(columns, widths, numeric, strict=True)
            ]
        lines.append(GAP.join(cells).rstrip())
    return "\n".join(lines)


def _flatten(row: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (column, value), an object's parts under ``parent/part`` (its $select path)."""
    for name, value in row.items():
        if isinstance(value, Mapping) and value:
            yield from _flatten(value, f"{prefix}{name}/")
        else:
            yield f"{prefix}{name}", value


def _cell(value: Any) -> str:
    """Return a value as one table cell: JSON spelling, one line, control characters escaped."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        return one_line(value) or '""'
    return one_line(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _numeric(values: list[Any]) -> bool:
    """Whether a column holds numbers (and gaps) only, so it is right-aligned."""
    numbers = [v for v in values if v is not None]
    return bool(numbers) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in numbers
    )


def _encodable(text: str, stream: TextIO) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _escape(text: str, encoding: str) -> str:
    return text.encode(encoding, "backslashreplace").decode(encoding)
