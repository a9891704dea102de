"""Run every benchmark (each bench_*.py in its own process) and report them.

python benchmarks/run.py            # full run: results/*.json, then README.md from them
python benchmarks/run.py --quick    # smoke run (CI): fewer items and rounds; results/quick/
Exits non-zero if any benchmark fails (an exception, a wrong answer, a timeout).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _report import ORDER, README, document, load, machine, summary  # noqa: E402
from _results import markdown  # noqa: E402


def run_one(script: Path, quick: bool) -> dict[str, object] | None:
    """Run one benchmark in a fresh interpreter; return its result, or None if it failed."""
    command = [sys.executable, str(script), "--json", *(["--quick"] if quick else [])]
    print(f"running {script.name} ...", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=120 if quick else 3600
        )
    except subprocess.TimeoutExpired:
        print(f"{script.name}: timed out", file=sys.stderr)
        return None
    if done.returncode != 0:
        print(
            f"{script.name} FAILED (exit {done.returncode}):\n{done.stderr[-3000:]}",
            file=sys.stderr,
        )
        return None
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Run the benchmarks and print (and, for a full run, publish) their results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: fewer items and rounds")
    parser.add_argument("--only", help="comma-separated benchmark names, e.g. http,decode")
    args = parser.parse_args()
    found = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    everything = [n for n in ORDER if n in found] + [n for n in found if n not in ORDER]
    names = args.only.split(",") if args.only else everything
    scripts = [HERE / f"bench_{name}.py" for name in names]
    missing = [str(s) for s in scripts if not s.exists()]
    if missing:
        sys.exit(f"no such benchmark: {', '.join(missing)}")
    results, failed = [], []
    for script in scripts:
        result = run_one(script, args.quick)
        if result is None:
            failed.append(script.name)
        else:
            results.append(result)
    if args.quick:
        print("QUICK MODE: a smoke run with fewer items and rounds; not results.\n")
    print(machine(results))
    print(summary(results))
    for result in results:
        print(markdown(result))
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")
    if not args.quick:
        README.write_text(document(load()))
        print(f"wrote {README} from {HERE / 'results'}", file=sys.stderr)


if __name__ == "__main__":
    main()
