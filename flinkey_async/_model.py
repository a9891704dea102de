"""Building blocks of every model: wire names, UNSET for unselected fields, open enums."""

from __future__ import annotations

import enum
from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, Final, Literal, cast

import attrs

WIRE_NAME: Final = "flinkey_wire_name"
PARSE: Final = "flinkey_parse"


def wire(name: str) -> dict[str, str]:
    """Return field metadata naming a wire key that plain camelCase would get wrong."""
    return {WIRE_NAME: name}


def lenient(parse: Callable[[Any], Any]) -> dict[str, Callable[[Any], Any]]:
    """Return field metadata that reads a wire value with `parse` (for documented oddities)."""
    return {PARSE: parse}


def to_camel(name: str) -> str:
    """Return the lowerCamelCase spelling of a snake_case attribute name."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_WIRE_NAMES: dict[type[Any], dict[str, str]] = {}


def wire_names(cls: type[Any]) -> dict[str, str]:
    """Map each attribute of a model to its wire key (the same map filters and selects use)."""
    names = _WIRE_NAMES.get(cls)
    if names is None:
        names = {a.name: a.metadata.get(WIRE_NAME, to_camel(a.name)) for a in attrs.fields(cls)}
        _WIRE_NAMES[cls] = names
    return names


class UnsetType(enum.Enum):
    """The type of UNSET: a field that a ``$select`` left out (unlike ``None``, a JSON null)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    __str__ = __repr__

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = UnsetType.UNSET


class OpenEnum(enum.StrEnum):
    """A string enum that keeps values this SDK does not know yet instead of refusing them.

    An unknown value becomes a fresh member named UNKNOWN, equal to its text; it is not cached,
    so a server sending endless new values cannot grow memory.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """Whether this SDK version knows the value (False for values flinkey added later)."""
        return self._name_ != "UNKNOWN"

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self._name_}: {self.value!r}>"

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return type(self), (self._value_,)


def is_partial(cls: type[Any]) -> bool:
    """Whether a model is a partial one (every field defaults to UNSET)."""
    return all(a.default is UNSET for a in attrs.fields(cls))


def slot_setters(cls: type, *names: str) -> tuple[Callable[[Any, Any], None], ...]:
    """Return the setters of a slotted class's slots: faster than object.__setattr__.

    A name that is not a slot of the class (or of a base) raises TypeError.
    """
    descriptors = [getattr(cls, name, None) for name in names]
    for name, descriptor in zip(names, descriptors, strict=True):
        if not isinstance(descriptor, MemberDescriptorType):
            raise TypeError(f"{cls.__name__}.{name} is not a slot")
    return tuple([cast(Any, descriptor).__set__ for descriptor in descriptors])
