"""The wire form of every literal kind matches the OASIS OData ABNF (rules checked on its cases)."""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flinkey_async import literal
from flinkey_async._query import encode_value

# The OASIS files may not be committed (their license); point FLINKEY_ODATA_ABNF at a copy.
CASES_FILE = (
    Path(
        os.environ.get(
            "FLINKEY_ODATA_ABNF", Path(__file__).parents[1] / ".." / "shared" / "odata-abnf"
        )
    )
    / "odata-abnf-testcases.yaml"
)

# Transcribed from odata-abnf-construction-rules.txt (URL forms: SIGN, COLON and SQUOTE may be
# percent-encoded). ABNF quoted strings are case-insensitive unless marked %s.
_SQUOTE = r"(?:'|%27)"
_DATE = r"-?(?:0\d{3}|[1-9]\d{3,})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_HOUR, _MINUTE, _SECOND = r"(?:[01]\d|2[0-3])", r"[0-5]\d", r"(?:[0-5]\d|60)"
# pct-encoded-no-SQUOTE, as written: note that it also leaves out %7X (see the report).
_PCHAR = r"(?:[A-Za-z0-9\-._~!()*+,;$&=:@]|%[013-689A-Fa-f][0-9A-Fa-f]|%2[0-689A-Fa-f])"


def _forms(sign: str, colon: str, squote: str) -> dict[str, str]:
    """The rules that exist as a URL "...Literal" form and a payload "...Value" form."""
    time_ = rf"{_HOUR}{colon}{_MINUTE}(?:{colon}{_SECOND}(?:\.\d{{1,12}})?)?"
    return {
        "timeOfDay": time_,
        "dateTimeOffset": rf"{_DATE}(?i:T){time_}(?:(?i:Z)|{sign}{_HOUR}{colon}{_MINUTE})",
        "decimal": rf"{sign}?\d+(?:\.\d+)?(?:(?i:e){sign}?\d+)?|NaN|-INF|INF",
        "duration": r"(?i:-?P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?)",
    }


_URL = _forms(r"(?:\+|(?i:%2B)|-)", r"(?::|(?i:%3A))", _SQUOTE)
_VALUE = _forms(r"[+-]", ":", "'")
RULES: dict[str, re.Pattern[str]] = {
    "stringLiteral": re.compile(rf"{_SQUOTE}(?:{_SQUOTE}{_SQUOTE}|{_PCHAR})*{_SQUOTE}"),
    "date": re.compile(_DATE),
    "guid": re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}"),
    "boolean": re.compile(r"(?i:true|false)"),
    "durationLiteral": re.compile(rf"(?i:duration)?{_SQUOTE}{_URL['duration']}{_SQUOTE}"),
    **{f"{name}Literal": re.compile(rx) for name, rx in _URL.items() if name != "duration"},
    **{f"{name}Value": re.compile(rx) for name, rx in _VALUE.items()},
}
ALIASES = {
    "doubleLiteral": "decimalLiteral",
    "doubleValue": "decimalValue",
    "dateValue": "date",
    "dateTimeOffsetValueInUrl": "dateTimeOffsetLiteral",
}


def load_cases() -> list[dict[str, Any]]:
    """Read the test cases (a tiny reader for this file's simple YAML; no YAML dependency)."""
    cases: list[dict[str, Any]] = []
    lines = CASES_FILE.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if re.match(r"\s+- Name:", line):
            cases.append({})
            continue
        match = re.match(r"\s+(Rule|FailAt|Input):\s?(.*)$", line)
        if not (cases and match):
            continue
        key, value = match.groups()
        if key == "Input":
            while not _complete(value) and index < len(lines):
                nxt = lines[index].strip()
                index += 1
                value = value[:-1] + nxt if value.endswith("\\") else f"{value} {nxt}".strip()
            value = _unquote(value)
        cases[-1][key] = value
    return cases


def _complete(value: str) -> bool:
    if not value:
        return False
    if value[0] in "\"'":
        return len(value) > 1 and value.endswith(value[0]) and not value.endswith("\\" + value[0])
    return True


def _unquote(value: str) -> str:
    if value.startswith('"'):
        try:
            return str(json.loads(value))
        except ValueError:  # a YAML escape JSON lacks; not in the rules checked here
            return value[1:-1]
    if value.startswith("'"):
        return value[1:-1].replace("''", "'")
    return value


@pytest.fixture(scope="module")
def abnf_cases() -> list[dict[str, Any]]:
    """The official positive and negative cases for the literal rules we transcribed."""
    if not CASES_FILE.is_file():
        pytest.skip(
            f"the OASIS OData ABNF test cases are not at {CASES_FILE}; to run this test, get "
            "https://github.com/oasis-tcs/odata-abnf (abnf/ folder) and set FLINKEY_ODATA_ABNF "
            "to that folder (or place it at ../shared/odata-abnf)"
        )
    return [c for c in load_cases() if ALIASES.get(c.get("Rule", ""), c.get("Rule")) in RULES]


def test_transcribed_rules_agree_with_the_official_cases(abnf_cases: list[dict[str, Any]]) -> None:
    """Each transcribed rule accepts the positive cases and rejects the negative ones."""
    assert len(abnf_cases) >= 50
    wrong = []
    for case in abnf_cases:
        rule = RULES[ALIASES.get(case["Rule"], case["Rule"])]
        if bool(rule.fullmatch(case["Input"])) == ("FailAt" in case):
            wrong.append((case["Rule"], case["Input"], case.get("FailAt")))
    assert wrong == []


def wire(value: object) -> str:
    """The literal as it travels inside a query option."""
    return encode_value(literal(value))


OFFSETS = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))


@settings(max_examples=200, deadline=None)
@given(
    text=st.text().filter(lambda t: not set(t) & set("{|}\x7f")),
    number=st.integers(-(2**63), 2**63 - 1),
    double=st.floats(),
    decimal=st.decimals(
        allow_nan=False, allow_infinity=False, min_value=-(10**20), max_value=10**20
    ),
    flag=st.booleans(),
    moment=st.datetimes(
        timezones=OFFSETS, min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)
    ),
    day=st.dates(),
    clock=st.times(),
    span=st.timedeltas(),
    guid=st.uuids(),
)
def test_every_literal_matches_its_abnf_rule(
    abnf_cases: list[dict[str, Any]],
    text: str,
    number: int,
    double: float,
    decimal: Decimal,
    flag: bool,
    moment: datetime,
    day: date,
    clock: time,
    span: timedelta,
    guid: Any,
) -> None:
    """literal() + the wire encoding give text the grammar accepts, for every kind."""
    checks = [
        ("stringLiteral", text),
        ("decimalLiteral", number),
        ("decimalLiteral", double),
        ("decimalLiteral", decimal),
        ("boolean", flag),
        ("dateTimeOffsetLiteral", moment),
        ("date", day),
        ("timeOfDayLiteral", clock),
        ("durationLiteral", span),
        ("guid", guid),
    ]
    for rule, value in checks:
        assert RULES[rule].fullmatch(wire(value)), (rule, value, wire(value))


def test_curly_braces_and_pipe_fall_outside_the_string_rule_as_written() -> None:
    """pct-encoded-no-SQUOTE omits %7X, so '{', '|', '}' are outside the rule as transcribed."""
    assert wire("{|}") == "'%7B%7C%7D'"
    assert not RULES["stringLiteral"].fullmatch(wire("{|}"))
