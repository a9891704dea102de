"""Users of the customer: the people assignments give access to cars."""

import attrs

from .._fields import Field
from .._lookup import Resource
from .._model import UNSET, UnsetType
from .._model_fields import FieldsBase, HasFields


@attrs.frozen
class UserData:
    """A user's name, either part of which may be unknown."""

    first_name: str | None = None
    last_name: str | None = None


@attrs.frozen
class PartialUserData:
    """UserData fetched with ``$select`` of some of its parts."""

    first_name: str | UnsetType | None = UNSET
    last_name: str | UnsetType | None = UNSET


class UserFields(FieldsBase):
    """Typed field references of User / PartialUser (``F("userData/firstName")`` for parts)."""

    __slots__ = ()
    id: Field[int]
    email_address: Field[str]
    user_data: Field[UserData]


@attrs.frozen
class User(HasFields[UserFields]):
    """A user, as GET /users returns it."""

    id: int
    email_address: str
    user_data: UserData = attrs.field(factory=UserData)


@attrs.frozen
class PartialUser(HasFields[UserFields]):
    """A User fetched with ``$select``: fields that were not selected are UNSET."""

    id: int | UnsetType = UNSET
    email_address: str | UnsetType = UNSET
    user_data: PartialUserData | UnsetType = UNSET


class Users(Resource[User, PartialUser]):
    """The customer's users (GET /users, GET /users/{userId}; its 404 text is not documented)."""

    path = "users"
    key = "userId"
