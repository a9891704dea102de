"""The CLI's output: wire-shaped JSON, and the column table that replaced tabulate."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from flinkey_async._cli._output import print_result, table
from flinkey_async.models import PartialService, Service

SERVICE = Service(
    id=7,
    name="Fleet\tKöln\n\x1b[31mred",
    is_terminated=True,
    termination_date=datetime(2025, 1, 2, 3, 4, tzinfo=UTC),
)


def test_table_columns() -> None:
    """Headers from the keys in first-seen order, a dashed rule, '-' for gaps, numbers right."""
    rows = [{"id": 1, "name": "a"}, {"id": 100, "extra": [1, "x"], "flag": False, "ratio": 0.5}]
    assert table(rows).splitlines() == [
        " id  name  extra    flag   ratio",
        "---  ----  -------  -----  -----",
        "  1  a     -        -          -",
        '100  -     [1,"x"]  false    0.5',
    ]


def test_table_flattens_objects_into_path_columns() -> None:
    """A nested object's parts are columns named by their $select path."""
    rows = [{"id": 1, "userData": {"firstName": "Ada", "lastName": None}, "empty": {}}]
    assert table(rows).splitlines()[0].split() == [
        "id",
        "userData/firstName",
        "userData/lastName",
        "empty",
    ]


def test_table_cells_are_one_line_and_escaped() -> None:
    """Whitespace runs fold to one space; control characters (terminal escapes) are escaped."""
    out = io.StringIO()
    print_result(SERVICE, as_json=False, out=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert "Fleet Köln \\x1b[31mred" in lines[2]
    assert "\x1b" not in out.getvalue()
    assert table([{"name": ""}]).splitlines()[2] == '""'


def test_an_ascii_terminal_gets_escapes_not_an_error() -> None:
    """Characters the output cannot encode are escaped (table) or \\u-escaped (JSON)."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    print_result([SERVICE], as_json=False, out=out)
    out.flush()
    lines = raw.getvalue().decode("ascii").splitlines()
    assert "Fleet K\\xf6ln" in lines[2]
    assert lines[0].index("isTerminated") == lines[2].index("true")
    raw.seek(0)
    raw.truncate()
    print_result([SERVICE], as_json=True, out=out)
    out.flush()
    assert '"Fleet\\tK\\u00f6ln' in raw.getvalue().decode("ascii")
    assert json.loads(raw.getvalue())[0]["name"] == SERVICE.name


def test_json_is_the_wire_shape() -> None:
    """--json prints camelCase keys, ISO date-times, and only the selected fields of partials."""
    out = io.StringIO()
    print_result(SERVICE, as_json=True, out=out)
    assert json.loads(out.getvalue()) == {
        "id": 7,
        "name": SERVICE.name,
        "isTerminated": True,
        "terminationDate": "2025-01-02T03:04:00+00:00",
        "terminationCause": None,
        "productId": None,
    }
    out = io.StringIO()
    print_result([PartialService(id=1, name="n")], as_json=True, out=out)
    assert json.loads(out.getvalue()) == [{"id": 1, "name": "n"}]


def test_plain_values_get_a_label() -> None:
    """A list of strings (brand names) is one column under the given label."""
    out = io.StringIO()
    print_result(["BMW", "VW"], as_json=False, out=out, label="brand")
    assert out.getvalue() == "brand\n-----\nBMW\nVW\n"
