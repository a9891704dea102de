"""Decoding: a 10,000-item services JSON body to objects, the SDK versus msgspec and pydantic v2.

Every contender turns the same bytes into 10,000 frozen objects with snake_case fields and
aware datetimes. The SDK path is what ``services.list()`` runs: ``decode_json`` (orjson when
installed) plus ``structure_list`` (strict types; a failure names the JSON path).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pydantic
from pydantic.alias_generators import to_camel

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, interleaved, median_ms, parse_args, table

from flinkey_async import Service
from flinkey_async._convert import CONVERTER, structure_list
from flinkey_async._errors import decode_json, loads
from flinkey_async.testing import FakeStore

ITEMS = 10_000


class ServiceStruct(msgspec.Struct, rename="camel", frozen=True):
    """msgspec's version of Service."""

    id: int
    name: str
    is_terminated: bool
    termination_date: datetime | None = None
    termination_cause: str | None = None
    product_id: int | None = None


class ServiceModel(pydantic.BaseModel):
    """pydantic v2's version of Service (default, lax mode)."""

    model_config = pydantic.ConfigDict(alias_generator=to_camel, frozen=True)

    id: int
    name: str
    is_terminated: bool
    termination_date: datetime | None = None
    termination_cause: str | None = None
    product_id: int | None = None


class StrictServiceModel(ServiceModel):
    """pydantic v2 in strict mode (closest to the SDK's strict primitives)."""

    model_config = pydantic.ConfigDict(alias_generator=to_camel, frozen=True, strict=True)


def _aware(text: str | None) -> datetime | None:
    if text is None:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def hand_written(body: bytes) -> list[Service]:
    """json.loads and attrs construction by hand: no type checks at all."""
    return [
        Service(
            id=row["id"],
            name=row["name"],
            is_terminated=row["isTerminated"],
            termination_date=_aware(row.get("terminationDate")),
            termination_cause=row.get("terminationCause"),
            product_id=row.get("productId"),
        )
        for row in json.loads(body)
    ]


def main() -> None:
    """Run the benchmark and print its result."""
    args = parse_args(__doc__.splitlines()[0])
    repeats = 7 if args.quick else 31
    store = FakeStore()
    store.customer(1).add_many_services(ITEMS)
    body = json.dumps(list(store.customer(1).services.values())).encode()
    msgspec_decoder = msgspec.json.Decoder(list[ServiceStruct])
    lax = pydantic.TypeAdapter(list[ServiceModel])
    strict = pydantic.TypeAdapter(list[StrictServiceModel])
    loader = "orjson" if loads is not json.loads else "json"
    contenders: dict[str, Any] = {
        f"flinkey_async (decode_json [{loader}] + structure_list)": lambda: structure_list(
            decode_json(body), Service
        ),
        "flinkey_async (stdlib json.loads + structure_list)": lambda: structure_list(
            json.loads(body), Service
        ),
        "flinkey_async 0.1 path (orjson + cattrs generated hooks only)": lambda: (
            CONVERTER.structure(decode_json(body), list[Service])
        ),
        "msgspec.json.decode into a Struct": lambda: msgspec_decoder.decode(body),
        "pydantic v2 TypeAdapter.validate_json (lax)": lambda: lax.validate_json(body),
        "pydantic v2 TypeAdapter.validate_json (strict)": lambda: strict.validate_json(body),
        "hand-written attrs from json.loads (no checks)": lambda: hand_written(body),
    }
    for name, run in contenders.items():  # every contender decodes the same data
        decoded = run()
        assert len(decoded) == ITEMS, name
        assert decoded[-1].id == 100_000 + ITEMS - 1, name
        assert decoded[2].termination_date == datetime(2025, 6, 30, tzinfo=UTC), name
    times = interleaved(contenders, repeats)
    medians = {name: median_ms(samples) for name, samples in times.items()}
    sdk_name = next(iter(contenders))
    sdk = medians[sdk_name]
    rows = [
        [name, f"{ms:.2f}", f"{ms / sdk:.2f}x", f"{ITEMS / ms * 1000:,.0f}"]
        for name, ms in medians.items()
    ]
    pydantic_ms = medians["pydantic v2 TypeAdapter.validate_json (lax)"]
    markdown = "\n".join(
        [
            f"{ITEMS:,} services ({len(body):,} bytes of JSON) to objects, {repeats} "
            "interleaved repeats, medians.",
            "",
            table(["path", "median ms", "vs SDK", "items/s"], rows),
            "",
            f"SDK vs pydantic v2 (lax): {sdk / pydantic_ms:.2f}x the time; target (faster than "
            f"pydantic v2): {'met' if sdk < pydantic_ms else 'NOT met'}.",
        ]
    )
    figures = {name: round(ms, 3) for name, ms in medians.items()}
    emit(
        {
            "name": "decode",
            "title": "Decoding (bench_decode.py)",
            "markdown": markdown,
            "figures": figures,
        },
        args.json,
    )


if __name__ == "__main__":
    main()
