"""The chaos soak: 10,000 mixed reads and writes at concurrency 200 through every fault at once.

Faults: 5% 503s (a fifth with a short Retry-After, which pauses the whole client), 2% of
requests refused at connect, before anything is sent (see tests/_chaos.py), 1%
resets after the request arrived, every token revoked four times, one burst of 429s whose
Retry-After is above max_retry_after, and one route slower than the deadlines of its calls.

Checked: every read returns the right data or fails with a typed FlinkeyError within its
deadline; no write is acted on twice (each write has its own body; the fake notes every
arrival's verdict) and the fake's final state is exactly what the acted-on writes made it;
token requests are exactly 1 + revocations; the shared cooldown never exceeds max_retry_after;
no connection, task or unhandled loop error is left; the client still works afterwards.
A report (counts by outcome) is printed to the terminal when FLINKEY_SOAK_REPORT is set, and
appended to that file unless the value is 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import random
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Final

import attrs
import pytest
from _chaos import (
    REFUSED,
    RESET,
    UNAUTHORIZED,
    FlakyConnector,
    WriteKey,
    WriteLedger,
    flaky_session,
    write_key,
)
from _helpers import acquired_connections, publish_report, wait_until

from flinkey_async import (
    BulkFetchError,
    FlinkeyClient,
    FlinkeyError,
    FlinkeyTimeoutError,
    Query,
    RateLimitError,
    ServerError,
    TransportError,
)
from flinkey_async.testing import FakeFlinkey, Fault, FaultPlan

SEED: Final = 20240611
CALLS: Final = 10_000
CONCURRENCY: Final = 200
WRITE_SHARE: Final = 0.25
TIMEOUT: Final = 5.0
SLACK: Final = 1.0  # allowed overshoot of a deadline (10 ms watchdog slots, a loaded loop)
MAX_RETRY_AFTER: Final = 1.0
PRE_SEND_RATE: Final = 0.02
REVOCATIONS: Final = (0.2, 0.4, 0.6, 0.8)  # shares of the calls done when tokens are revoked
BURST: Final = {"GET": 40, "PUT": 5, "DELETE": 5}  # 429s with Retry-After 120 (> 1 s)
BURST_AT: Final = 0.5
BURST_RETRY_AFTER: Final = 120
SLOW_PATH: Final = "/v3/groups"  # answers after 1 s; its calls have a 0.1 s deadline
SLOW_TIMEOUT: Final = 0.1
BOXES: Final = 1_000  # box lifecycles available: product, service and car of their own
PRODUCT0, SERVICE0, CAR0 = 10_000, 20_000, 30_000
STEPS: Final = ("pair", "install", "uninstall", "unpair")
SERVICE_NAMES: Final = {
    101: "Fleet Berlin 01",
    102: "Fleet Berlin 02",
    103: "O'Brien & Sons + Co",
    104: "Rental Munich",
    105: "Car sharing Köln",
}


@attrs.define
class Box:
    """One box's lifecycle: pair, install, uninstall, unpair; a failed step ends it."""

    n: int
    step: int = 0

    @property
    def product(self) -> int:
        return PRODUCT0 + self.n

    @property
    def service(self) -> int:
        return SERVICE0 + self.n

    @property
    def car(self) -> int:
        return CAR0 + self.n

    def key(self, step: str) -> WriteKey:
        """The write key of one step of this box (unique across the soak)."""
        method = "PUT" if step in ("pair", "install") else "DELETE"
        if step in ("pair", "unpair"):
            return write_key(
                method, "/v3/pairings", {"serviceId": self.service, "productId": self.product}
            )
        return write_key(
            method, "/v3/installations", {"carId": self.car, "productId": self.product}
        )


@attrs.define
class Outcome:
    """One call: what it was, how long it took, and what it raised (None: success)."""

    kind: str
    name: str
    elapsed: float
    limit: float
    error: BaseException | None = None
    key: WriteKey | None = None


