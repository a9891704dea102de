"""The typed webhook events: snake_case here, camelCase on the wire (reference §4.2)."""

# No "from __future__ import annotations": cattrs resolves these annotations at run time, in
# the namespace of __module__, which the package sets to flinkey_async.webhooks.
import enum
from datetime import datetime
from typing import ClassVar, TypeAlias

import attrs


class WebhookKind(enum.StrEnum):
    """Which assignment operation a webhook URL reports; open, so a later kind is kept, not refused.

    flinkey's payloads carry no kind field, so the receiver names it (one URL per kind).
    """

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"

    @classmethod
    def _missing_(cls, value: object) -> "WebhookKind | None":
        if not isinstance(value, str):
            return None
        folded = value.strip().lower()
        if folded in cls._value2member_map_:
            return cls(folded)
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        # Cache it so the same unknown value is always the same member.
        return cls._value2member_map_.setdefault(value, member)  # type: ignore[return-value]

    @property
    def is_known(self) -> bool:
        """Whether this SDK version knows the kind (an unknown one parses as AssignmentEvent)."""
        return self._name_ != "UNKNOWN"

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self._name_}: {self.value!r}>"


@attrs.frozen(kw_only=True)
class AssignmentCreated:
    """The result of an asynchronous assignment create; ``assignment_id`` is None if it failed."""

    kind: ClassVar[WebhookKind | None] = WebhookKind.CREATED

    checksum: str
    assignment_id: int | None = None
    car_id: int
    user_id: int
    start: datetime
    end: datetime | None = None
    customer_id: int
    operation_succeeded: bool
    error_message: str | None = None
    lifetime: int | None = None
    renewable_after: int | None = None


@attrs.frozen(kw_only=True)
class AssignmentUpdated:
    """The result of an asynchronous assignment update; only ``checksum`` is sure (docs partial)."""

    kind: ClassVar[WebhookKind | None] = WebhookKind.UPDATED

    checksum: str
    assignment_id: int | None = None
    car_id: int | None = None
    user_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    customer_id: int | None = None
    operation_succeeded: bool | None = None
    error_message: str | None = None
    lifetime: int | None = None
    renewable_after: int | None = None


@attrs.frozen(kw_only=True)
class AssignmentDeleted:
    """The result of an asynchronous assignment delete (also one per assignment on uninstall).

    flinkey has not published this payload; the fields flinkey is expected to send are
    required, the rest of the assignment's fields are optional.
    """

    kind: ClassVar[WebhookKind | None] = WebhookKind.DELETED

    checksum: str
    assignment_id: int
    car_id: int | None = None
    user_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    customer_id: int
    operation_succeeded: bool
    error_message: str | None = None
    lifetime: int | None = None
    renewable_after: int | None = None


@attrs.frozen(kw_only=True)
class AssignmentEvent:
    """Any assignment webhook, when the receiver does not know (or know of) its kind."""

    kind: ClassVar[WebhookKind | None] = None

    checksum: str
    assignment_id: int | None = None
    car_id: int | None = None
    user_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    customer_id: int
    operation_succeeded: bool
    error_message: str | None = None
    lifetime: int | None = None
    renewable_after: int | None = None


WebhookEvent: TypeAlias = (
    AssignmentCreated | AssignmentUpdated | AssignmentDeleted | AssignmentEvent
)
"""Any event ``parse`` returns."""

EVENT_CLASSES: dict[WebhookKind, type[WebhookEvent]] = {
    WebhookKind.CREATED: AssignmentCreated,
    WebhookKind.UPDATED: AssignmentUpdated,
    WebhookKind.DELETED: AssignmentDeleted,
}


def event_class(kind: WebhookKind | str | None) -> type[WebhookEvent]:
    """Return the model for a kind: the typed one if known, else the lenient AssignmentEvent."""
    if kind is None:
        return AssignmentEvent
    if not isinstance(kind, str):
        raise TypeError(f"kind must be a WebhookKind, a str or None, not {type(kind).__name__}")
    return EVENT_CLASSES.get(WebhookKind(kind), AssignmentEvent)
