"""flinkey_async: the async Python SDK for the flinkey API v3."""

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
from ._models import Product, ProductType, Service
from ._retry import RetryPolicy, is_retryable
from ._secret import Secret
from ._services import Services
from ._version import __version__

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "FlinkeyClient",
    "FlinkeyError",
    "FlinkeyTimeoutError",
    "InvalidAPIKeyError",
    "InvalidTokenError",
    "NotFoundError",
    "PRODUCTION_URL",
    "Product",
    "ProductType",
    "RateLimitError",
    "RedirectError",
    "ResponseDecodeError",
    "RetryPolicy",
    "Secret",
    "ServerError",
    "Service",
    "Services",
    "TokenRequestError",
    "TransportError",
    "UAT_URL",
    "UnknownManagerError",
    "UnsupportedMediaTypeError",
    "WrongEventLoopError",
    "__version__",
    "is_retryable",
]

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("flinkey_async._"):
        _obj.__module__ = "flinkey_async"
del _name, _obj
