"""The exec-compiled structure functions: JSON objects to attrs models, primitive tests inline."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from types import UnionType
from typing import Any, Final, TypeVar, Union, cast, get_args, get_origin

import attrs
from cattrs import Converter

from ._hooks import aware_datetime, strict_bool, strict_float, strict_int, strict_str
from ._model import PARSE, UnsetType, slot_setters, wire_names

T = TypeVar("T")


def is_unset_union(tp: Any) -> bool:
    """Whether tp is ``T | UnsetType`` (a partial model's field)."""
    return get_origin(tp) in (Union, UnionType) and UnsetType in get_args(tp)


# Hooks whose type test can be inlined as "value.__class__ is T" before falling back to them.
_INLINE: Final[dict[type[Any], Callable[[Any, Any], Any]]] = {
    int: strict_int,
    str: strict_str,
    bool: strict_bool,
    float: strict_float,
}
_MISSING: Final = object()
_FACTORY: Final[type[Any]] = type(attrs.Factory(list))


def compile_structurer(cls: type[T], conv: Converter) -> Callable[[Any], T]:
    """Return the generated one-object structure function of ``compile_structurers``."""
    return compile_structurers(cls, conv)[0]


def compile_structurers(
    cls: type[T], conv: Converter
) -> tuple[Callable[[Any], T], Callable[[list[Any]], list[T]] | None]:
    """Generate ``o -> cls(...)`` and its list form, primitive type tests inlined (the hot path).

    It accepts exactly what ``conv`` accepts for plain attrs models (a test pins that): a
    value of the exact primitive type passes without a call, an aware date-time string is
    parsed in line, anything else goes through the converter's hook, which converts or raises.
    A slotted model without validators, converters or init hooks is built by setting its slots
    (what its frozen ``__init__`` does, without the bound ``object.__setattr__`` per field);
    others are called. The list form runs the same code per item in one loop, without a call
    per item. Models it cannot handle use ``conv`` as is (and have no list form). Failures carry
    no path; callers re-run the detailed converter for that.
    """
    fallback: Callable[[Any], T] = partial(conv.structure, cl=cls)
    if not attrs.has(cls):
        return fallback, None
    fields = attrs.fields(attrs.resolve_types(cls))
    if any(not a.init or isinstance(a.default, _FACTORY) for a in fields):
        return fallback, None
    names = wire_names(cls)
    space: dict[str, Any] = {
        "__cl": cls,
        "__missing": _MISSING,
        "__new": object.__new__,
        "__fromiso": datetime.fromisoformat,
        "__utc": UTC,
    }
    body: list[str] = []
    args: list[str] = []
    for i, a in enumerate(fields):
        v, key = f"v{i}", names[a.name]
        inner, optional = _optional_inner(without_unset(a.type))
        parse = a.metadata.get(PARSE)
        hook = conv.get_structure_hook(inner) if parse is None else _parse_hook(parse)
        space[f"h{i}"], space[f"t{i}"] = hook, inner
        exact = _INLINE.get(inner) is hook
        test = f"{v}.__class__ is not t{i}" if exact else "True"
        if optional:
            test = f"{v} is not None" if test == "True" else f"{v} is not None and {test}"
        if a.default is attrs.NOTHING:
            body.append(f"{v} = o[{key!r}]")
        elif optional and a.default is None:
            body.append(f"{v} = o.get({key!r})")
        else:
            space[f"d{i}"] = a.default
            body += [f"{v} = o.get({key!r}, __missing)", f"if {v} is __missing: {v} = d{i}"]
            test = f"{v} is not d{i} and ({test})"
        if hook is aware_datetime:  # the same steps as the hook, without calling it
            body += [
                f"if {test}:",
                f"  if {v}.__class__ is str:",
                f"    {v} = __fromiso({v})",
                f"    if {v}.tzinfo is None: {v} = {v}.replace(tzinfo=__utc)",
                f"  else: {v} = h{i}({v}, t{i})",
            ]
        else:
            body.append(f"if {test}: {v} = h{i}({v}, t{i})")
        args.append(f"{a.alias}={v}" if a.kw_only else v)
    setters = _slot_setters(cls, fields)
    if setters is None:
        body.append(f"self = __cl({', '.join(args)})")
    else:
        body.append("self = __new(__cl)")
        for i, setter in enumerate(setters):
            space[f"s{i}"] = setter
            body.append(f"s{i}(self, v{i})")
    lines = ["def structure(o):", *(f"  {line}" for line in body), "  return self"]
    lines += [
        "def structure_many(items):",
        "  out = []",
        "  append = out.append",
        "  for o in items:",
        *(f"    {line}" for line in body),
        "    append(self)",
        "  return out",
    ]
    exec(compile("\n".join(lines), f"<flinkey_async structure {cls.__name__}>", "exec"), space)
    return space["structure"], space["structure_many"]


def _slot_setters(
    cls: type[Any], fields: tuple[attrs.Attribute[Any], ...]
) -> list[Callable[[Any, Any], None]] | None:
    """Return the slot setters that build an instance as its ``__init__`` would, or None.

    That is only so when ``__init__`` does nothing but store each argument in its slot: no
    validator, converter, ``__attrs_pre_init__``/``__attrs_post_init__``, no other slot to fill
    (such as a hash cache) and no ``__new__`` of its own.
    """
    if (
        cast(object, cls.__new__) is not object.__new__
        or hasattr(cls, "__attrs_pre_init__")
        or hasattr(cls, "__attrs_post_init__")
        or any(a.validator is not None or a.converter is not None for a in fields)
    ):
        return None
    declared = [k.__dict__.get("__slots__", ()) for k in cls.__mro__]
    slots = {s for d in declared for s in ((d,) if isinstance(d, str) else d)}
    if "__dict__" in slots or slots - {"__weakref__"} != {a.name for a in fields}:
        return None
    try:
        return list(slot_setters(cls, *(a.name for a in fields)))
    except TypeError:  # a slot hidden behind a class attribute of the same name
        return None


def _parse_hook(parse: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    return lambda value, _: parse(value)


def without_unset(tp: Any) -> Any:
    """Return ``T`` for ``T | UnsetType`` (a key that is present was selected), else tp."""
    if not is_unset_union(tp):
        return tp
    return functools.reduce(operator.or_, [a for a in get_args(tp) if a is not UnsetType])


def _optional_inner(tp: Any) -> tuple[Any, bool]:
    """Return (T, True) for ``T | None``, else (tp, False)."""
    args = get_args(tp)
    if get_origin(tp) in (Union, UnionType) and len(args) == 2 and type(None) in args:
        return next(arg for arg in args if arg is not type(None)), True
    return tp, False
