"""The declared public surface: sorted, complete, and presented as flinkey_async.X."""

from __future__ import annotations

import subprocess
import sys
import types

import flinkey_async
import flinkey_async.testing


def _public(module: types.ModuleType) -> list[str]:
    return sorted(
        name
        for name in dir(module)
        if not name.startswith("_") and not isinstance(getattr(module, name), types.ModuleType)
    )


def test_all_is_sorted_and_complete() -> None:
    """__all__ lists exactly the public names, in sorted order (httpx's pinned surface)."""
    for module in (flinkey_async, flinkey_async.testing):
        names = [n for n in module.__all__ if n != "__version__"]
        assert module.__all__ == sorted(module.__all__)
        assert names == _public(module)


def test_public_classes_present_as_the_package() -> None:
    """Reprs and tracebacks say flinkey_async.FlinkeyClient, not a private module."""
    assert flinkey_async.FlinkeyClient.__module__ == "flinkey_async"
    assert flinkey_async.NotFoundError.__module__ == "flinkey_async"


def test_version_is_exposed() -> None:
    """The version is a PEP 440 string."""
    assert flinkey_async.__version__.count(".") == 2


def test_importing_the_package_does_not_import_aiohttp() -> None:
    """aiohttp loads when a client is built, not with the package or the registry (CLI help)."""
    code = (
        "import sys, flinkey_async, flinkey_async.models, flinkey_async._registry; "
        "assert 'aiohttp' not in sys.modules; "
        "flinkey_async.FlinkeyClient; assert 'aiohttp' not in sys.modules; "
        "flinkey_async.FlinkeyClient(api_key='k', username='u', password='p'); "
        "assert 'aiohttp' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
