"""The cancellation fuzz: cancel calls at random points; nothing may leak, wedge or warn.

Run by tests/test_cancel_fuzz.py, in two subprocesses (seeds 1 and 2), each as::

    PYTHONASYNCIODEBUG=1 python -W error -X dev tests/_cancel_fuzz.py --trials 1000 --seed 1

Each trial makes one call (a read, a bulk read, a paged walk or a write) spend a while at one
point: waiting for a token (first use, or renewal after a 401), in a backoff sleep, out a
cooldown, for a pooled connection, for the answer's headers or in the middle of its body, or
nowhere in particular. It is ended by ``task.cancel()``, by ``asyncio.timeout`` around the
call, or by ``aclose()`` of its client: half the time a seeded random delay after it started
(sometimes 0: before it ran, or at its first wait), half the time a random delay after it
reached its point. Where it was when ended is read from its chain of awaits, for the report.

Checked after every trial: the call raised CancelledError, TimeoutError or ClientClosedError
(whichever fits how it was ended; or it had already succeeded) and nothing else, and its task
was not left cancelling; the other calls of the trial (sharing the token, holding the pool,
starting the cooldown) were not disturbed; no connection is left acquired, no call, sleep or
closing mark is left in the client; and the next call on the same client succeeds within its
deadline (after aclose(): the closed client says so, and a new one works). Under ``-W error``
and asyncio's debug mode any warning, unretrieved exception, destroyed pending task or unclosed
session ends up on stderr, which the test requires to be empty.

The fuzz runs trials on several lanes at once, each with its own fake server and client.
Prints a summary, and on its last line a JSON object with the counts; exits 1 on a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
import json
import random
import sys
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Final

import aiohttp
import attrs
from _chaos import Drip
from _helpers import wait_until

from flinkey_async import ClientClosedError, FlinkeyClient, Query
from flinkey_async.testing import FakeFlinkey, Fault

TOKEN: Final = "/v3/oauth2/token"
CALL_TIMEOUT: Final = 5.0  # generous: only a wedged call (or a starved machine) reaches it
SLACK: Final = 0.5
PAUSE: Final = 0.08  # how long a trial's fault holds the call at its point
PHASES: Final = ("token", "token-401", "backoff", "cooldown", "pool", "headers", "body", "anywhere")
HOW: Final = ("cancel", "timeout", "aclose")
HOW_WEIGHTS: Final = (45, 35, 20)
CLIENT_OPTIONS: Final[dict[str, Any]] = {
    "timeout": CALL_TIMEOUT,
    "max_retries": 3,
    "backoff_initial": PAUSE,
    "backoff_max": PAUSE,
    "max_retry_after": 1.0,
}


class TrialFailed(AssertionError):
    """A trial broke a rule."""


@attrs.frozen
class Op:
    """A call to make: how, the path and method a fault must match, and whether it writes."""

    name: str
    path: str
    method: str
    run: Callable[[FlinkeyClient], Awaitable[None]]

    @property
    def writes(self) -> bool:
        return self.method != "GET"


async def _get(client: FlinkeyClient) -> None:
    assert (await client.services.get(101)).id == 101


async def _list(client: FlinkeyClient) -> None:
    assert [u.id for u in await client.users.list()] == [3001, 3002, 3003]


async def _get_many(client: FlinkeyClient) -> None:
    assert [c.id for c in await client.cars.get_many([1001, 1002, 1003])] == [1001, 1002, 1003]


async def _iterate(client: FlinkeyClient) -> None:
    assert [u.id async for u in client.users.iterate(Query(), page_size=2)] == [3001, 3002, 3003]


async def _pair(client: FlinkeyClient) -> None:
    # Service 101 is paired with box 501 already: pairing them again is a 204 every time.
    await client.pairings.pair(service_id=101, product_id=501)


OPS: Final = (
    Op("services.get", "/v3/services/101", "GET", _get),
    Op("users.list", "/v3/users", "GET", _list),
    Op("cars.get_many", "/v3/cars/1001", "GET", _get_many),
    Op("users.iterate", "/v3/users", "GET", _iterate),
    Op("pairings.pair", "/v3/pairings", "PUT", _pair),
)


# The point each phase holds a call at, as where() names it.
_POINT_OF: Final = {
    "token": "token",
    "token-401": "token",
    "backoff": "backoff",
    "cooldown": "cooldown",
    "pool": "pool",
    "headers": "headers",
    "body": "body",
}


def where(task: asyncio.Task[Any]) -> str:
    """Name the point a task is suspended at, from its chain of awaited coroutines."""
    if task.done():
        return "finished"
    coro: Any = task.get_coro()
    if inspect.iscoroutine(coro) and inspect.getcoroutinestate(coro) == inspect.CORO_CREATED:
        return "not started"
    names: list[str] = []
    while coro is not None:
        frame = next(
            (f for a in ("cr_frame", "gi_frame", "ag_frame") if (f := getattr(coro, a, None))),
            None,
        )
        if frame is not None:
            names.append(frame.f_code.co_qualname)
        coro = _awaited(coro)
    chain = " ".join(names)
    for marker, point in (
        ("TokenManager.get", "token"),
        ("Cooldown.wait", "cooldown"),
        ("Naps.sleep", "backoff"),
        ("_wait_for_available_connection", "pool"),
        ("ClientResponse.read", "body"),  # exchange() reading a declared body
        ("_read_capped", "body"),  # a body of unknown or compressed size
        ("ClientResponse.start", "headers"),
        ("connect", "connect"),
        ("fetch_many", "bulk"),
    ):
        if marker in chain:
            return point
    return "elsewhere " + (names[-1] if names else "")


def _awaited(coro: Any) -> Any:
    """What a coroutine, generator or async generator waits on (looking through futures)."""
    for name in ("cr_await", "gi_yieldfrom", "ag_await"):
        awaited = getattr(coro, name, None)
        if awaited is not None:
            break
    else:
        return None
    if any(hasattr(awaited, a) for a in ("cr_frame", "gi_frame", "ag_frame")):
        return awaited
    # An async generator's asend(), or a future's iterator: look at what it refers to. A
    # gather (get_many's workers) leads on to its first child still running.
    for referent in gc.get_referents(awaited):
        if inspect.isasyncgen(referent):
            return referent
        children = getattr(referent, "_children", None)
        if isinstance(referent, asyncio.Future) and children:
            running = [child for child in children if not child.done()]
            return running[0].get_coro() if running else None
    return None


@attrs.define
class Lane:
    """One fake server and the client the trials of this lane use."""

    number: int
    fake: FakeFlinkey
    rng: random.Random
    session: aiohttp.ClientSession | None = None
    client: FlinkeyClient | None = None

    def new_client(self) -> FlinkeyClient:
        """A client with a pool of 2, on a session of its own or on this lane's borrowed one."""
        if self.rng.random() < 0.5:
            if self.session is None:
                self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=2))
            self.client = self.fake.client(session=self.session, **CLIENT_OPTIONS)
        else:
            self.client = self.fake.client(limit=2, **CLIENT_OPTIONS)
        return self.client

    def connections(self, client: FlinkeyClient) -> int:
        """Connections handed out and not returned (on the borrowed session after aclose())."""
        session = client._engine.transport.session
        if session is None and client._engine.closed and self.session is not None:
            session = self.session
        if session is None or session.connector is None:
            return 0
        return len(session.connector._acquired)


