"""Queries: build + render the typical query versus an f-string; re-rendering a rendered Query.

The typical query has 3 conditions (one a user string needing quote doubling and
percent-encoding), 3 selects, an orderby, top and skip. The f-string baseline escapes the
user's string exactly as the SDK does (quote doubling, then ``urllib.parse.quote`` with the
SDK's safe set ``'(),:$*``) and has every constant part written pre-encoded by hand. Each
call uses a different skip, so no cache keyed by value can answer it.
"""

from __future__ import annotations

import gc
import time
from typing import Any
from urllib.parse import quote

from _common import Samples, parse_args, timed
from _results import Report

from flinkey_async import Query, Service, fields

NAME = "O'Brien & Sons"
MIN_ID = 100
s = fields(Service)
SDK = "SDK: Query()...filter/select/orderby/top/skip, str()"
HAND = "f-string with the same escaping"
REUSED = "SDK: a prebuilt base query + .top().skip(), str()"
FIRST = "first str(q) of a fresh Query"
AGAIN = "str(q) of a Query rendered once"


def build(skip: int) -> Query[Any]:
    """The typical query, built from scratch."""
    return (
        Query()
        .filter((s.is_terminated == False) & s.name.contains(NAME) & (s.id >= MIN_ID))  # noqa: E712
        .select(s.id, s.name, s.termination_date)
        .orderby(s.name.desc())
        .top(20)
        .skip(skip)
    )


def by_hand(skip: int) -> str:
    """The same query string as an f-string, the user's string escaped like the SDK does."""
    text = quote("'" + NAME.replace("'", "''") + "'", safe="'(),:$*")
    return (
        f"$filter=isTerminated%20eq%20false%20and%20contains(name,{text})%20and%20id%20ge%20"
        f"{MIN_ID}&$select=id,name,terminationDate&$orderby=name%20desc&$top=20&$skip={skip}"
    )


def rerender(calls: int, rounds: int, inner: int) -> dict[str, Samples]:
    """Per sub-round: build `calls` fresh queries (not timed), render each, render each again."""
    samples: dict[str, Samples] = {name: {"cpu": [], "wall": []} for name in (FIRST, AGAIN)}
    for _ in range(rounds):
        sums = {name: {"cpu": 0.0, "wall": 0.0} for name in samples}
        for _ in range(inner):
            queries = [build(i) for i in range(calls)]
            for name in (FIRST, AGAIN):
                gc.collect()
                wall, cpu = time.perf_counter(), time.process_time()
                for q in queries:
                    str(q)
                sums[name]["cpu"] += time.process_time() - cpu
                sums[name]["wall"] += time.perf_counter() - wall
        for name, clocks in sums.items():
            for clock, seconds in clocks.items():
                samples[name][clock].append(seconds)
    return samples


def main() -> None:
    """Run the benchmark and emit its result."""
    args = parse_args(__doc__.splitlines()[0])
    calls, rounds, inner = (500, 7, 1) if args.quick else (2_000, 21, 5)
    for skip in (0, 40, 12345):
        if str(build(skip)) != by_hand(skip):
            raise AssertionError((str(build(skip)), by_hand(skip)))
    base = build(0).top(None).skip(None)

    def loop(fn: Any) -> Any:
        return lambda: [fn(i) for i in range(calls)]

    samples = timed(
        {
            HAND: loop(by_hand),
            SDK: loop(lambda i: str(build(i))),
            REUSED: loop(lambda i: str(base.top(20).skip(i))),
        },
        rounds,
        inner=inner,
    )
    samples.update(rerender(calls, rounds, inner))
    report = Report(
        "query",
        "Query building and rendering (bench_query.py)",
        f"`{by_hand(40)}`\n\n{calls:,} calls per run, {inner} run(s) per contender and round; "
        "CPU-only, figures per call.",
        rounds=rounds,
        full_rounds=21,
        quick=args.quick,
    )
    scale = 1e6 / (calls * inner)
    rows = report.section("Build + render", "µs per query", scale)
    report.add(rows, samples, HAND)
    report.add(rows, samples, SDK, vs=HAND, target=("≤", 2.0), goal="build + render the query")
    report.add(rows, samples, REUSED, vs=HAND)
    rows = report.section(
        "Render again",
        "µs per query",
        scale,
        "Fresh queries (each with its own skip) are built untimed, rendered once, then again.",
    )
    report.add(rows, samples, FIRST)
    report.add(rows, samples, AGAIN, vs=FIRST, target=("≤", 0.1), goal="re-render a Query")
    report.emit(args.json)


if __name__ == "__main__":
    main()
