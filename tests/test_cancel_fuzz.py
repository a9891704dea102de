"""The cancellation fuzz in the test suite: 2,000 seeded trials of tests/_cancel_fuzz.py.

They run in two processes at once (1,000 trials each), each as
``PYTHONASYNCIODEBUG=1 python -W error -X dev tests/_cancel_fuzz.py --trials 1000 --seed N``:
any warning, "Task was destroyed but it is pending", "Task exception was never retrieved",
"Unclosed client session" or unclosed transport lands on stderr, which must stay empty, and a
broken rule makes the exit code non-zero. FLINKEY_FUZZ_SEED picks other seeds (N and N + 1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Final

import pytest
from _helpers import publish_report

SCRIPT: Final = Path(__file__).with_name("_cancel_fuzz.py")
TRIALS: Final = 2_000
PROCESSES: Final = 2
# The points a trial holds its call at: each must have been hit by endings, in all three ways.
POINTS: Final = ("token", "token-401", "backoff", "cooldown", "pool", "headers", "body")
HOW: Final = ("cancel", "timeout", "aclose")
MIN_HITS: Final = 20  # per point; 50 to 150 is usual (fewer on a loaded machine)


def test_cancellation_fuzz(capsys: pytest.CaptureFixture[str]) -> None:
    """Calls cancelled, timed out or closed at random points leave nothing behind, and warn of
    nothing, under -W error, -X dev and asyncio's debug mode."""
    first = int(os.environ.get("FLINKEY_FUZZ_SEED", "1"))
    env = {**os.environ, "PYTHONASYNCIODEBUG": "1"}
    base = [sys.executable, "-W", "error", "-X", "dev", str(SCRIPT)]
    commands = [
        [*base, "--trials", str(TRIALS // PROCESSES), "--seed", str(seed)]
        for seed in range(first, first + PROCESSES)
    ]
    runs = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        for c in commands
    ]
    try:
        results = [run.communicate(timeout=600) for run in runs]
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
                run.wait()

    hits: Counter[str] = Counter()
    trials = 0
    for command, run, (out, err) in zip(commands, runs, results, strict=True):
        rerun = "PYTHONASYNCIODEBUG=1 " + " ".join(command)
        assert err == "", f"{rerun}\nprinted on stderr:\n{err}"
        assert run.returncode == 0, f"{rerun}\nexited {run.returncode}:\n{out}"
        summary = json.loads(out.splitlines()[-1])
        trials += summary["trials"]
        hits.update(summary["hits"])
        publish_report(out.rpartition("\n{")[0], capsys)
    assert trials == TRIALS
    per_point = {p: sum(hits[f"{p}/{h}"] for h in HOW) for p in POINTS}
    assert {p: n for p, n in per_point.items() if n < MIN_HITS} == {}, f"rarely hit: {hits}"
    assert all(hits[f"{p}/{h}"] for p in POINTS for h in HOW), f"a way never hit: {hits}"
