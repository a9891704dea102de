"""Helpers shared by the benchmarks: timing, medians, result output (not part of the SDK)."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from flinkey_async._client import USER_AGENT
from flinkey_async.testing import API_KEY, PASSWORD, USERNAME


def parse_args(description: str, *, profile: bool = False) -> argparse.Namespace:
    """Parse the options every benchmark takes."""
    parser = argparse.ArgumentParser(description=description)
    if profile:
        parser.add_argument("--profile", action="store_true", help="cProfile the SDK side")
    parser.add_argument("--quick", action="store_true", help="fewer items and repeats")
    parser.add_argument("--json", action="store_true", help="print one JSON result (for run.py)")
    return parser.parse_args()


def interleaved(
    contenders: dict[str, Callable[[], Any]], repeats: int, warmup: int = 2
) -> dict[str, list[float]]:
    """Time each contender `repeats` times, round-robin (rotating the order), in seconds."""
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            contenders[name]()
            times[name].append(time.perf_counter() - started)
    return times


def median_ms(samples: list[float]) -> float:
    """Return the median of samples (seconds) in milliseconds."""
    return statistics.median(samples) * 1000


def emit(result: dict[str, Any], as_json: bool) -> None:
    """Print a result: JSON for run.py, or its Markdown for a person."""
    if as_json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(result["markdown"])


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Render a small Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


async def raw_headers(session: aiohttp.ClientSession, base: str, customer: int) -> dict[str, str]:
    """The headers the SDK sends, for a bare aiohttp baseline (with a fresh bearer token)."""
    return {
        "flinkey-API-Key": API_KEY,
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
        "Authorization": "Bearer " + await raw_token(session, base),
        "Customer-ID": str(customer),
    }


async def raw_token(session: aiohttp.ClientSession, base: str) -> str:
    """Get a bearer token from the fake server with a bare aiohttp session (for baselines)."""
    form = {"username": USERNAME, "password": PASSWORD, "grant_type": "password"}
    async with session.post(
        f"{base}/oauth2/token", data=form, headers={"flinkey-API-Key": API_KEY}
    ) as resp:
        return str((await resp.json())["access_token"])
