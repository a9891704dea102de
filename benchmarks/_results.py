"""Results: per-round samples to medians, spreads, same-run ratios and verdicts; JSON and Markdown.

A ratio is always the median of the per-round ratios (contender / baseline, both timed in
the same round), with the smallest and largest per-round ratio as its spread. A target is
judged on that median. A home-made primitive (with / without it) "wins beyond the noise"
only if it is faster in every round (largest per-round ratio < 1.00), "loses beyond the
noise" if slower in every round, and is "within the noise" otherwise.
"""

from __future__ import annotations

import datetime
import json
import operator
import os
import platform
import statistics
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, Final

RESULTS: Final = Path(__file__).resolve().parent / "results"
PACKAGES: Final = (
    "flinkey-async",
    "aiohttp",
    "yarl",
    "attrs",
    "cattrs",
    "orjson",
    "httpx",
    "msgspec",
    "pydantic",
    "pydantic-core",
)
OPS: Final[dict[str, Callable[[float, float], bool]]] = {"≤": operator.le, "<": operator.lt}
X: Final = "\u00d7"  # the multiplication sign of a ratio
DASH: Final = "\u2013"  # the en dash of a range
RATIO_HOW: Final = f"median of per-round ratios (min{DASH}max over rounds)"
# When this benchmark process started (before any measurement), and the load then.
STARTED: Final = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
LOAD_AT_START: Final = os.getloadavg()[0]


def spread(values: list[float]) -> dict[str, float]:
    """Median, min and max of a list of figures."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def num(x: float) -> str:
    """A figure with about three significant digits."""
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}" if abs(x) >= 1 else f"{x:.3f}"


def span(s: dict[str, float], unit: str = "") -> str:
    """'median (min-max)' of a spread."""
    return f"{num(s['median'])}{unit} ({num(s['min'])}{DASH}{num(s['max'])})"


def ratio_text(s: dict[str, float]) -> str:
    """'median (min-max)' of a ratio's spread (the median to 3 places: targets sit at x.xx)."""
    return f"{s['median']:.3f}{X} ({s['min']:.2f}{DASH}{s['max']:.2f})"


def machine() -> dict[str, str]:
    """The machine and software the figures come from."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return {
        "cpu": f"{cpu}, {os.cpu_count()} logical cores",
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": ", ".join(versions),
    }


class Report:
    """One benchmark's result, built row by row, then emitted as JSON (+ Markdown)."""

    def __init__(
        self, bench: str, title: str, intro: str, *, rounds: int, full_rounds: int, quick: bool
    ) -> None:
        self.data: dict[str, Any] = {
            "bench": bench,
            "title": title,
            "intro": intro,
            "mode": "quick" if quick else "full",
            "rounds": rounds,
            "full_rounds": full_rounds,
            "started": STARTED,
            "load_before": LOAD_AT_START,
            "machine": machine(),
            "sections": [],
            "checks": [],
        }

    def section(self, title: str, unit: str, scale: float, text: str = "") -> list[Any]:
        """Start a table of rows; figures are seconds * scale, in `unit`."""
        rows: list[Any] = []
        self.data["sections"].append(
            {"title": title, "unit": unit, "scale": scale, "text": text, "rows": rows}
        )
        return rows

    def add(
        self,
        rows: list[Any],
        samples: dict[str, dict[str, list[float]]],
        name: str,
        *,
        vs: str | None = None,
        target: tuple[str, float] | None = None,
        goal: str | None = None,
        primitive: str | None = None,
    ) -> dict[str, Any]:
        """Add a contender's row; `vs` names its baseline (a ratio), `target` its goal."""
        scale = self.data["sections"][-1]["scale"]
        mine = samples[name]
        row: dict[str, Any] = {
            "name": name,
            "stats": {clock: spread([v * scale for v in mine[clock]]) for clock in mine},
            "vs": vs,
        }
        if vs is not None:
            base = samples[vs]
            row["ratio"] = {
                clock: spread([a / b for a, b in zip(mine[clock], base[clock], strict=True)])
                for clock in mine
            }
            r = row["ratio"]["cpu"]
            if target is not None:
                op, value = target
                met = OPS[op](r["median"], value)
                self.check(goal or name, vs, ratio_text(r), f"{op} {value:.2f}{X}", met)
                row["target"] = {"op": op, "value": value, "met": met}
            if primitive is not None:
                verdict = (
                    "wins beyond the noise (faster in every round)"
                    if r["max"] < 1
                    else "loses beyond the noise (slower in every round)"
                    if r["min"] > 1
                    else "within the noise (per-round ratios straddle 1.00)"
                )
                row["primitive"] = {"what": primitive, "verdict": verdict}
        rows.append(row)
        return row

    def check(self, goal: str, baseline: str, measured: str, target: str, met: bool) -> None:
        """Record a target and whether the measurement met it."""
        self.data["checks"].append(
            {"goal": goal, "baseline": baseline, "measured": measured, "target": target, "met": met}
        )

    def table(self, title: str, headers: list[str], rows: list[list[str]], text: str = "") -> None:
        """Add a free-form table (e.g. memory figures)."""
        self.data["sections"].append(
            {"title": title, "headers": headers, "rows": rows, "text": text}
        )

    def note(self, text: str) -> None:
        self.data.setdefault("notes", []).append(text)

    def emit(self, as_json: bool) -> None:
        """Write results/<bench>.json (results/quick/ in quick mode) and print the result."""
        self.data["load_after"] = os.getloadavg()[0]
        folder = RESULTS / "quick" if self.data["mode"] == "quick" else RESULTS
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.data['bench']}.json"
        path.write_text(json.dumps(self.data, indent=1, ensure_ascii=False) + "\n")
        if as_json:
            print(json.dumps(self.data, ensure_ascii=False))
        else:
            print(markdown(self.data))
            print(f"\n(written to {path})", file=sys.stderr)


