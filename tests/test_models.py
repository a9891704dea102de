"""Every model in the registry: full, partial and field references agree; open enums stay open."""

from __future__ import annotations

import gc
import weakref
from typing import Any, get_args, get_type_hints

import attrs
import pytest

from flinkey_async import UNSET, FlinkeyClient, fields
from flinkey_async._model import wire_names
from flinkey_async._registry import ROUTES
from flinkey_async.models import EventType, ProductType
from flinkey_async.testing import FakeFlinkey

PAIRS = sorted(
    {
        (route.model, route.partial)
        for route in ROUTES
        if route.model is not None
        and route.partial is not route.model
        and route.partial is not None
        and attrs.has(route.model)
    },
    key=lambda pair: pair[0].__name__,
)


def test_every_registry_model_is_covered() -> None:
    """The registry names a partial model for every readable model (not one left out)."""
    assert {model.__name__ for model, _ in PAIRS} == {
        "Assignment",
        "Car",
        "Customer",
        "Event",
        "Key",
        "Product",
        "Service",
        "User",
    }


@pytest.mark.parametrize(("model", "partial"), PAIRS, ids=lambda m: m.__name__)
def test_full_partial_and_fields_agree(model: type[Any], partial: type[Any]) -> None:
    """The partial model and the typed field references declare exactly the model's fields."""
    refs = type(fields(model)).__mro__[1]  # the declared class (fields() binds a subclass)
    assert isinstance(fields(partial), refs)
    hints = refs.__annotations__  # model modules do not postpone annotations
    declared = {name: get_args(hint)[0] for name, hint in hints.items() if name[0] != "_"}
    full = get_type_hints(model)
    assert declared == {a.name: full[a.name] for a in attrs.fields(model)}
    assert [a.name for a in attrs.fields(partial)] == [a.name for a in attrs.fields(model)]
    assert wire_names(partial) == wire_names(model)
    assert all(a.default is UNSET for a in attrs.fields(partial))
    by_name = fields(model)
    assert {name: getattr(by_name, name).name for name in wire_names(model)} == wire_names(model)


@pytest.mark.parametrize("enum", [ProductType, EventType])
def test_unknown_enum_values_are_kept_but_not_cached(enum: type[Any]) -> None:
    """An unknown value is a member equal to its text; it is not cached, so it can be freed."""
    known = dict(enum._value2member_map_)
    value = enum("x" * 1_000_000)
    assert value == "x" * 1_000_000
    assert not value.is_known
    assert repr(enum("flinkey Go")) == f"<{enum.__name__}.UNKNOWN: 'flinkey Go'>"
    assert enum._value2member_map_ == known
    ref = weakref.ref(value) if hasattr(value, "__weakref__") else None
    del value
    gc.collect()
    assert ref is None or ref() is None
    assert all(member.is_known for member in enum)


async def test_three_hundred_unknown_values_do_not_stay_in_memory(
    fake: FakeFlinkey, client: FlinkeyClient
) -> None:
    """Distinct unknown product types from a server leave nothing behind once dropped."""
    before = len(ProductType._value2member_map_)
    product = fake.store.customer(1).products[501]
    for n in range(300):
        product["type"] = f"type {n} " + "y" * 10_000
        assert not (await client.services.get_product(101)).type.is_known
    assert len(ProductType._value2member_map_) == before
