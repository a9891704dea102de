"""flinkey_async: the async Python SDK for the flinkey API v3.

The root holds the machinery (client, errors, queries, paging); the models of every resource
are in ``flinkey_async.models`` (the Services models stay importable from here too).

Importing the package does not import aiohttp: the HTTP stack is loaded when the first client
is built, so the CLI's ``--help`` and a webhook receiver stay light.
"""

from typing import Any as _Any

from ._bulk import BulkFetchError
from ._client import PRODUCTION_URL, UAT_URL, FlinkeyClient
from ._convert import ListResult
from ._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    ConflictError,
    FlinkeyError,
    FlinkeyTimeoutError,
    InvalidAPIKeyError,
    InvalidTokenError,
    NotFoundError,
    RateLimitError,
    RedirectError,
    ResponseDecodeError,
    ServerError,
    TokenRequestError,
    TransportError,
    UnknownManagerError,
    UnsupportedMediaTypeError,
    WrongEventLoopError,
)
from ._fields import Expr, F, Field, OrderKey, Term, raw
from ._literal import literal
from ._model import UNSET, UnsetType
from ._model_fields import ModelFields, fields
from ._paging import Pager
from ._query import Full, Query, Selected
from ._resources.services import (
    PartialProduct,
    PartialService,
    Product,
    ProductFields,
    ProductType,
    Service,
    ServiceFields,
    Services,
)
from ._retry import RetryPolicy, is_retryable
from ._scope import CallOptions
from ._secret import Secret
from ._version import __version__

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "BulkFetchError",
    "CallOptions",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "Expr",
    "F",
    "Field",
    "FlinkeyClient",
    "FlinkeyError",
    "FlinkeyTimeoutError",
    "Full",
    "InvalidAPIKeyError",
    "InvalidTokenError",
    "ListResult",
    "ModelFields",
    "NotFoundError",
    "OrderKey",
    "PRODUCTION_URL",
    "Pager",
    "PartialProduct",
    "PartialService",
    "Product",
    "ProductFields",
    "ProductType",
    "Query",
    "RateLimitError",
    "RedirectError",
    "ResponseDecodeError",
    "RetryPolicy",
    "Secret",
    "Selected",
    "ServerError",
    "Service",
    "ServiceFields",
    "Services",
    "Term",
    "TokenRequestError",
    "TransportError",
    "UAT_URL",
    "UNSET",
    "UnknownManagerError",
    "UnsetType",
    "UnsupportedMediaTypeError",
    "WrongEventLoopError",
    "__version__",
    "fields",
    "is_retryable",
    "literal",
    "raw",
]


def _present(value: _Any) -> _Any:
    """Show a public object as flinkey_async.X (models keep flinkey_async.models)."""
    if getattr(value, "__module__", "").startswith("flinkey_async._"):
        value.__module__ = "flinkey_async"
    return value


from . import models as _models  # noqa: E402, F401  (models first claim their own home)

for _name in __all__:
    _present(globals()[_name])
del _name
