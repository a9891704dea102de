"""Build + render a typical five-option query, against a hand-written f-string of the same.

Run: python benchmarks/bench_query.py  (writes its results to /work/notes/odata-bench.txt too,
when that folder exists); benchmarks/run.py runs it with --json.
"""

from __future__ import annotations

import platform
import statistics
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, parse_args, table

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
    """Measure both, print the figures (and save them when run by hand)."""
    args = parse_args(__doc__.splitlines()[0])
    assert builder() == by_hand(), (builder(), by_hand())
    scale = 5 if args.quick else 1
    built = median_us(builder, 5_000 // scale)
    hand = median_us(by_hand, 200_000 // scale)
    lines = [
        f"flinkey_async query builder benchmark ({platform.python_implementation()} "
        f"{sys.version.split()[0]}, median of {REPEATS} repeats)",
        f"query: {builder()}",
        f"builder (build + render + encode): {built:8.2f} us/query",
        f"hand-written f-string:             {hand:8.3f} us/query",
        f"ratio builder / f-string:          {built / hand:8.0f}x",
    ]
    if not args.json:
        print("\n".join(lines))
        if NOTES.parent.is_dir() and not args.quick:
            NOTES.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return
    rows = [
        ["Query builder (build + render + encode)", f"{built:.2f}", f"{built / hand:,.0f}x"],
        ["hand-written f-string (pre-escaped)", f"{hand:.3f}", "1x"],
    ]
    markdown = "\n".join(
        [
            "A five-option query (two conditions, select, orderby, top, skip), built and "
            f"rendered per call; median of {REPEATS} repeats.",
            "",
            f"`{builder()}`",
            "",
            table(["way", "µs per query", "vs f-string"], rows),
            "",
            "The f-string has no escaping or checks; the builder validates, escapes and "
            "percent-encodes.",
        ]
    )
    emit(
        {
            "name": "query",
            "title": "Query building (bench_query.py)",
            "markdown": markdown,
            "figures": {"builder_us": built, "fstring_us": hand, "ratio": built / hand},
        },
        args.json,
    )


if __name__ == "__main__":
    main()
