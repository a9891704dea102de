"""Field references: typed from the models, named like the converter, checked when built."""

from __future__ import annotations

from typing import Any, get_args, get_type_hints

import attrs
import pytest

from flinkey_async import (
    UNSET,
    F,
    Field,
    PartialProduct,
    PartialService,
    Product,
    ProductFields,
    Service,
    ServiceFields,
    _fields,
    fields,
)
from flinkey_async._convert import wire_names


@pytest.mark.parametrize("model", [Service, PartialService, Product, PartialProduct])
def test_every_field_uses_the_converter_wire_name(model: type[Any]) -> None:
    """fields(Model).x names the same key that structuring reads."""
    refs = fields(model)
    assert {name: getattr(refs, name).name for name in wire_names(model)} == wire_names(model)


def test_overridden_wire_name() -> None:
    """A wire() override (not plain camelCase) is honoured."""
    assert fields(Product).dongle_termination_timestamp.name == "dongleTerminationTimeStamp"
    assert fields(Service).is_terminated.name == "isTerminated"


@pytest.mark.parametrize(
    ("typed", "model", "partial"),
    [(ServiceFields, Service, PartialService), (ProductFields, Product, PartialProduct)],
)
def test_typed_field_classes_match_the_models(typed: type, model: type, partial: type) -> None:
    """The typed field namespaces declare exactly the model fields, with the model types."""
    hints = get_type_hints(typed, vars(_fields))
    declared = {name: get_args(hint)[0] for name, hint in hints.items() if name[0] != "_"}
    assert declared == {a.name: a.type for a in attrs.fields(model)}
    assert [a.name for a in attrs.fields(partial)] == [a.name for a in attrs.fields(model)]
    assert wire_names(partial) == wire_names(model)
    assert all(a.default is UNSET for a in attrs.fields(partial))


def test_field_proxies_are_immutable_and_unhashable() -> None:
    """A field cannot be changed, and is no dict key (== builds a condition)."""
    name = fields(Service).name
    with pytest.raises(AttributeError):
        name.node = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(name)
    assert repr(name) == "Field('name')"
    assert repr(fields(Service)) == "fields(Service)"
    assert "is_terminated" in dir(fields(Service))


def test_untyped_field_paths() -> None:
    """F() takes wire names and navigation paths."""
    assert isinstance(F("keyForm/imageUrl"), Field)
    assert F("keyForm/imageUrl").name == "keyForm/imageUrl"
    assert F("_private2").name == "_private2"
    assert fields(PartialService).name.name == "name"