@attrs.define
class Stats:
    """Counts across all trials."""

    trials: int = 0
    phases: Counter[str] = attrs.Factory(Counter)  # the point each call was set up to reach
    points: Counter[str] = attrs.Factory(Counter)  # where the call was when it was ended
    ended: Counter[str] = attrs.Factory(Counter)  # "how/outcome"
    hits: Counter[str] = attrs.Factory(Counter)  # "phase/how" where the ending hit that point
    token_outlived: int = 0  # trials whose token request still held a connection at the end
    failures: list[str] = attrs.Factory(list)


async def _reach(task: asyncio.Task[Any], point: str) -> None:
    """Wait until a task is at a point (where() says so), has finished, or it takes too long."""
    deadline = time.monotonic() + 4 * PAUSE
    while time.monotonic() < deadline:
        if task.done() or where(task) == point:
            return
        await asyncio.sleep(0.001)


async def _ended(task: asyncio.Task[Any]) -> BaseException | None:
    """Wait for a task; return what it raised (None if it returned)."""
    await asyncio.wait([task])
    if task.cancelled():
        return asyncio.CancelledError()
    return task.exception()


async def trial(lane: Lane, stats: Stats) -> None:
    """One trial on a lane: set a call up at a point, end it at a random moment, check."""
    rng, fake = lane.rng, lane.fake
    phase = rng.choice(PHASES)
    how = rng.choices(HOW, HOW_WEIGHTS)[0]
    op = rng.choice([o for o in OPS if not (phase == "body" and o.writes)])
    client = lane.client if lane.client is not None else lane.new_client()
    others: list[asyncio.Task[None]] = []
    window = PAUSE * 1.5

    # -- hold the call at its point ------------------------------------------------------------
    if phase == "token":
        if client._engine.tokens.current is not None:  # a new client: its first call fetches one
            await client.aclose()
            client = lane.new_client()
        fake.faults.add(TOKEN, Fault(status=None, delay=PAUSE), method="POST")
    elif phase == "token-401":
        await client.services.get(105)  # it holds a token, which the fake then forgets
        fake.expire_tokens()
        fake.faults.add(TOKEN, Fault(status=None, delay=PAUSE), method="POST")
        window = PAUSE * 2.5  # its first attempt, refused with 401, comes first
    elif phase == "backoff":
        # A read sleeps its jittered backoff after a 502; a write is resent only after a 429 or
        # 503 with Retry-After, which it sleeps out (and the cooldown with it).
        fault = Fault(503, headers={"Retry-After": str(PAUSE)}) if op.writes else Fault(502)
        fake.faults.add(op.path, fault, method=op.method)
    elif phase == "cooldown":
        fake.faults.add("/v3/services/102", Fault(503, headers={"Retry-After": str(PAUSE)}))
        cooldown = client._engine.cooldown
        before = cooldown._not_before  # changes when the 503 sets the cooldown
        others.append(asyncio.create_task(_checked(client.services.get(102), 102)))
        await wait_until(lambda: cooldown._not_before != before, within=CALL_TIMEOUT)
    elif phase == "pool":
        # Two slow calls hold both connections of the pool (limit=2).
        fake.faults.add("/v3/services/103", Fault(status=None, delay=PAUSE), times=2)
        held = fake.count("/v3/services/103") + 2
        others += [asyncio.create_task(_checked(client.services.get(103), 103)) for _ in "ab"]
        await wait_until(lambda: fake.count("/v3/services/103") == held, within=CALL_TIMEOUT)
    elif phase == "headers":
        fake.faults.add(op.path, Fault(status=None, delay=PAUSE), method=op.method)
    elif phase == "body":
        fake.faults.add(op.path, Drip(pause=PAUSE))
    else:
        window = 0.004

    # -- start it, and end it ------------------------------------------------------------------
    # Half the trials end the call a random time after it started (0 included: before it ever
    # ran, or at its first wait); the others a random time after it reached its point.
    target = _POINT_OF.get(phase)
    targeted = target is not None and rng.random() < 0.5
    draw = rng.random()
    delay = 0.0 if draw < 0.1 else rng.uniform(0, window)
    loop = asyncio.get_running_loop()
    seen: list[str] = []
    timer: list[asyncio.Timeout] = []

    async def call() -> None:
        if how != "timeout":
            await op.run(client)
            return
        try:
            async with asyncio.timeout(None if targeted else delay) as cm:
                timer.append(cm)
                await op.run(client)
        except TimeoutError:
            _not_cancelling("asyncio.timeout")
            raise

    async def closed_call() -> None:
        try:
            await call()
        except ClientClosedError:
            _not_cancelling("aclose()")
            raise

    victim = asyncio.create_task(closed_call() if how == "aclose" else call())
    if phase.startswith("token"):  # calls sharing the token request the victim started
        others += [
            asyncio.create_task(_checked(client.services.get(104), 104))
            for _ in range(rng.randint(0, 2))
        ]
    if targeted:
        await _reach(victim, target)
        delay = rng.uniform(0, PAUSE * 0.75)
        if how == "timeout" and timer and not victim.done():
            timer[0].reschedule(loop.time() + delay)
    if how == "timeout":
        loop.call_at(loop.time() + delay, lambda: seen.append(where(victim)))
        if targeted and not timer:  # it ended before entering asyncio.timeout: nothing to end
            seen.append(where(victim))
    else:
        if draw >= 0.1 or targeted:
            await asyncio.sleep(delay)
        elif draw >= 0.05:
            await asyncio.sleep(0)  # it runs to its first wait; below 0.05 it never ran
        seen.append(where(victim))
    if how == "cancel":
        victim.cancel()
    elif how == "aclose":
        await client.aclose()
    error = await _ended(victim)
    point = seen[0] if seen else "unknown"
    beside = [await _ended(other) for other in others]

    # -- check ---------------------------------------------------------------------------------
    expected = {
        "cancel": asyncio.CancelledError,
        "timeout": TimeoutError,
        "aclose": ClientClosedError,
    }[how]
    outcome = "succeeded" if error is None else type(error).__name__
    context = (
        f"lane {lane.number}, {op.name}, {phase}, {how} {delay * 1000:.1f} ms after "
        f"{'reaching its point' if targeted else 'it started'}, at {point}"
    )
    if error is not None and type(error) is not expected:
        raise TrialFailed(f"{context}: raised {error!r}, not {expected.__name__}") from error
    for failure in beside:
        if failure is not None and not (how == "aclose" and type(failure) is ClientClosedError):
            raise TrialFailed(
                f"{context}: a call beside it raised {failure!r} ({_state(lane, client)})"
            ) from failure

    fake.faults.clear()
    engine = client._engine
    if lane.connections(client):
        # Only the shared token request may outlive the calls: it is shielded from a caller's
        # cancellation (the others wait for it). aclose() cancels it, unwinding at once.
        if not (engine.closed or engine.tokens._inflight is not None):
            raise TrialFailed(f"{context}: a connection is still acquired ({_state(lane, client)})")
        stats.token_outlived += 1
        await wait_until(lambda: lane.connections(client) == 0, within=CALL_TIMEOUT)
    leftovers = {
        "calls": len(engine._calls),
        "closing": len(engine._closing),
        "sleeps": len(engine._naps._waiters),
    }
    if any(leftovers.values()):
        raise TrialFailed(f"{context}: left in the client: {leftovers}")
    if engine.closed:
        try:
            await client.services.get(104)
        except ClientClosedError:
            pass
        else:
            raise TrialFailed(f"{context}: a closed client still sent a call")
        client = lane.new_client()
    started = time.monotonic()
    await _checked(client.services.get(104), 104)
    took = time.monotonic() - started
    if took > CALL_TIMEOUT + SLACK:
        raise TrialFailed(f"{context}: the next call took {took:.2f} s")
    if lane.connections(client):
        raise TrialFailed(f"{context}: the next call left a connection acquired")

    stats.trials += 1
    stats.phases[phase] += 1
    stats.points[f"{phase}:{point}"] += 1
    stats.ended[f"{how}/{outcome}"] += 1
    if error is not None:
        stats.hits[f"{phase}/{how}" if point == _POINT_OF.get(phase) else f"other/{how}"] += 1


