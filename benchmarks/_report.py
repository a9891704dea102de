"""benchmarks/README.md, generated from benchmarks/results/*.json (python benchmarks/_report.py).

Every figure in the README comes from a results file that a benchmark wrote and printed;
nothing is typed in by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from _results import RATIO_HOW, RESULTS, markdown, ratio_text, table

README: Final = Path(__file__).resolve().parent / "README.md"
ORDER: Final = ("http", "list", "decode", "query", "stream", "import")
HEADER: Final = f"""# Benchmarks

Not part of the test suite (no test times anything). From the repository root, with
`pip install -e '.[bench]'`:

```
python benchmarks/run.py                    # full run (several minutes); rewrites this file
python benchmarks/run.py --quick            # smoke run (CI); prints, writes results/quick/
python benchmarks/run.py --only http,list   # some benchmarks only
python benchmarks/bench_http.py --profile   # cProfile the SDK side of the HTTP run
python benchmarks/_report.py                # rewrite this file from results/*.json
```

Method: each `bench_*.py` runs in its own process; HTTP servers (`_server.py`) run in yet
another process, so CPU time (`time.process_time`) is the client's own. Contenders are
timed in interleaved rounds, the order rotated each round, after an untimed
`gc.collect()`; a round may sum several interleaved runs per contender (said per table).
Each figure is the median over rounds with the range (min to max) beside it. A ratio is the
{RATIO_HOW}, judged on CPU time; wall time is shown beside it. A home-made primitive "wins
beyond the noise" only if the SDK with it is faster than without it in every round.
Every row decodes the same realistic payload (`_payload.py`: nullable fields populated, 4
unknown fields per row), and every baseline uses the same JSON loader (orjson) and 2xx
check as the SDK; the hand-written attrs baseline builds the SDK's own `Service` with the
checks documented in `_payload.service_from_row`. Variants of the SDK without one of its
primitives are patched in by `_variants.py` (the one module touching SDK internals).
The load average includes the benchmark's own client and server (up to about 2 on two
cores); CPU time is less disturbed by other processes than wall time, not immune to them.
"""


def load(folder: Path = RESULTS) -> list[dict[str, Any]]:
    """The results in `folder`, in the README's order."""
    found = {p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}
    return [found[n] for n in ORDER if n in found] + [
        found[n] for n in sorted(found) if n not in ORDER
    ]


def summary(results: list[dict[str, Any]]) -> str:
    """The targets and the home-made primitives of every benchmark, one table each."""
    checks = [
        [c["goal"], c["baseline"], c["measured"], c["target"], "met" if c["met"] else "MISSED"]
        for data in results
        for c in data["checks"]
    ]
    primitives = [
        [
            row["primitive"]["what"],
            row["vs"],
            ratio_text(row["ratio"]["cpu"]),
            row["primitive"]["verdict"],
        ]
        for data in results
        for sec in data["sections"]
        for row in sec.get("rows", [])
        if isinstance(row, dict) and "primitive" in row
    ]
    return "\n".join(
        [
            "## Targets (issue 11)",
            "",
            table(["row", "baseline", "measured (CPU ratio)", "target", "verdict"], checks),
            "",
            "## Home-made primitives: with / without (issue 11, item 3)",
            "",
            table(["primitive", "without it", "CPU ratio with/without", "verdict"], primitives),
            "",
        ]
    )


def machine(results: list[dict[str, Any]]) -> str:
    """The machine, software and load the figures come from."""
    if not results:
        return "No results yet."
    m = results[0]["machine"]
    loads = ", ".join(
        f"{d['bench']} {d['load_before']:.2f}→{d.get('load_after', 0):.2f}" for d in results
    )
    modes = sorted({d["mode"] for d in results})
    return "\n".join(
        [
            f"Results: {' and '.join(modes)} run, {results[0]['started']} (first benchmark).",
            "",
            f"- CPU: {m['cpu']}",
            f"- OS: {m['os']}",
            f"- Python: {m['python']}",
            f"- Packages: {m['packages']}",
            f"- 1-minute load average before→after each benchmark: {loads}",
            "",
        ]
    )


def document(results: list[dict[str, Any]]) -> str:
    """The whole README text."""
    body = [machine(results), summary(results), "## Details", ""]
    body += [markdown(data) for data in results]
    return HEADER + "\n" + "\n".join(body).rstrip() + "\n"


def main() -> None:
    """Rewrite benchmarks/README.md from benchmarks/results/*.json."""
    README.write_text(document(load()))
    print(f"wrote {README}")


if __name__ == "__main__":
    main()
