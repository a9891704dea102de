"""The query builder's public names are exported from flinkey_async, and nothing private."""

import flinkey_async

QUERY_NAMES = {
    "Expr",
    "F",
    "Field",
    "Full",
    "ModelFields",
    "OrderKey",
    "PartialProduct",
    "PartialService",
    "ProductFields",
    "Query",
    "Selected",
    "ServiceFields",
    "Term",
    "UNSET",
    "UnsetType",
    "fields",
    "literal",
    "raw",
}


def test_query_names_are_exported() -> None:
    """Every public name of the builder is importable from the package root."""
    assert set(flinkey_async.__all__) >= QUERY_NAMES
    assert flinkey_async.__all__ == sorted(flinkey_async.__all__)
    assert not [
        name for name in flinkey_async.__all__ if name.startswith("_") and name != "__version__"
    ]
    assert flinkey_async.Query.__module__ == "flinkey_async"
