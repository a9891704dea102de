"""OData options for the fake server: $filter, $select, $expand, $orderby, $top, $skip, $count."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any, Final
from urllib.parse import unquote_plus

import attrs

from .._model import wire_names
from ._filter import JSON, Entity, evaluate, matches, parse_filter
from ._values import ODataError

SYSTEM_OPTIONS: Final = ("$filter", "$select", "$expand", "$orderby", "$top", "$skip", "$count")
_PROPERTY: Final = re.compile(r"\$this|[A-Za-z_][A-Za-z0-9_]*")
_MAX_DIGITS: Final = 18  # beyond Int64, which is what ASP.NET Core OData reads $top/$skip as


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
                raise ODataError(f"The query parameter '{name[:40]}' is not supported.")
            if name in values:
                raise ODataError(f"Query option '{name}' was specified more than once.")
            values[name] = unquote_plus(value)
        return cls(values)


def entity_of(model: type[Any] | None, rows: list[JSON]) -> Entity:
    """Return the Entity of a model's rows; keys a test seeded into the rows count too."""
    base = _entity(model) if model is not None else Entity("Entity", ())
    return attrs.evolve(base, extra=lambda: {key for row in rows for key in row})


_ENTITIES: dict[type[Any], Entity] = {}


def _entity(model: type[Any]) -> Entity:
    entity = _ENTITIES.get(model)
    if entity is None:
        entity = _ENTITIES[model] = _describe(model)
    return entity


def _describe(model: type[Any]) -> Entity:
    if model is str:
        return Entity("String", ("$this",))  # a list of strings (GET /brands)
    if not attrs.has(model):
        return Entity(model.__name__, ())
    attrs.resolve_types(model)
    names = wire_names(model)
    nested = {
        names[field.name]: _entity(field.type)
        for field in attrs.fields(model)
        if isinstance(field.type, type) and attrs.has(field.type)
    }
    return Entity(model.__name__, tuple(names.values()), nested=nested)


def apply_to_list(raw_query: str, rows: list[JSON], entity: Entity) -> list[JSON] | JSON:
    """Apply every option to a collection; $count=true gives the @odata.count envelope."""
    opts = Options.parse(raw_query).values
    expands = _expands(opts.get("$expand"), entity)
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
    if "$select" in opts or expands:
        rows = [_shape(row, opts.get("$select"), expands, entity) for row in rows]
    count = opts.get("$count")
    if count not in (None, "true", "false"):
        raise ODataError(f"'{count[:40]}' is not a valid count option.")
    return {"@odata.count": total, "value": rows} if count == "true" else rows


def apply_to_one(raw_query: str, row: JSON, entity: Entity) -> JSON:
    """Apply $select and $expand to a single entity; other options do not apply."""
    opts = Options.parse(raw_query).values
    return _shape(row, opts.get("$select"), _expands(opts.get("$expand"), entity), entity)


def _number(opts: dict[str, str], name: str) -> int | None:
    value = opts.get(name)
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > _MAX_DIGITS:
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise ODataError(f"Invalid value '{shown}' for {name} query option found.")
    return int(value)


def _shape(row: JSON, selected: str | None, expands: dict[str, str | None], entity: Entity) -> JSON:
    """Keep the selected properties (``a``, ``a/b``), then the expanded ones (nested $select)."""
    shaped = _select(row, selected, entity)
    for name, nested in expands.items():
        value = row.get(name)
        shaped[name] = (
            _select(value, nested, entity.part(name)) if isinstance(value, dict) else value
        )
    return shaped


def _select(row: JSON, selected: str | None, entity: Entity) -> JSON:
    if selected is None:
        return dict(row)
    items = [item.strip() for item in selected.split(",")]
    whole: set[str] = set()
    parts: dict[str, list[str]] = {}
    for item in items:
        if item == "*":
            continue
        name, _, rest = item.partition("/")
        if rest:
            entity.part(name)
            parts.setdefault(name, []).append(rest)
        else:
            whole.add(entity.check(name))
    if "*" in items:
        return dict(row)
    shaped: JSON = {}
    for key, value in row.items():
        if key in whole:
            shaped[key] = value
        elif key in parts:
            part = entity.part(key)
            shaped[key] = (
                _select(value, ",".join(parts[key]), part) if isinstance(value, dict) else value
            )
    return shaped


def _expands(expand: str | None, entity: Entity) -> dict[str, str | None]:
    """Return each expanded complex property with its nested $select (None: all of it)."""
    found: dict[str, str | None] = {}
    for item in _split_top_level(expand or "", ","):
        path, _, options = item.strip().partition("(")
        path = path.strip()
        entity.check(path)
        if path not in entity.nested:
            raise ODataError(
                f"Property '{path}' on type 'Flinkey.{entity.name}' is not a navigation property "
                "or complex property. Only navigation properties can be expanded."
            )
        found[path] = _nested_select(options.removesuffix(")"), entity.part(path))
    return found


def _nested_select(options: str, entity: Entity) -> str | None:
    selected: str | None = None
    for option in _split_top_level(options, ";"):
        name, _, value = option.strip().partition("=")
        if name != "$select":
            raise ODataError(
                f"The fake flinkey server does not apply {name[:40]} inside $expand.", status=501
            )
        selected = value
    if selected is not None:
        _select({}, selected, entity)  # check the names
    return selected


def _split_top_level(text: str, separator: str) -> Iterator[str]:
    """Split on a separator outside quotes and parentheses."""
    depth, start, quoted = 0, 0, False
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and char == separator:
            yield text[start:index]
            start = index + 1
    if text[start:].strip():
        yield text[start:]


def _order(rows: list[JSON], orderby: str, entity: Entity) -> list[JSON]:
    keys: list[tuple[Callable[[JSON], Any], bool]] = []
    for item in _split_top_level(orderby, ","):
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
