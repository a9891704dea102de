"""structure_list's generated list form: the same values and the same errors as item by item."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flinkey_async import (
    PartialService,
    Product,
    ProductType,
    ResponseDecodeError,
    Service,
)
from flinkey_async._convert import (
    CONVERTER,
    compile_structurer,
    structure_list,
    wire_names,
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.sampled_from([1.0, 0.0, 2.5, "1", "false", "true", "0"]),
    st.text(max_size=5),
    st.sampled_from(
        [
            "flinkey Box",
            "flinkey Pro",
            "2025-06-30T00:00:00Z",
            "2025-06-30T10:00:00.1234567+02:00",
            "2025-06-30T10:00:00",
            "2025-06-30T10:00:00z",
        ]
    ),
)


def _rows(cls: type[Any]) -> st.SearchStrategy[list[Any]]:
    keys = list(wire_names(cls).values())
    row = st.fixed_dictionaries({}, optional=dict.fromkeys(keys, scalars))
    return st.lists(st.one_of(row, scalars), max_size=4)


def _agree(cls: type[Any], items: list[Any]) -> None:
    """structure_list returns what the one-object function returns per item, or both fail."""
    one = compile_structurer(cls, CONVERTER)
    try:
        expected = [one(item) for item in items]
    except Exception:
        with pytest.raises(ResponseDecodeError):
            structure_list(items, cls)
        return
    got = structure_list(items, cls)
    assert got == expected
    assert [type(item) for item in got] == [cls] * len(items)


@given(_rows(Service))
def test_service_lists_agree_item_by_item(items: list[Any]) -> None:
    """Any list of rows: the list form and the one-object function agree on Service."""
    _agree(Service, items)


@given(_rows(Product))
def test_product_lists_agree_item_by_item(items: list[Any]) -> None:
    """An open enum field too: unknown values are kept, wrong types refused, in both forms."""
    _agree(Product, items)


@given(_rows(PartialService))
def test_partial_lists_agree_item_by_item(items: list[Any]) -> None:
    """Partial models (UNSET defaults) agree too."""
    _agree(PartialService, items)


def _service(date: Any = None, **changes: Any) -> dict[str, Any]:
    row = {"id": 1, "name": "a", "isTerminated": date is not None, "terminationDate": date}
    return {**row, **changes}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-30T10:00:00Z", datetime(2025, 6, 30, 10, tzinfo=UTC)),
        (
            "2025-06-30T10:00:00+02:00",
            datetime(2025, 6, 30, 10, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2025-06-30T10:00:00", datetime(2025, 6, 30, 10, tzinfo=UTC)),
        ("2025-06-30T10:00:00.123Z", datetime(2025, 6, 30, 10, 0, 0, 123000, tzinfo=UTC)),
        # .NET sends 7 fractional digits; the 7th is dropped.
        ("2025-06-30T10:00:00.1234567Z", datetime(2025, 6, 30, 10, 0, 0, 123456, tzinfo=UTC)),
        (
            "2025-06-30T10:00:00.1234567-05:00",
            datetime(2025, 6, 30, 10, 0, 0, 123456, tzinfo=timezone(-timedelta(hours=5))),
        ),
    ],
)
def test_list_datetimes_are_aware(text: str, expected: datetime) -> None:
    """In a list: Z, offsets, no offset (read as UTC) and 7-digit fractions."""
    services = structure_list([_service(), _service(text)], Service)
    date = services[1].termination_date
    assert date == expected
    assert date is not None
    assert date.utcoffset() == expected.utcoffset()
    assert services[0].termination_date is None


@pytest.mark.parametrize(
    ("row", "path"),
    [
        (_service("2025-06-30T10:00:00z"), "$[1].terminationDate"),
        (_service("30.06.2025"), "$[1].terminationDate"),
        (_service(1751277600), "$[1].terminationDate"),
        (_service(isTerminated="false"), "$[1].isTerminated"),
        (_service(id="1"), "$[1].id"),
        (_service(id=True), "$[1].id"),
        (_service(productId=False), "$[1].productId"),
        ({"name": "a", "isTerminated": False}, "$[1].id"),
        ("a", "$[1]"),
        (None, "$[1]"),
    ],
)
def test_list_failures_name_the_json_path(row: Any, path: str) -> None:
    """A bad item raises ResponseDecodeError naming its index and wire key."""
    with pytest.raises(ResponseDecodeError) as caught:
        structure_list([_service(), row, _service()], Service)
    assert caught.value.json_path == path


def test_list_tolerates_what_one_object_does() -> None:
    """1.0 for an int is read as 1, unknown keys are ignored, an unknown enum value is kept."""
    (service,) = structure_list([_service(id=1.0, productId=7.0, extra={"x": 1})], Service)
    assert (service.id, service.product_id) == (1, 7)
    assert type(service.id) is int
    assert type(service.product_id) is int
    product = {
        "id": 1,
        "uniqueId": "u",
        "serialNumber": "s",
        "sapNumber": "p",
        "type": "flinkey Pro",
    }
    (got,) = structure_list({"value": [product], "@odata.count": 1}, Product)
    assert got.type == "flinkey Pro"
    assert not got.type.is_known
    assert isinstance(got.type, ProductType)


@attrs.frozen
class _WithFactory:
    tags: list[str] = attrs.Factory(list)


def test_models_without_a_list_form_are_structured_per_item() -> None:
    """A model the generator does not handle still structures (and fails) in a list."""
    assert structure_list([{}, {"tags": ["a"]}], _WithFactory) == [
        _WithFactory(),
        _WithFactory(["a"]),
    ]
    with pytest.raises(ResponseDecodeError) as caught:
        structure_list([{}, {"tags": [1]}], _WithFactory)
    assert caught.value.json_path == "$[1].tags[0]"
