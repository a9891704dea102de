"""Values cross process boundaries: every registry model, partial, query, result and error pickles.

The models come from the registry, so a new resource is covered without touching this file.
"""

from __future__ import annotations

import inspect
import pickle
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flinkey_async
from flinkey_async import UNSET, BulkFetchError, FlinkeyError, ListResult, Query, Secret, fields
from flinkey_async._model import OpenEnum
from flinkey_async._registry import ROUTES

PROTOCOLS = range(2, pickle.HIGHEST_PROTOCOL + 1)


def _holds_secret(cls: type[Any]) -> bool:
    return any(a.type in (Secret, "Secret") for a in attrs.fields(cls))


MODELS = sorted(
    {
        model
        for route in ROUTES
        for model in (route.model, route.partial)
        if model is not None and attrs.has(model)
    },
    key=lambda cls: cls.__name__,
)
PICKLABLE = [cls for cls in MODELS if not _holds_secret(cls)]
PARTIALS = [cls for cls in PICKLABLE if all(a.default is UNSET for a in attrs.fields(cls))]
OPEN_ENUMS = sorted(
    {
        member
        for name in dir(flinkey_async.models)
        if isinstance(member := getattr(flinkey_async.models, name), type)
        and issubclass(member, OpenEnum)
        and member is not OpenEnum
    },
    key=lambda cls: cls.__name__,
)
ERRORS = sorted(
    {
        value
        for name in dir(flinkey_async)
        if isinstance(value := getattr(flinkey_async, name), type)
        and issubclass(value, FlinkeyError)
    },
    key=lambda cls: cls.__name__,
)

st.register_type_strategy(Secret, st.text(min_size=1).filter(str.strip).map(Secret))


def _same(a: Any, b: Any) -> bool:
    """Equal, field by field, taking NaN (which a float field may hold) as equal to itself."""
    if attrs.has(type(a)) and type(a) is type(b):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in attrs.fields(type(a)))
    return bool(a == b) or (a != a and b != b)


def round_trip(value: Any, protocol: int = pickle.HIGHEST_PROTOCOL) -> Any:
    return pickle.loads(pickle.dumps(value, protocol))


def test_the_registry_is_read() -> None:
    """Every readable model and partial of the registry is here (and the request bodies)."""
    names = {cls.__name__ for cls in MODELS}
    assert {"Car", "PartialCar", "Service", "PartialService", "Key", "PartialKey"} <= names
    assert {cls.__name__ for cls in MODELS if _holds_secret(cls)} == {"SdkTokenRequest"}
    assert len(PARTIALS) == 8
    assert [cls.__name__ for cls in OPEN_ENUMS] == ["EventType", "ProductType"]


@pytest.mark.parametrize("model", PICKLABLE, ids=lambda cls: cls.__name__)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_model_round_trips(model: type[Any], data: st.DataObject) -> None:
    """Any instance, with every protocol, comes back equal; UNSET fields stay the singleton."""
    value = data.draw(st.from_type(model))
    for protocol in PROTOCOLS:
        copy = round_trip(value, protocol)
        assert _same(copy, value)
        assert type(copy) is model
        for a in attrs.fields(model):
            assert (getattr(copy, a.name) is UNSET) is (getattr(value, a.name) is UNSET)


@pytest.mark.parametrize("partial", PARTIALS, ids=lambda cls: cls.__name__)
def test_an_empty_partial_keeps_every_field_unset(partial: type[Any]) -> None:
    """A partial with nothing selected unpickles with every field the very UNSET object."""
    copy = round_trip(partial())
    assert all(getattr(copy, a.name) is UNSET for a in attrs.fields(partial))


@pytest.mark.parametrize("partial", PARTIALS, ids=lambda cls: cls.__name__)
def test_a_list_result_keeps_its_items_and_total_count(partial: type[Any]) -> None:
    """ListResult of partials round-trips with its total_count (and stays a ListResult)."""
    result = ListResult([partial(), partial()], total_count=41)
    copy = round_trip(result)
    assert (type(copy), copy, copy.total_count) == (ListResult, result, 41)
    assert round_trip(ListResult([])).total_count is None


@pytest.mark.parametrize("model", PICKLABLE, ids=lambda cls: cls.__name__)
def test_a_query_over_each_model_round_trips(model: type[Any]) -> None:
    """A query selecting, filtering and ordering by a model's fields comes back equal."""
    refs = fields(model)
    first, *rest = (getattr(refs, a.name) for a in attrs.fields(model))
    query = Query().select(first, *rest).filter(first == first).orderby(first.desc()).top(5)
    copy = round_trip(query)
    assert (copy, hash(copy), str(copy)) == (query, hash(query), str(query))


@pytest.mark.parametrize("model", [cls for cls in MODELS if _holds_secret(cls)], ids=repr)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_secrets_and_models_holding_them_refuse_pickling(
    model: type[Any], data: st.DataObject
) -> None:
    """A Secret never leaves in a pickle, alone or inside a request model."""
    with pytest.raises(TypeError, match="secrets cannot be pickled"):
        pickle.dumps(Secret("key"))
    with pytest.raises(TypeError, match="secrets cannot be pickled"):
        pickle.dumps(data.draw(st.from_type(model)))


@pytest.mark.parametrize("enum_type", OPEN_ENUMS, ids=lambda cls: cls.__name__)
def test_open_enum_values_round_trip_known_or_not(enum_type: type[OpenEnum]) -> None:
    """Known members come back as themselves; an unknown value as an equal unknown member."""
    for member in enum_type:
        assert round_trip(member) is member
    unknown = round_trip(enum_type("added by flinkey next year"))
    assert (type(unknown), unknown, unknown.is_known) == (
        enum_type,
        "added by flinkey next year",
        False,
    )


def _error(cls: type[FlinkeyError]) -> FlinkeyError:
    extra = {"json_path": "$.items[0]", "request_sent": False}
    own = inspect.signature(cls.__init__).parameters
    error = cls(
        "flinkey said no",
        status=429,
        body_excerpt='{"message": "flinkey said no"}',
        method="GET",
        url="https://api.flinkey.de/v3/cars/7",
        trace_id="00-abc-01",
        retry_after=2.5,
        retries_taken=3,
        **{name: value for name, value in extra.items() if name in own},
    )
    error.add_note("while fetching car 7")
    return error


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.__name__)
def test_every_error_round_trips_with_its_fields(cls: type[FlinkeyError]) -> None:
    """Each error class comes back with the same type, message, fields and notes."""
    error = _error(cls)
    assert len(vars(error)) >= 9
    for protocol in PROTOCOLS:
        copy = round_trip(error, protocol)
        assert type(copy) is cls
        assert (str(copy), repr(copy), copy.args) == (str(error), repr(error), error.args)
        assert vars(copy) == vars(error)


@settings(max_examples=5, deadline=None)
@given(service=st.from_type(flinkey_async.Service))
def test_a_bulk_fetch_error_keeps_its_results_ids_and_failures(
    service: flinkey_async.Service,
) -> None:
    """BulkFetchError unpickles with results aligned to ids and the distinct failures."""
    not_found = _error(flinkey_async.NotFoundError)
    error = BulkFetchError(
        "1 of 2 service fetches failed", [not_found], ids=(101, 999), results=[service, not_found]
    )
    copy = round_trip(error)
    assert type(copy) is BulkFetchError
    assert (copy.message, copy.ids, copy.results[0]) == (error.message, (101, 999), service)
    assert vars(copy.results[1]) == vars(not_found)
    assert copy.exceptions[0] is copy.results[1]
