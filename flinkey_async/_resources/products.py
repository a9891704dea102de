"""Products (flinkey Box, flinkey IQ): the boxes themselves; their models live with services."""

from .._lookup import Resource
from .._nested import One
from .services import PartialProduct, PartialService, Product, Service


class Products(Resource[Product, PartialProduct]):
    """The customer's products (GET /products, GET /products/{productId}).

    [PARTIAL] flinkey documents GET /products/{productId} only in part; its 404 text is not
    documented.
    """

    path = "products"
    key = "productId"
    get_service = One("services", Service, PartialService)
    """The service paired with a product (GET /products/{productId}/services, one object).

    [UNVERIFIED] seen only in flinkey's own web components; a non-2xx answer means that no
    service is paired (NotFoundError for a 404).
    """
