"""Build + render a typical five-option query, against a hand-written f-string of the same.

Run: python benchmarks/bench_query.py  (writes its results to /work/notes/odata-bench.txt too)
"""

from __future__ import annotations

import platform
import statistics
import sys
import timeit
from pathlib import Path

from flinkey_async import Query, Service, fields

NOTES = Path("/work/notes/odata-bench.txt")
REPEATS = 7
s = fields(Service)


def builder(skip: int = 40) -> str:
    """The query through the builder: two conditions, select, orderby, top, skip."""
    return (
        Query()
        .filter((s.is_terminated == False) & s.name.contains("O'Brien & Sons"))  # noqa: E712
        .select(s.id, s.name, s.termination_date)
        .orderby(s.name.desc())
        .top(20)
        .skip(skip)
        .to_query_string()
    )


def by_hand(skip: int = 40) -> str:
    """The same query as one f-string (values pre-escaped by hand, as a careful user would)."""
    return (
        "$filter=isTerminated%20eq%20false%20and%20contains(name,'O''Brien%20%26%20Sons')"
        f"&$select=id,name,terminationDate&$orderby=name%20desc&$top=20&$skip={skip}"
    )


def median_us(func: object, number: int) -> float:
    """Median microseconds per call over REPEATS runs of `number` calls."""
    runs = timeit.repeat(func, number=number, repeat=REPEATS)  # type: ignore[arg-type]
    return statistics.median(runs) / number * 1e6


def main() -> None:
    """Measure both, print and save the figures."""
    assert builder() == by_hand(), (builder(), by_hand())
    built = median_us(builder, 5_000)
    hand = median_us(by_hand, 200_000)
    lines = [
        f"flinkey_async query builder benchmark ({platform.python_implementation()} "
        f"{sys.version.split()[0]}, median of {REPEATS} repeats)",
        f"query: {builder()}",
        f"builder (build + render + encode): {built:8.2f} us/query",
        f"hand-written f-string:             {hand:8.3f} us/query",
        f"ratio builder / f-string:          {built / hand:8.0f}x",
    ]
    print("\n".join(lines))
    if NOTES.parent.is_dir():
        NOTES.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
