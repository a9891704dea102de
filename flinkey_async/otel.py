"""OpenTelemetry for flinkey_async: ``FlinkeyClient(..., opentelemetry=True)`` switches it on.

Off by default; with it off nothing here is imported. ``pip install "flinkey-async[otel]"``
brings opentelemetry-api; spans and metrics go to the global providers, or to the ones given
here: ``FlinkeyClient(..., opentelemetry=OpenTelemetry(tracer_provider=tp))``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import aiohttp

    from ._engine import Engine
    from ._otel import Instruments


@attrs.frozen(kw_only=True)
class OpenTelemetry:
    """Where a client's spans and metrics go (None: the global providers at the time of use)."""

    tracer_provider: Any = None
    meter_provider: Any = None

    def trace_config(self) -> aiohttp.TraceConfig:
        """Return an aiohttp TraceConfig timing waits for a pooled connection.

        A client adds it to the session it creates; add it yourself to a session you lend
        (``aiohttp.ClientSession(trace_configs=[...])``): a borrowed session is never changed.
        """
        from ._otel import Instruments

        return Instruments(self).trace_config()


def instruments_for(option: bool | OpenTelemetry) -> Instruments | None:
    """Return the instruments a client asked for with ``opentelemetry=``, or None (off)."""
    if option is False:
        return None
    if option is True:
        option = OpenTelemetry()
    if not isinstance(option, OpenTelemetry):
        raise TypeError("opentelemetry must be True, False or a flinkey_async.otel.OpenTelemetry")
    try:
        from ._otel import Instruments
    except ImportError as exc:
        raise ImportError(
            'opentelemetry= needs opentelemetry-api: pip install "flinkey-async[otel]"'
        ) from exc
    return Instruments(option)


def traced(instruments: Instruments) -> Callable[..., Engine]:
    """Return the constructor of an engine that records into these instruments."""
    from ._traced import TracedEngine

    return partial(TracedEngine.with_instruments, instruments)


__all__ = ["OpenTelemetry"]
