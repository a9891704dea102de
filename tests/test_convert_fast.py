"""The generated per-item structure functions accept and refuse exactly what cattrs does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flinkey_async import PartialService, Product, ProductType, ResponseDecodeError, Service
from flinkey_async._convert import (
    CONVERTER,
    compile_structurer,
    make_converter,
    structure_list,
    structure_one,
    wire_names,
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.sampled_from([1.0, 0.0, 2.5]),
    st.text(max_size=5),
    st.sampled_from(
        ["flinkey Box", "flinkey IQ", "2025-06-30T00:00:00Z", "2025-06-30T10:00:00", "x"]
    ),
)
json_values = st.one_of(
    json_scalars, st.lists(json_scalars, max_size=2), st.dictionaries(st.text(), json_scalars)
)


def _agree(cls: type[Any], conv: Any, value: Any) -> None:
    fast = compile_structurer(cls, conv)
    try:
        expected = conv.structure(value, cls)
    except Exception:
        with pytest.raises(Exception):  # noqa: B017, PT011 - any failure agrees
            fast(value)
        return
    assert fast(value) == expected


def _wire_dicts(cls: type[Any]) -> st.SearchStrategy[dict[str, Any]]:
    keys = list(wire_names(cls).values())
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, json_values))


@given(st.one_of(_wire_dicts(Service), json_values))
def test_service_fast_path_agrees_with_cattrs(value: Any) -> None:
    """Any JSON value: the generated function and the converter agree on Service."""
    _agree(Service, CONVERTER, value)


@given(st.one_of(_wire_dicts(Product), json_values))
def test_product_fast_path_agrees_with_cattrs(value: Any) -> None:
    """Any JSON value: the generated function and the converter agree on Product (enum field)."""
    _agree(Product, CONVERTER, value)


@attrs.frozen
class _Inner:
    code: str


@attrs.frozen
class _Shapes:
    ratio: float
    inner: _Inner
    maybe_inner: _Inner | None = None
    count: int = 3
    label: str | None = "none"
    kind: ProductType = ProductType.FLINKEY_BOX
    flag: bool = attrs.field(default=False, kw_only=True)


@attrs.frozen
class _WithFactory:
    tags: list[str] = attrs.Factory(list)


@given(st.one_of(_wire_dicts(_Shapes), json_values))
def test_other_shapes_agree_with_cattrs(value: Any) -> None:
    """Non-None defaults, kw_only, nested models and enums agree with the converter."""
    _agree(_Shapes, make_converter(), value)


def test_shapes_are_built() -> None:
    """Missing keys take the attrs defaults; nested models and enums are structured."""
    fast = compile_structurer(_Shapes, make_converter())
    shaped = fast({"ratio": 1, "inner": {"code": "a"}, "flag": True, "kind": "flinkey IQ"})
    assert shaped == _Shapes(1.0, _Inner("a"), flag=True, kind=ProductType.FLINKEY_IQ)
    assert type(shaped.ratio) is float


def test_factory_defaults_fall_back_to_the_converter() -> None:
    """A model the generator does not handle is structured by the converter as is."""
    fast = compile_structurer(_WithFactory, make_converter())
    assert fast({}) == _WithFactory()
    assert fast({"tags": ["a"]}) == _WithFactory(["a"])


def test_list_failure_still_names_the_json_path() -> None:
    """A bad item deep in a list is reported with its index and wire key."""
    good = {"id": 1, "name": "a", "isTerminated": False}
    with pytest.raises(ResponseDecodeError) as caught:
        structure_list([good, good, {**good, "isTerminated": "no"}], Service)
    assert caught.value.json_path == "$[2].isTerminated"
    with pytest.raises(ResponseDecodeError) as caught:
        structure_list([good, [1]], Service)
    assert caught.value.json_path == "$[1]"


def test_one_object_round_trip() -> None:
    """structure_one uses the same fast path, datetimes come back aware."""
    service = structure_one(
        {"id": 7, "name": "x", "isTerminated": True, "terminationDate": "2025-06-30T00:00:00"},
        Service,
    )
    assert service.termination_date == datetime(2025, 6, 30, tzinfo=UTC)


@given(st.one_of(_wire_dicts(PartialService), json_values))
def test_partial_fast_path_agrees_with_cattrs(value: Any) -> None:
    """Partial models (UNSET defaults, ``T | UnsetType | None`` fields) agree too."""
    _agree(PartialService, CONVERTER, value)


def test_slot_built_instances_are_the_models_own() -> None:
    """Built by setting slots: the model's own class, equal, hashable and still frozen."""
    row = {
        "id": 7,
        "name": "x",
        "isTerminated": True,
        "terminationDate": "2025-06-30T10:00:00+02:00",
    }
    fast = compile_structurer(Service, CONVERTER)(row)
    assert type(fast) is Service
    assert fast == CONVERTER.structure(row, Service)
    assert hash(fast) == hash(CONVERTER.structure(row, Service))
    assert fast.termination_date == datetime(2025, 6, 30, 8, tzinfo=UTC)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.name = "y"  # type: ignore[misc]


@attrs.frozen
class _Validated:
    count: int = attrs.field(validator=attrs.validators.ge(0))


@attrs.frozen
class _Converted:
    name: str = attrs.field(converter=str.upper)


_POSTED: list[str] = []


@attrs.frozen
class _PostInit:
    name: str

    def __attrs_post_init__(self) -> None:
        _POSTED.append(self.name)


@attrs.frozen(cache_hash=True)
class _CachedHash:
    name: str


def test_models_with_init_logic_are_built_by_their_init() -> None:
    """Validators, converters, post-init hooks and hash caches still run (the class is called)."""
    conv = make_converter()
    with pytest.raises(ValueError, match="count"):
        compile_structurer(_Validated, conv)({"count": -1})
    assert compile_structurer(_Converted, conv)({"name": "ab"}).name == "AB"
    compile_structurer(_PostInit, conv)({"name": "a"})
    assert _POSTED == ["a"]
    cached = compile_structurer(_CachedHash, conv)({"name": "a"})
    assert hash(cached) == hash(_CachedHash("a"))
