"""Decoding: 10,000 realistic services, JSON bytes to objects, the SDK versus its baselines.

Every contender turns the same bytes (benchmarks/_payload.py: nullable fields populated, 4
unknown fields per row) into 10,000 objects with aware datetimes. The SDK path is what
``services.list()`` runs on a body: orjson.loads, then ``structure_list`` into ``Service``.
The hand-written baseline is orjson.loads plus ``_payload.services_from_json`` (type checks
of primitives, aware datetimes, the same attrs ``Service``; see its docstring).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
import orjson
import pydantic
from _common import parse_args, timed
from _payload import FIRST_ID, body, check_services, row, service_from_row, services_from_json
from _results import Report
from _variants import Uses, cattrs_structurer
from pydantic.alias_generators import to_camel

from flinkey_async import Service
from flinkey_async._convert import structure_list

ITEMS = 10_000
SDK = "SDK: orjson + structure_list"
HAND = "orjson + hand-written attrs"
PYDANTIC = "pydantic v2 validate_json (lax)"
NO_COMPILE = "SDK without compile_structurer (cattrs' generated hooks)"


class ServiceStruct(msgspec.Struct, rename="camel", frozen=True):
    """msgspec's Service (unknown fields ignored, its default)."""

    id: int
    name: str
    is_terminated: bool
    termination_date: datetime | None = None
    termination_cause: str | None = None
    product_id: int | None = None


class ServiceModel(pydantic.BaseModel):
    """pydantic v2's Service: lax mode (its default), extra fields ignored (its default)."""

    model_config = pydantic.ConfigDict(alias_generator=to_camel, frozen=True)

    id: int
    name: str
    is_terminated: bool
    termination_date: datetime | None = None
    termination_cause: str | None = None
    product_id: int | None = None


class StrictServiceModel(ServiceModel):
    """pydantic v2 in strict mode (closest to the SDK's exact-type checks)."""

    model_config = pydantic.ConfigDict(alias_generator=to_camel, frozen=True, strict=True)


def _same(decoded: list[Any]) -> None:
    """Fail unless a peer's objects carry the same values as the SDK's Services."""
    for i in (0, 3, len(decoded) - 1):
        expected = service_from_row(row(FIRST_ID + i))
        got = decoded[i]
        for field in ("id", "name", "is_terminated", "termination_date", "product_id"):
            if getattr(got, field) != getattr(expected, field):
                raise AssertionError(f"item {i}.{field}: {got!r} != {expected!r}")


def main() -> None:
    """Run the benchmark and emit its result."""
    args = parse_args(__doc__.splitlines()[0])
    rounds, inner = (5, 1) if args.quick else (21, 5)
    data = body(ITEMS)
    msgspec_decoder = msgspec.json.Decoder(list[ServiceStruct])
    lax = pydantic.TypeAdapter(list[ServiceModel])
    strict = pydantic.TypeAdapter(list[StrictServiceModel])
    uses = Uses()

    def without_compile() -> list[Service]:
        with cattrs_structurer(uses):
            return structure_list(orjson.loads(data), Service)

    contenders: dict[str, Any] = {
        HAND: lambda: services_from_json(orjson.loads(data)),
        SDK: lambda: structure_list(orjson.loads(data), Service),
        NO_COMPILE: without_compile,
        PYDANTIC: lambda: lax.validate_json(data),
        "pydantic v2 validate_json (strict)": lambda: strict.validate_json(data),
        "msgspec.json.Decoder(list[Struct])": lambda: msgspec_decoder.decode(data),
    }
    for name, run in contenders.items():  # every contender decodes the same data the same way
        decoded = run()
        if name in (HAND, SDK, NO_COMPILE):
            check_services(decoded, ITEMS)
        else:
            _same(decoded)
    if not uses.count:
        raise AssertionError("the cattrs_structurer variant was not used")
    samples = timed(contenders, rounds, inner=inner)

    per_round = f", each round's figure the sum of {inner} runs per contender" if inner > 1 else ""
    report = Report(
        "decode",
        "Decoding 10,000 realistic services (bench_decode.py)",
        f"{ITEMS:,} services, {len(data):,} bytes of JSON (6 modelled fields, nullable ones "
        "populated, 4 unknown fields per row), to objects. CPU-only; both clocks of this "
        f"process{per_round}; figures are per decode of {ITEMS:,}.",
        rounds=rounds,
        full_rounds=21,
        quick=args.quick,
    )
    rows = report.section("Decode", "ms per 10k", 1000 / inner)
    report.add(rows, samples, HAND)
    report.add(rows, samples, SDK, vs=HAND, target=("≤", 1.05), goal="decode 10k rows")
    report.add(rows, samples, PYDANTIC, vs=SDK)
    pyd = report.add(rows, samples, SDK, vs=PYDANTIC, target=("<", 1.00), goal="decode 10k rows")
    pyd["name"] = "SDK (again, vs pydantic)"
    for name in ("pydantic v2 validate_json (strict)", "msgspec.json.Decoder(list[Struct])"):
        report.add(rows, samples, name, vs=SDK)
    rows = report.section(
        "Home-made primitive (b): the exec-compiled structurer",
        "ms per 10k",
        1000 / inner,
        "With it (the SDK as shipped) versus without it (cattrs' own generated structure "
        "function per item, patched in by benchmarks/_variants.py).",
    )
    report.add(rows, samples, NO_COMPILE)
    report.add(
        rows,
        samples,
        SDK,
        vs=NO_COMPILE,
        primitive="compile_structurer vs cattrs' generated hooks",
    )
    report.note(
        "Hand-written attrs baseline: checks the exact type of id/name/isTerminated and of "
        "the nullable fields when present, parses terminationDate with "
        "datetime.fromisoformat (naive read as UTC), ignores unknown keys, builds the SDK's "
        "own attrs Service positionally. It does not tolerate 1.0 for an int (the SDK does) "
        "and names no JSON path on failure (the SDK re-runs a detailed pass only on failure)."
    )
    report.note(
        'pydantic lax mode coerces (e.g. "1" to 1); strict mode refuses that, like the SDK. '
        "msgspec checks types natively; it is informational."
    )
    report.emit(args.json)


if __name__ == "__main__":
    main()
