"""Field references per model: ``fields(Service).is_terminated``, typed by the model's tag."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, cast, get_args, get_origin, overload

import attrs

from ._expr import Prop
from ._fields import Field
from ._model import wire_names


class FieldsBase:
    """Field references of one model; attribute names are the model's (snake_case) names.

    ``fields()`` binds each class to a model once: the references become class attributes of a
    small subclass, so reading one is a plain attribute lookup (queries are built per call).
    """

    __slots__ = ("_model", "_names")
    _model: type[Any]
    _names: dict[str, str]

    def __init__(self, model: type[Any]) -> None:
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_names", wire_names(model))

    def __repr__(self) -> str:
        return f"fields({self._model.__name__})"

    def __dir__(self) -> list[str]:
        return sorted(self._names)

    def _missing(self, name: str) -> AttributeError:
        import difflib  # only for this error's hint: keeps it off the import of the package

        close = difflib.get_close_matches(name, self._names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return AttributeError(f"{self._model.__name__} has no field {name!r}{hint}")

    if not TYPE_CHECKING:  # typed subclasses declare their attributes for mypy instead

        def __getattr__(self, name: str) -> Field[Any]:
            raise self._missing(name)


class ModelFields(FieldsBase):
    """Field references of any attrs model (each one typed ``Field[Any]``)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Field[Any]:
        raise self._missing(name)


FT = TypeVar("FT", bound=FieldsBase)


class HasFields(Generic[FT]):
    """Tag base of a model: names its typed field-reference class for ``fields()``."""

    __slots__ = ()


_MADE: Final[dict[object, FieldsBase]] = {}


def _typed_fields(model: type[Any]) -> type[FieldsBase]:
    for klass in model.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            if get_origin(base) is HasFields:
                (refs,) = get_args(base)
                return cast(type[FieldsBase], refs)
    return ModelFields


@overload
def fields(model: type[HasFields[FT]]) -> FT: ...
@overload
def fields(model: type[Any]) -> ModelFields: ...
def fields(model: object) -> FieldsBase:
    """Return typed references to a model's fields: ``fields(Service).is_terminated``."""
    made = _MADE.get(model) if isinstance(model, type) else None
    if made is None:
        if not (isinstance(model, type) and attrs.has(model)):
            raise TypeError(f"fields() takes an attrs model class, not {model!r}")
        refs = _typed_fields(model)
        names = wire_names(model)
        attributes: dict[str, Any] = {name: Field(Prop(wire)) for name, wire in names.items()}
        bound = type(refs.__name__, (refs,), {"__slots__": (), **attributes})
        made = _MADE[model] = bound(model)
    return made
