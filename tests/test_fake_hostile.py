"""Hostile input to the fake server is a 400 (never a 500), and the server keeps serving."""

from __future__ import annotations

import pytest
from _fake_http import call

from flinkey_async.testing import FakeFlinkey
from flinkey_async.testing._filter import MSG_TOO_DEEP
from flinkey_async.testing._wire import MSG_BAD_CUSTOMER_ID

DIGITS = "9" * 5000
NEST = 3000  # deeper than the fake's limit of 800, within aiohttp's 8190-byte request line
NOT_QUOTED = "%20"


def _q(text: str) -> str:
    return text.replace(" ", NOT_QUOTED)


HOSTILE_QUERIES = [
    (f"services?$top={DIGITS}", f"Invalid value '{'9' * 40}...' for $top query option found."),
    (f"services?$skip={DIGITS}", f"Invalid value '{'9' * 40}...' for $skip query option found."),
    (
        _q(f"services?$filter=id eq {DIGITS}"),
        f"The query specified in the URI is not valid. '{'9' * 20}...' is out of range.",
    ),
    (
        _q(f"services?$filter=id eq {DIGITS}.5"),
        f"The query specified in the URI is not valid. '{'9' * 20}...' is out of range.",
    ),
    (
        _q("services?$filter=duration'P999999999DT99999999H' eq duration'PT1S'"),
        "The duration 'P999999999DT99999999H' is out of range.",
    ),
    (
        _q("services?$filter=duration'P9999999999999999999999D' eq duration'PT1S'"),
        "'P9999999999999999999999D' is not a valid duration (only D, H, M, S are supported).",
    ),
    (_q(f"services?$filter={'(' * NEST}id eq 1{')' * NEST}"), MSG_TOO_DEEP),
    (_q(f"services?$orderby={'(' * NEST}id{')' * NEST}"), MSG_TOO_DEEP),
    (_q(f"cars/1001/events?$filter={'(' * NEST}id eq 1{')' * NEST}"), MSG_TOO_DEEP),
    (_q(f"services/{DIGITS}"), f"The value '{'9' * 40}...' is not valid for serviceId."),
    (_q(f"cars/{DIGITS}/events"), f"The value '{'9' * 40}...' is not valid for carId."),
    ("cars/%D9%A3", "The value '\u0663' is not valid for carId."),  # an Arabic-Indic 3
    ("cars/%C2%B2", "The value '\u00b2' is not valid for carId."),  # a superscript 2
    ("cars/-1", "The value '-1' is not valid for carId."),
    ("cars/2147483648", "The value '2147483648' is not valid for carId."),
]


@pytest.mark.parametrize(("path", "message"), HOSTILE_QUERIES)
async def test_hostile_queries_and_ids_are_400(fake: FakeFlinkey, path: str, message: str) -> None:
    """Numbers of 5,000 digits, absurd durations, deep nesting, non-ASCII digits: 400."""
    answer = await call(fake, "GET", path)
    assert (answer.status, answer.text) == (400, message)
    assert (await call(fake, "GET", "services")).status == 200


@pytest.mark.parametrize("header", [DIGITS, "\u00b2", "1" * 11, "1.0", "0x1"])
async def test_hostile_customer_ids_are_400(fake: FakeFlinkey, header: str) -> None:
    """A Customer-ID int() would refuse or misread is the 400 of a malformed header."""
    answer = await call(fake, "GET", "cars", customer=header)
    assert (answer.status, answer.text) == (400, MSG_BAD_CUSTOMER_ID)


@pytest.mark.parametrize("opening", ["(", "not%20("])
async def test_a_request_line_over_aiohttps_limit_is_400(fake: FakeFlinkey, opening: str) -> None:
    """10,000 parentheses exceed the 8190-byte request line: 400 before any OData parsing."""
    answer = await call(fake, "GET", f"services?$filter={opening * 10_000}true")
    assert answer.status == 400
    assert (await call(fake, "GET", "services")).status == 200


@pytest.mark.parametrize(
    "query",
    [
        "not " * 1300 + "true",
        " or ".join(["id eq 1"] * 350),
        " and ".join(["(id ge 101" + " or id eq 1" * 3 + ")"] * 100),
    ],
    ids=["1300-nots", "350-ors", "wide"],
)
async def test_long_but_legal_filters_are_evaluated(fake: FakeFlinkey, query: str) -> None:
    """Long chains without deep parentheses are evaluated without exhausting recursion."""
    answer = await call(fake, "GET", _q(f"services?$filter={query}"))
    assert answer.status == 200


async def test_nesting_up_to_the_limit_is_evaluated(fake: FakeFlinkey) -> None:
    """800 levels of parentheses are fine; 801 are refused."""
    ok = await call(fake, "GET", _q(f"services?$filter={'(' * 800}id eq 101{')' * 800}"))
    assert (ok.status, ok.text.count('"id"')) == (200, 1)
    deep = await call(fake, "GET", _q(f"services?$filter={'(' * 801}id eq 101{')' * 801}"))
    assert (deep.status, deep.text) == (400, MSG_TOO_DEEP)


async def test_an_out_of_range_date_literal_is_400(fake: FakeFlinkey) -> None:
    """An impossible date in a filter is refused by the parser, not raised."""
    answer = await call(fake, "GET", _q("services?$filter=terminationDate lt 2025-13-45T00:00:00Z"))
    assert answer.status == 400