def _state(lane: Lane, client: FlinkeyClient) -> str:
    """The client's and the fake's state, for a failure message."""
    engine = client._engine
    session = engine.transport.session
    connector = session.connector if session is not None else None
    waiting = sum(len(w) for w in connector._waiters.values()) if connector else 0
    return (
        f"acquired {lane.connections(client)}, pool waiters {waiting}, calls "
        f"{len(engine._calls)}, cooldown {engine.cooldown.remaining():.3f} s, token request "
        f"{'running' if engine.tokens._inflight else 'none'}, fake in flight {lane.fake.in_flight}"
    )


def _not_cancelling(by: str) -> None:
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise TrialFailed(f"a call ended by {by} left its task cancelling ({task.cancelling()})")


async def _checked(call: Awaitable[Any], expected_id: int) -> None:
    item = await call
    if item.id != expected_id:
        raise TrialFailed(f"got item {item.id}, not {expected_id}")


async def run_lane(number: int, trials: int, seed: int, stats: Stats) -> None:
    """Run this lane's trials one after another on its own fake server."""
    async with FakeFlinkey() as fake:
        lane = Lane(number, fake, random.Random(seed * 1_000 + number))
        try:
            for _ in range(trials):
                try:
                    await trial(lane, stats)
                except TrialFailed as exc:
                    stats.failures.append(str(exc))
                except Exception:  # a wait that never ended, or an error nobody expected
                    stats.failures.append(f"lane {number}: {traceback.format_exc()}")
                    if len(stats.failures) >= 10:
                        return
                    fake.faults.clear()
                    if lane.client is not None:
                        await lane.client.aclose()
                    lane.client = None
        finally:
            if lane.client is not None:
                await lane.client.aclose()
            if lane.session is not None:
                await lane.session.close()


