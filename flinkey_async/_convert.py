"""The one converter factory: camelCase JSON to frozen attrs models, strict about types."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Final, Protocol, TypeVar

import attrs
from cattrs import Converter
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter as make_json_converter

from ._compile import compile_structurer as compile_structurer  # re-exported for tests
from ._compile import compile_structurers, is_unset_union, without_unset
from ._errors import ResponseDecodeError, excerpt, short_repr
from ._hooks import (
    aware_datetime,
    enum_member,
    json_type,
    strict_bool,
    strict_float,
    strict_int,
    strict_str,
)
from ._model import PARSE, OpenEnum, is_partial, wire_names
from ._secret import Secret

T = TypeVar("T")


class ListResult(list[T]):
    """The items of a list call; ``total_count`` is the server's ``@odata.count`` (or None)."""

    __slots__ = ("total_count",)

    def __init__(self, items: Iterable[T] = (), total_count: int | None = None) -> None:
        super().__init__(items)
        self.total_count = total_count

    def __repr__(self) -> str:
        return f"ListResult({list.__repr__(self)}, total_count={self.total_count!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (list(self), self.total_count)


def _field_hooks(cls: type[Any]) -> dict[str, Any]:
    """Per-field overrides: the wire name, and a lenient parser where the model asks for one."""
    hooks: dict[str, Any] = {}
    names = wire_names(cls)
    for a in attrs.fields(cls):
        parse = a.metadata.get(PARSE)
        hook = None if parse is None else (lambda value, _, parse=parse: parse(value))
        hooks[a.name] = override(rename=names[a.name], struct_hook=hook)
    return hooks


def make_converter(*, detailed_validation: bool = False) -> Converter:
    """Build a converter for flinkey's JSON: camelCase keys, strict primitives, aware datetimes."""
    conv = make_json_converter(detailed_validation=detailed_validation)
    conv.register_structure_hook(int, strict_int)
    conv.register_structure_hook(str, strict_str)
    conv.register_structure_hook(bool, strict_bool)
    conv.register_structure_hook(float, strict_float)
    conv.register_structure_hook(datetime, aware_datetime)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_unstructure_hook(ListResult, lambda items: [conv.unstructure(i) for i in items])
    # A secret in a request model is revealed only when the body is written.
    conv.register_unstructure_hook(Secret, Secret.reveal)
    # Registered on the base class: singledispatch prefers it to the plain str hook.
    conv.register_structure_hook(OpenEnum, enum_member)
    conv.register_unstructure_hook(OpenEnum, lambda member: member.value)

    def structure_factory(cls: type[Any]) -> Callable[[Any, Any], Any]:
        fields_fn = make_dict_structure_fn(cls, conv, **_field_hooks(cls))

        def structure_object(value: Any, cl: Any) -> Any:
            if type(value) is not dict:
                raise TypeError(f"expected an object, got {json_type(value)}")
            return fields_fn(value, cl)

        return structure_object

    def unstructure_factory(cls: type[Any]) -> Callable[[Any], Any]:
        renames = {n: override(rename=w) for n, w in wire_names(cls).items()}
        # A partial model leaves its UNSET fields out instead of inventing a value.
        return make_dict_unstructure_fn(
            cls,
            conv,
            _cattrs_omit_if_default=is_partial(cls),
            **renames,  # type: ignore[arg-type]
        )

    def unset_union_factory(tp: Any) -> Callable[[Any, Any], Any]:
        # A key that is present was selected: structure it as the type without UnsetType
        # (a missing key never gets here; the attrs default UNSET applies).
        inner = without_unset(tp)
        hook = conv.get_structure_hook(inner)
        return lambda value, _: hook(value, inner)

    conv.register_structure_hook_factory(attrs.has, structure_factory)
    conv.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    conv.register_structure_hook_factory(is_unset_union, unset_union_factory)
    return conv


CONVERTER: Final = make_converter()
_DETAILED: Final = make_converter(detailed_validation=True)

_STRUCTURERS: dict[type[Any], Callable[[Any], Any]] = {}
# The list form of each compiled structure function (keyed by the function, so a replaced
# structurer, as the benchmarks' variant swaps in, is used per item instead).
_MANY: dict[Callable[[Any], Any], Callable[[list[Any]], list[Any]]] = {}