def _read_menu(client: FlinkeyClient, rng: random.Random) -> tuple[str, float, Awaitable[None]]:
    """Pick a read; return its name, its time limit and a coroutine that checks its result."""

    async def get_service() -> None:
        sid = rng.choice(list(SERVICE_NAMES))
        assert (await client.services.get(sid)).name == SERVICE_NAMES[sid]

    async def get_car() -> None:
        cid = rng.choice((1001, 1002, 1003))
        assert (await client.cars.get(cid)).id == cid

    async def get_product() -> None:
        pid = rng.choice((501, 502, 503, 504))
        assert (await client.products.get(pid)).id == pid

    async def list_users() -> None:
        assert [u.id for u in await client.users.list()] == [3001, 3002, 3003]

    async def list_services() -> None:
        assert [s.id for s in await client.services.list(Query().top(5))] == list(SERVICE_NAMES)

    async def list_customers() -> None:
        assert [c.id for c in await client.customers.list()] == [1, 2]

    async def count_services() -> None:
        assert await client.services.count() == len(SERVICE_NAMES) + BOXES + 1

    async def get_many_cars() -> None:
        ids = rng.sample((1001, 1002, 1003), k=rng.randint(1, 3))
        if rng.random() < 0.5:
            assert [c.id for c in await client.cars.get_many(ids)] == ids
            return
        results = await client.cars.get_many(ids, return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        assert [r.id for r in results if not isinstance(r, BaseException)] == [
            i for i, r in zip(ids, results, strict=True) if not isinstance(r, BaseException)
        ]
        if failures:
            raise BulkFetchError("some cars failed", failures)

    async def get_assignment() -> None:
        aid = rng.choice((4001, 4002, 4003, 4004, 4005))
        assert (await client.assignments.get(aid)).id == aid

    async def iterate_users() -> None:
        assert [u.id async for u in client.users.iterate(page_size=2)] == [3001, 3002, 3003]

    async def slow_groups() -> None:
        await client.groups.list(timeout=SLOW_TIMEOUT)
        raise AssertionError("the slow route answered within 0.1 s")

    menu: list[tuple[str, float, Callable[[], Awaitable[None]]]] = [
        ("services.get", TIMEOUT, get_service),
        ("cars.get", TIMEOUT, get_car),
        ("products.get", TIMEOUT, get_product),
        ("users.list", TIMEOUT, list_users),
        ("services.list", TIMEOUT, list_services),
        ("customers.list", TIMEOUT, list_customers),
        ("services.count", TIMEOUT, count_services),
        ("cars.get_many", TIMEOUT, get_many_cars),  # at most 3 ids: one round of fetches
        ("assignments.get", TIMEOUT, get_assignment),
        ("users.iterate", 2 * TIMEOUT, iterate_users),  # 2 pages (the count says 3 items)
        ("groups.list (slow)", SLOW_TIMEOUT, slow_groups),
    ]
    weights = [12, 10, 8, 8, 8, 6, 4, 14, 8, 14, 4]
    name, limit, make = rng.choices(menu, weights)[0]
    return name, limit, make()


def _leaf_errors(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for sub in error.exceptions for leaf in _leaf_errors(sub)]
    return [error]


def _typed(error: BaseException) -> bool:
    return all(isinstance(leaf, FlinkeyError) for leaf in _leaf_errors(error))


@pytest.fixture
async def chaos() -> AsyncIterator[tuple[FakeFlinkey, WriteLedger]]:
    """A fake with room for every request, the write ledger, and extra boxes, services, cars."""
    fake = FakeFlinkey(max_requests=100_000)
    ledger = WriteLedger()
    fake.app.middlewares.insert(0, ledger.middleware)
    data = fake.store.customer(1)
    data.add_many("products", BOXES + 1, start_id=PRODUCT0)  # one more for the final check
    data.add_many("services", BOXES + 1, start_id=SERVICE0)
    data.add_many("cars", BOXES + 1, start_id=CAR0)
    async with fake:
        yield fake, ledger


async def test_chaos_soak(
    chaos: tuple[FakeFlinkey, WriteLedger], capsys: pytest.CaptureFixture[str]
) -> None:
    """10,000 mixed calls at concurrency 200 through every fault: see the module docstring."""
    fake, ledger = chaos
    rng = random.Random(SEED)
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    tasks_before = asyncio.all_tasks()

    fake.faults = FaultPlan(seed=SEED)
    for method in ("GET", "PUT", "DELETE"):
        # Tried in order, each drawing on its own: 1% + 4% 503s, then 1% resets, overall.
        fake.faults.add(
            "*", Fault(503, headers={"Retry-After": "0.01"}), method=method, times=None, rate=0.01
        )
        fake.faults.add("*", Fault(503), method=method, times=None, rate=0.04 / 0.99)
        fake.faults.add("*", Fault(reset=True), method=method, times=None, rate=0.01 / 0.95)
    fake.faults.add(SLOW_PATH, Fault(status=None, delay=1.0), times=None)

    session = flaky_session(PRE_SEND_RATE, SEED)
    connector = session.connector
    assert isinstance(connector, FlakyConnector)
    client = fake.client(
        session=session,
        timeout=TIMEOUT,
        max_retries=8,
        backoff_initial=0.002,
        backoff_max=0.02,
        max_retry_after=MAX_RETRY_AFTER,
    )

    outcomes: list[Outcome] = []
    boxes: deque[Box] = deque()  # lifecycles waiting for their next step
    started_boxes: list[Box] = []
    budget = CALLS
    done = 0
    cooldown_seen = 0.0
    stop = asyncio.Event()

    def next_box() -> Box | None:
        if boxes:
            return boxes.popleft()
        if len(started_boxes) < BOXES:
            started_boxes.append(Box(len(started_boxes)))
            return started_boxes[-1]
        return None

    async def write(box: Box) -> None:
        step = STEPS[box.step]
        target: dict[str, int] = (
            {"service_id": box.service} if step in ("pair", "unpair") else {"car_id": box.car}
        )
        endpoint = client.pairings if step in ("pair", "unpair") else client.installations
        call = getattr(endpoint, step)
        started = time.monotonic()
        outcome = Outcome("write", step, 0.0, TIMEOUT, key=box.key(step))
        try:
            await call(product_id=box.product, **target)
        except Exception as exc:
            outcome.error = exc
        outcome.elapsed = time.monotonic() - started
        outcomes.append(outcome)
        if outcome.error is None and box.step + 1 < len(STEPS):
            box.step += 1
            boxes.append(box)

    async def read() -> None:
        name, limit, checked = _read_menu(client, rng)
        started = time.monotonic()
        outcome = Outcome("read", name, 0.0, limit)
        try:
            await checked
        except Exception as exc:
            outcome.error = exc
        outcome.elapsed = time.monotonic() - started
        outcomes.append(outcome)

    async def worker() -> None:
        nonlocal budget, done
        while budget > 0:
            budget -= 1
            box = next_box() if rng.random() < WRITE_SHARE else None
            await (write(box) if box is not None else read())
            done += 1

    async def revoker() -> int:
        for k, share in enumerate(REVOCATIONS):
            # Revoke only once the previous revocation's renewal reached the fake and every call
            # in flight then has finished: two revocations healed by one token request, or a
            # replay refused twice (InvalidTokenError, as documented), would blur the count.
            await wait_until(lambda k=k: len(fake.issued_tokens()) >= 1 + k, within=30)
            settled = done + 2 * CONCURRENCY
            await wait_until(lambda s=share, t=settled: done >= max(s * CALLS, t), within=30)
            fake.expire_tokens()
        return len(REVOCATIONS)

    async def burst() -> None:
        await wait_until(lambda: done >= BURST_AT * CALLS, within=30)
        for method, times in BURST.items():
            fake.faults.add(
                "*",
                Fault(429, headers={"Retry-After": str(BURST_RETRY_AFTER)}),
                method=method,
                times=times,
            )

    async def watch_cooldown() -> None:
        nonlocal cooldown_seen
        while not stop.is_set():
            cooldown_seen = max(cooldown_seen, client._engine.cooldown.remaining())
            await asyncio.sleep(0.002)

    started = time.monotonic()
    plan = fake.faults
    try:
        helpers = [asyncio.create_task(c) for c in (revoker(), burst(), watch_cooldown())]
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.monotonic() - started
        stop.set()
        revoked = await helpers[0]
        await asyncio.gather(*helpers[1:])
        leaked = acquired_connections(client)

        # -- the client still works: without faults, reads and a whole lifecycle, at once ----
        fake.faults = FaultPlan()
        connector.rate = 0.0
        after = time.monotonic()
        assert len(await client.users.list()) == 3
        assert [c.id for c in await client.cars.get_many([1001, 1002, 1003])] == [1001, 1002, 1003]
        spare = Box(BOXES)  # seeded, never used by the run
        await client.pairings.pair(service_id=spare.service, product_id=spare.product)
        await client.installations.install(car_id=spare.car, product_id=spare.product)
        await client.installations.uninstall(car_id=spare.car, product_id=spare.product)
        await client.pairings.unpair(service_id=spare.service, product_id=spare.product)
        assert time.monotonic() - after < 1.0
        assert acquired_connections(client) == 0
        await client.aclose()
        await session.close()
        gc.collect()

        def stray_tasks() -> list[asyncio.Task[Any]]:
            # The fake's per-connection handlers may outlive the calls by a moment: not ours.
            return [
                t
                for t in asyncio.all_tasks() - tasks_before
                if not t.done() and "RequestHandler" not in repr(t.get_coro())
            ]

        with contextlib.suppress(AssertionError):
            await wait_until(lambda: not stray_tasks(), within=2)
        strays = stray_tasks()
    finally:
        stop.set()
        loop.set_exception_handler(previous_handler)
        if not session.closed:
            await session.close()

    report = _report(
        plan, fake, ledger, connector, outcomes, elapsed, revoked, cooldown_seen, leaked, unhandled
    )
    publish_report(report, capsys)

    # -- the invariants -----------------------------------------------------------------------
    assert unhandled == []
    assert leaked == 0
    assert strays == []
    assert revoked == len(REVOCATIONS)
    token_requests = len(fake.token_requests())
    assert token_requests == 1 + revoked, "one token request per revocation"
    assert cooldown_seen <= MAX_RETRY_AFTER
    burst = {r.method: r.fired for r in plan.rules if r.fault.status == 429}
    assert burst == BURST, "every 429 of the burst was answered"
    # ... and each ended its call, with RateLimitError, at once (Retry-After above the cap).
    limited = Counter(
        o.kind
        for o in outcomes
        if o.error is not None
        for leaf in _leaf_errors(o.error)
        if isinstance(leaf, RateLimitError)
    )
    assert limited == {"read": BURST["GET"], "write": BURST["PUT"] + BURST["DELETE"]}
    assert connector.refused > 0
    _check_reads(outcomes)
    _check_writes(outcomes, ledger, spare)
    _check_state(fake, ledger, started_boxes)


def _check_reads(outcomes: list[Outcome]) -> None:
    reads = [o for o in outcomes if o.kind == "read"]
    for o in reads:
        assert o.elapsed <= o.limit + SLACK, f"{o.name} took {o.elapsed:.2f} s (limit {o.limit})"
        if o.error is None:
            continue
        assert _typed(o.error), f"{o.name} raised an untyped error: {o.error!r}"
        for leaf in _leaf_errors(o.error):
            # Reads fail only where no retry is allowed: the 429 burst (Retry-After above the
            # cap) or a deadline shorter than the route's answer.
            if isinstance(leaf, RateLimitError):
                assert leaf.retry_after is not None
                assert leaf.retry_after > MAX_RETRY_AFTER
            else:
                assert o.limit == SLOW_TIMEOUT, f"{o.name}: {leaf!r}"
    assert sum(1 for o in reads if o.error is None) > 0.9 * len(reads)


def _check_writes(outcomes: list[Outcome], ledger: WriteLedger, spare: Box) -> None:
    writes = [o for o in outcomes if o.kind == "write"]
    keys = [o.key for o in writes]
    assert len(set(keys)) == len(keys), "each write must have a body of its own"
    spare_keys = {spare.key(step) for step in STEPS}
    assert all(ledger.arrivals[key] == [204] for key in spare_keys)
    assert set(ledger.arrivals) <= set(keys) | spare_keys, "the fake got a write nobody sent"
    for o in writes:
        assert o.key is not None
        arrivals = ledger.arrivals.get(o.key, [])
        acted = ledger.acted(o.key)
        where = f"{o.name} {sorted(o.key[2])}: arrivals {arrivals}, outcome {o.error!r}"
        # Never acted on twice, and nothing resent once it was acted on.
        assert len(acted) <= 1, where
        if acted:
            assert arrivals[-1] == acted[0], where
        if o.error is None:
            assert acted == [204], where
            continue
        error = o.error
        assert isinstance(error, FlinkeyError), where
        refusals = sum(1 for v in arrivals if v == REFUSED)
        assert refusals <= error.retries_taken + 1, where
        if isinstance(error, TransportError) and not error.request_sent:
            assert acted == [], where  # its last attempt never left; the ones before were refused
        elif isinstance(error, RateLimitError):  # the burst: refused, and not retried
            assert (error.retry_after or 0) > MAX_RETRY_AFTER, where
            assert (acted, arrivals[-1]) == ([], REFUSED), where
        elif isinstance(error, ServerError):  # a 503 without Retry-After: raised at once
            assert (error.status, error.retry_after, acted) == (503, None, [503]), where
        else:  # a reset after it arrived (or a deadline): raised at once, as request_sent
            assert isinstance(error, TransportError), where
            assert error.request_sent, where
            assert acted == [RESET] or isinstance(error, FlinkeyTimeoutError), where


def _check_state(fake: FakeFlinkey, ledger: WriteLedger, boxes: list[Box]) -> None:
    """The fake's pairings and installations are exactly what its 204s say was done."""
    data = fake.store.customer(1)
    for box in boxes:
        done = {step: ledger.acted(box.key(step)) == [204] for step in STEPS}
        paired = done["pair"] and not done["unpair"]
        installed = done["install"] and not done["uninstall"]
        assert data.services[box.service]["productId"] == (box.product if paired else None)
        assert data.installed.get(box.product) == (box.car if installed else None)


def _report(
    plan: FaultPlan,
    fake: FakeFlinkey,
    ledger: WriteLedger,
    connector: FlakyConnector,
    outcomes: list[Outcome],
    elapsed: float,
    revoked: int,
    cooldown_seen: float,
    leaked: int,
    unhandled: list[dict[str, Any]],
) -> str:
    def line(kind: str) -> str:
        mine = [o for o in outcomes if o.kind == kind]
        failed = Counter(
            type(leaf).__name__ for o in mine if o.error for leaf in _leaf_errors(o.error)
        )
        late = max((o.elapsed - o.limit for o in mine), default=0.0)
        return (
            f"  {kind + 's':<9}{len(mine):>5}: ok {sum(1 for o in mine if o.error is None)}, "
            + ", ".join(f"{name} {n}" for name, n in failed.most_common())
            + f"; longest {max(o.elapsed for o in mine):.2f} s, "
            + ("no deadline passed" if late <= 0 else f"at most {late * 1000:.0f} ms past one")
        )

    def fault(rule: Any) -> str:
        if rule.fault.reset:
            return "resets after send"
        if rule.fault.status is None:
            return "slow route"
        after = rule.fault.headers.get("Retry-After")
        return f"{rule.fault.status}" + (f" (Retry-After {after} s)" if after else "")

    fired = Counter[str]()
    for rule in plan.rules:
        fired[fault(rule)] += rule.fired
    verdicts = Counter(
        v if v in (REFUSED, UNAUTHORIZED) else "acted on"
        for arrivals in ledger.arrivals.values()
        for v in arrivals
    )
    tokens = len(fake.token_requests())
    return "\n".join(
        [
            f"chaos soak: {len(outcomes)} calls at concurrency {CONCURRENCY} in {elapsed:.1f} s "
            f"({len(outcomes) / elapsed:.0f} calls/s, {fake.requests.total} requests)",
            line("read"),
            line("write"),
            "  faults   " + ", ".join(f"{name} {n}" for name, n in sorted(fired.items())),
            f"  pre-send {connector.refused} of {connector.connects} requests refused at "
            "connect (never sent)",
            "  writes   arrivals "
            + ", ".join(f"{v} {n}" for v, n in verdicts.most_common())
            + "; none acted on twice",
            f"  tokens   {tokens} requests for {revoked} revocations",
            f"  cooldown longest {cooldown_seen:.3f} s (cap {MAX_RETRY_AFTER:g} s); "
            f"connections left {leaked}; unhandled loop errors {len(unhandled)}",
        ]
    )
