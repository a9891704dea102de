"""flinkey_async: the async Python SDK for the flinkey API v3."""

from ._bulk import BulkFetchError
from ._client import PRODUCTION_URL, UAT_URL, FlinkeyClient
from ._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
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
from ._fields import (
    Expr,
    F,
    Field,
    ModelFields,
    OrderKey,
    ProductFields,
    ServiceFields,
    Term,
    fields,
    raw,
)
from ._literal import literal
from ._models import (
    UNSET,
    PartialProduct,
    PartialService,
    Product,
    ProductType,
    Service,
    UnsetType,
)
from ._paging import Pager
from ._query import Full, Query, Selected
from ._retry import RetryPolicy, is_retryable
from ._secret import Secret
from ._services import Services
from ._version import __version__

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "BulkFetchError",
    "ClientClosedError",
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

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("flinkey_async._"):
        _obj.__module__ = "flinkey_async"
del _name, _obj
