"""Groups of cars (flinkey's grouping): read-only here, without OData, as documented."""

import attrs

from .._collection import PlainCollection
from .._nested import PlainNested
from .cars import Car


@attrs.frozen
class Group:
    """A named group of cars (and users, services, products)."""

    id: int
    name: str


class Groups(PlainCollection[Group]):
    """The customer's groups (GET /groups) and the cars of one (GET /groups/{groupId}/cars).

    flinkey documents no OData for these two, so they take no query. Creating groups and
    assigning items is not documented yet: use ``client.request(...)`` until it is.
    """

    path = "groups"
    key = "groupId"
    cars = PlainNested("cars", Car)
    """The cars of one group (GET /groups/{groupId}/cars) [PARTIAL: errors cut off]."""