def _structurer(cls: type[T]) -> Callable[[Any], T]:
    """Return the (cached) fast one-argument structure function for a model class."""
    fn = _STRUCTURERS.get(cls)
    if fn is None:
        fn, many = compile_structurers(cls, CONVERTER)
        _STRUCTURERS[cls] = fn
        if many is not None:
            _MANY[fn] = many
    return fn


class Answer(Protocol):
    """Where the data came from (a RawResponse): its error context, built only on failure."""

    def context(self) -> dict[str, Any]: ...


def structure_one(data: Any, cls: type[T], answer: Answer | None = None, /, **context: Any) -> T:
    """Structure one JSON object into a model, or raise ResponseDecodeError naming the path.

    The error carries ``context`` (status, method, url), or that of ``answer`` when given.
    """
    if not isinstance(data, dict):
        raise _decode_error(
            "$", f"expected an object, got {json_type(data)}", data, _context(answer, context)
        )
    structure: Callable[[Any], T] = _STRUCTURERS.get(cls) or _structurer(cls)
    try:
        return structure(data)
    except Exception as exc:
        raise _located_error(data, cls, _context(answer, context)) from exc


def structure_list(
    data: Any, cls: type[T], answer: Answer | None = None, /, **context: Any
) -> ListResult[T]:
    """Structure a JSON array (or an OData {"value": [...]} envelope) into models."""
    total = None
    if type(data) is dict and type(data.get("value")) is list:
        total = _odata_count(data, answer, context)
        data = data["value"]
    if type(data) is not list:
        raise _decode_error(
            "$", f"expected an array, got {json_type(data)}", data, _context(answer, context)
        )
    structure = _structurer(cls)
    many = _MANY.get(structure)
    try:
        items = [structure(item) for item in data] if many is None else many(data)
        return ListResult(items, total)
    except Exception as exc:
        cl = list[cls]  # type: ignore[valid-type]
        raise _located_error(data, cl, _context(answer, context)) from exc


def _context(answer: Answer | None, context: dict[str, Any]) -> dict[str, Any]:
    return context if answer is None else answer.context()


def read_count(data: Any, **context: Any) -> int:
    """Return the ``@odata.count`` of a list response, or raise ResponseDecodeError."""
    total = _odata_count(data, None, context) if type(data) is dict else None
    if total is None:
        raise _decode_error(
            "$", "the server sent no @odata.count (it may not support $count)", data, context
        )
    return total


def _odata_count(
    data: dict[str, Any], answer: Answer | None, context: dict[str, Any]
) -> int | None:
    total = data.get("@odata.count")
    if total is None:
        return None
    if type(total) is not int or total < 0:
        where = _context(answer, context)
        raise _decode_error("$['@odata.count']", "expected a non-negative integer", data, where)
    return total


def unstructure(value: Any) -> Any:
    """Return the wire-shaped (camelCase, JSON-ready) form of a model or a list of models."""
    return CONVERTER.unstructure(value)


def request_body(value: Any) -> dict[str, Any]:
    """Return a request model as a JSON object, leaving out the fields that are None."""
    return {key: item for key, item in CONVERTER.unstructure(value).items() if item is not None}


def _located_error(data: Any, cl: Any, context: dict[str, Any]) -> ResponseDecodeError:
    """Re-run the slow, detailed structuring only on failure, to name the JSON path."""
    try:
        _DETAILED.structure(data, cl)
    except Exception as exc:
        path, reason = _first_failure(exc, "$")
        return _decode_error(path, reason, data, context)
    return _decode_error("$", "the body does not match the model", data, context)


def _first_failure(exc: BaseException, path: str) -> tuple[str, str]:
    if isinstance(exc, ClassValidationError | IterableValidationError):
        for sub in exc.exceptions:
            for note in getattr(sub, "__notes__", ()):
                if isinstance(note, AttributeValidationNote):
                    key = wire_names(exc.cl).get(note.name, note.name)
                    return _first_failure(sub, f"{path}.{key}")
                if isinstance(note, IterableValidationNote):
                    return _first_failure(sub, f"{path}[{note.index}]")
        return _first_failure(exc.exceptions[0], path)
    if isinstance(exc, KeyError):
        return path, "a required field is missing"
    return path, str(exc) or type(exc).__name__


def _decode_error(
    path: str, reason: str, data: Any, context: dict[str, Any]
) -> ResponseDecodeError:
    return ResponseDecodeError(
        f"unexpected response body at {path}: {reason}",
        json_path=path,
        **{"body_excerpt": excerpt(short_repr(data)), **context},
    )
