"""OData options for the fake server: $filter, $select, $orderby, $top, $skip, $count."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any, Final
from urllib.parse import unquote_plus

import attrs

from ._filter import JSON, Entity, ODataError, evaluate, matches, parse_filter

SYSTEM_OPTIONS: Final = ("$filter", "$select", "$expand", "$orderby", "$top", "$skip", "$count")
_PROPERTY: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@attrs.frozen
class Options:
    """The system query options of one request, percent-decoded."""

    values: dict[str, str]

    @classmethod
    def parse(cls, raw_query: str) -> Options:
        """Split a raw query string; '+' means a space, as ASP.NET Core reads it."""
        values: dict[str, str] = {}
        for part in filter(None, raw_query.split("&")):
            name, _, value = part.partition("=")
            name = unquote_plus(name)
            if not name.startswith("$"):
                continue  # custom query options are not ours to judge
            if name not in SYSTEM_OPTIONS:
                raise ODataError(f"The query parameter '{name}' is not supported.")
            if name in values:
                raise ODataError(f"Query option '{name}' was specified more than once.")
            values[name] = unquote_plus(value)
        return cls(values)


def apply_to_list(raw_query: str, rows: list[JSON], entity: Entity) -> list[JSON] | JSON:
    """Apply every option to a collection; $count=true gives the @odata.count envelope."""
    options = Options.parse(raw_query)
    opts = options.values
    _check_expand(opts.get("$expand"), entity)
    if "$filter" in opts:
        node = parse_filter(opts["$filter"])
        rows = [row for row in rows if matches(node, row, entity)]
    total = len(rows)
    if "$orderby" in opts:
        rows = _order(rows, opts["$orderby"], entity)
    skip, top = _number(opts, "$skip"), _number(opts, "$top")
    rows = rows[skip or 0 :]
    if top is not None:
        rows = rows[:top]
    rows = [_select(row, opts.get("$select"), entity) for row in rows]
    count = opts.get("$count")
    if count not in (None, "true", "false"):
        raise ODataError(f"'{count}' is not a valid count option.")
    return {"@odata.count": total, "value": rows} if count == "true" else rows


def apply_to_one(raw_query: str, row: JSON, entity: Entity) -> JSON:
    """Apply $select (and check $expand) for a single entity; other options do not apply."""
    opts = Options.parse(raw_query).values
    _check_expand(opts.get("$expand"), entity)
    return _select(row, opts.get("$select"), entity)


def _number(opts: dict[str, str], name: str) -> int | None:
    value = opts.get(name)
    if value is None:
        return None
    if not value.isascii() or not value.isdigit():
        raise ODataError(f"Invalid value '{value}' for {name} query option found.")
    return int(value)


def _select(row: JSON, selected: str | None, entity: Entity) -> JSON:
    if selected is None:
        return row
    names = {entity.check(item.strip()) for item in selected.split(",") if item.strip() != "*"}
    if "*" in (item.strip() for item in selected.split(",")):
        return row
    return {key: value for key, value in row.items() if key in names}


def _check_expand(expand: str | None, entity: Entity) -> None:
    for item in _split_top_level(expand or ""):
        path = item.split("(", 1)[0].strip()
        entity.check(path)
        raise ODataError(
            f"Property '{path}' on type 'Flinkey.{entity.name}' is not a navigation property "
            "or complex property. Only navigation properties can be expanded."
        )


def _split_top_level(text: str) -> Iterator[str]:
    """Split on commas outside quotes and parentheses."""
    depth, start, quoted = 0, 0, False
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and char == ",":
            yield text[start:index]
            start = index + 1
    if text[start:].strip():
        yield text[start:]


def _order(rows: list[JSON], orderby: str, entity: Entity) -> list[JSON]:
    keys: list[tuple[Callable[[JSON], Any], bool]] = []
    for item in _split_top_level(orderby):
        text, _, direction = item.strip().rpartition(" ")
        if direction not in ("asc", "desc"):
            text, direction = item.strip(), "asc"
        keys.append((_sort_value(text, entity), direction == "desc"))
    for value, descending in reversed(keys):
        rows = sorted(rows, key=lambda row: _sort_key(value(row)), reverse=descending)
    return rows


def _sort_value(text: str, entity: Entity) -> Callable[[JSON], Any]:
    """Return row -> value for one $orderby key; a plain property needs no OData parser."""
    if _PROPERTY.fullmatch(text):
        name = entity.check(text)
        return lambda row: row.get(name)
    node = parse_filter(text)
    return lambda row: evaluate(node, row, entity)


def _sort_key(value: Any) -> tuple[int, Any]:
    # Nulls sort first, then NaN, then the values (as ASP.NET Core OData orders them).
    if value is None:
        return (0, 0)
    if isinstance(value, float) and math.isnan(value):
        return (1, 0)
    return (2, value)
