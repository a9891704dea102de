"""Run every benchmark (each bench_*.py in its own process) and write benchmarks/README.md.

python benchmarks/run.py            # full run, rewrites benchmarks/README.md (~2 min)
python benchmarks/run.py --quick    # smaller run, prints only (~30 s)
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Benchmarks other tasks add; listed so the README says what is still missing.
PLANNED = {
    "bench_http.py": "HTTP overhead: 20,000 services.get at concurrency 64 vs bare aiohttp",
    "bench_decode.py": "10,000-item services body to objects vs msgspec, pydantic v2, attrs",
    "bench_stream.py": "iterate over 200,000 services in pages of 1,000: throughput, peak memory",
    "bench_query.py": "OData Query building and rendering",
}
PACKAGES = (
    "flinkey-async",
    "aiohttp",
    "yarl",
    "attrs",
    "cattrs",
    "orjson",
    "msgspec",
    "pydantic",
    "pydantic-core",
)


def machine() -> list[str]:
    """Describe the machine and software the figures come from."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- Packages: {', '.join(versions)}",
    ]


def run_one(script: Path, quick: bool) -> dict[str, object]:
    """Run one benchmark in a fresh interpreter and return its JSON result."""
    command = [sys.executable, str(script), "--json", *(["--quick"] if quick else [])]
    print(f"running {script.name} ...", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {
            "title": script.name,
            "markdown": f"FAILED (exit {done.returncode}):\n\n```\n{done.stderr[-2000:]}\n```",
        }
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Run the benchmarks that exist and report them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer items; print, don't write")
    parser.add_argument("--write", action="store_true", help="write README.md even with --quick")
    args = parser.parse_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    sections = []
    failed = False
    for script in scripts:
        result = run_one(script, args.quick)
        failed = failed or str(result["markdown"]).startswith("FAILED")
        sections += [f"## {result['title']}", "", str(result["markdown"]), ""]
    missing = [
        f"- `{name}`: {what}" for name, what in PLANNED.items() if not (HERE / name).exists()
    ]
    if missing:
        sections += ["## Not yet available", "", *missing, ""]
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "quick run (--quick)" if args.quick else "full run"
    text = "\n".join(
        [
            "# Benchmarks",
            "",
            "Not part of the test suite. Run all of them with one command from the repository "
            "root (needs `pip install -e '.[bench]'`):",
            "",
            "```",
            "python benchmarks/run.py          # full run; rewrites this file",
            "python benchmarks/run.py --quick  # smaller run; prints only",
            "python benchmarks/bench_http.py --profile  # cProfile the SDK side of the HTTP run",
            "```",
            "",
            "Each `bench_*.py` runs in its own process and measures the SDK against its "
            "baselines in the same run, interleaving the contenders and reporting medians.",
            "",
            f"Results below: {mode}, {stamp}.",
            "",
            *machine(),
            "",
            *sections,
        ]
    )
    print(text)
    if not args.quick or args.write:
        (HERE / "README.md").write_text(text.rstrip() + "\n")
    if failed:
        sys.exit("some benchmarks failed (see above)")


if __name__ == "__main__":
    main()