async def main(trials: int, seed: int, lanes: int) -> Stats:
    """Run every lane at once and return the counts."""
    loop = asyncio.get_running_loop()
    # Debug mode logs every callback over 0.1 s; a loaded CI machine may take that long now
    # and then for reasons of its own. What this fuzz looks for is printed regardless.
    loop.slow_callback_duration = 1.0
    stats = Stats()
    per_lane = [trials // lanes + (1 if n < trials % lanes else 0) for n in range(lanes)]
    await asyncio.gather(*(run_lane(n, count, seed, stats) for n, count in enumerate(per_lane)))
    gc.collect()
    await asyncio.sleep(0)
    return stats


def report(stats: Stats, elapsed: float) -> str:
    """The summary printed at the end."""

    def counts(counter: Counter[str]) -> str:
        return ", ".join(f"{k} {n}" for k, n in sorted(counter.items()))

    return "\n".join(
        [
            f"cancellation fuzz: {stats.trials} trials in {elapsed:.1f} s",
            f"  set up at    {counts(stats.phases)}",
            f"  ended at     {counts(stats.points)}",
            f"  outcomes     {counts(stats.ended)}",
            f"  hit points   {counts(stats.hits)}",
            f"  connections  all released; {stats.token_outlived} times by a token request that "
            "outlived its cancelled caller, as it should",
        ]
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lanes", type=int, default=20)
    args = parser.parse_args()
    began = time.monotonic()
    try:
        result = asyncio.run(main(args.trials, args.seed, args.lanes))
    except BaseException:
        traceback.print_exc()
        sys.exit(2)
    print(report(result, time.monotonic() - began))
    print(
        json.dumps(
            {
                "trials": result.trials,
                "hits": dict(result.hits),
                "ended": dict(result.ended),
                "points": dict(result.points),
                "failures": result.failures,
            }
        )
    )
    for failure in result.failures:
        print(failure, file=sys.stderr)
    sys.exit(1 if result.failures else 0)