def _row_cells(row: dict[str, Any], unit: str) -> list[str]:
    stats, ratio = row["stats"], row.get("ratio")
    cells = [row["name"], span(stats["cpu"]), span(stats["wall"])]
    if ratio is None:
        return [*cells, "baseline", "", "", ""]
    target, primitive = row.get("target"), row.get("primitive")
    if target is not None:
        goal = f"{target['op']} {target['value']:.2f}{X}"
        verdict = "**met**" if target["met"] else "**missed**"
    elif primitive is not None:
        goal, verdict = f"< 1.00{X} beyond noise", primitive["verdict"]
    else:
        goal, verdict = "(informational)", ""
    return [
        *cells,
        f"{ratio_text(ratio['cpu'])} vs {row['vs']}",
        ratio_text(ratio["wall"]),
        goal,
        verdict,
    ]


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def markdown(data: dict[str, Any]) -> str:
    """One benchmark's result as Markdown."""
    out = [f"### {data['title']}", "", data["intro"], ""]
    rounds = f"{data['rounds']} interleaved rounds"
    if data["mode"] == "quick":
        rounds += (
            f" — QUICK MODE: fewer items and rounds than the full run's {data['full_rounds']};"
            " figures are a smoke test, not results"
        )
    out += [
        f"{rounds}; started {data['started']}; 1-minute load average {data['load_before']:.2f} "
        f"before, {data.get('load_after', 0):.2f} after. Ratios: {RATIO_HOW}.",
        "",
    ]
    for sec in data["sections"]:
        out += [f"**{sec['title']}**", ""]
        if sec.get("text"):
            out += [sec["text"], ""]
        if "headers" in sec:
            out += [table(sec["headers"], sec["rows"]), ""]
            continue
        unit = sec["unit"]
        headers = [
            "contender",
            f"CPU {unit}: median (min{DASH}max)",
            f"wall {unit}: median (min{DASH}max)",
            "ratio, CPU",
            "ratio, wall",
            "target (CPU ratio)",
            "verdict",
        ]
        out += [table(headers, [_row_cells(r, unit) for r in sec["rows"]]), ""]
    out += [f"- {note}" for note in data.get("notes", [])]
    return "\n".join(out).rstrip() + "\n"
