"""The CloudEvents 1.0 envelope every IOC event travels in (structured-mode JSON attributes).

`source` + `id` is an event's identity (the idempotency key); `time` is when it happened at the
agency, the event time every KPI is aggregated by.
"""

from abc import abstractmethod
from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from contracts.topics import Topic
from contracts.values import FUTURE, PRINTABLE, Moment, latest_fact

Code = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$",
        description="A code from the province's reference data (org unit, agency, procedure).",
    ),
]

# CloudEvents: extension attribute names are lower-case ASCII letters and digits, at most 20.
EXTENSION_NAME_PATTERN = r"^[a-z0-9]{1,20}$"
ExtensionName = Annotated[str, StringConstraints(pattern=EXTENSION_NAME_PATTERN)]


class Payload(BaseModel):
    """Base of every event's `data`: immutable; unknown fields are ignored, so a producer may
    start sending an additive field before every consumer knows it."""

    # Enum fields keep their plain values (equal to the enum members): serialising them is then
    # a fast path, which matters at thousands of events per second.
    model_config = ConfigDict(frozen=True, extra="ignore", use_enum_values=True)


Location = str | tuple[str | int, ...]  # a field's name, or its path inside the model


def field_errors(model: BaseModel, errors: Iterable[tuple[Location, str]]) -> ValidationError:
    """Errors of cross-field rules, each located at its field as a field validator's would be.

    A payload checks its rules in one model validator rather than a field validator each: a
    Python call per rule per event was a third of the time spent validating a batch."""
    return ValidationError.from_exception_data(
        type(model).__name__,
        [
            InitErrorDetails(
                type=PydanticCustomError("value_error", "Value error, {reason}", {"reason": why}),
                loc=(where,) if isinstance(where, str) else where,
                input=_at(model, where),
            )
            for where, why in errors
        ],
    )


def _at(model: Any, where: Location) -> Any:
    for step in (where,) if isinstance(where, str) else where:
        model = model[step] if isinstance(step, int) else getattr(model, step)
    return model


class CloudEvent(BaseModel):
    """Base of every event type; subclasses fix `type`, `data` and the Kafka `topic`."""

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        # Every attribute's name, the extensions' too, as the CloudEvents spec has them.
        json_schema_extra={"propertyNames": {"pattern": EXTENSION_NAME_PATTERN}},
    )

    topic: ClassVar[Topic]

    specversion: Literal["1.0"] = Field(description="CloudEvents version; always 1.0.")
    id: str = Field(
        min_length=1,
        max_length=256,
        pattern=PRINTABLE,
        description="Unique within `source`; `source` + `id` identifies the event, so a retry "
        "with the same pair is recognised as a duplicate.",
    )
    source: str = Field(
        min_length=1,
        max_length=512,
        pattern=r"^\S+$",
        description="URI-reference of the publishing agency system, "
        "e.g. `/agencies/so-tu-phap/mot-cua`. An agency may publish only sources it owns.",
    )
    type: str
    time: Moment = Field(
        description="When it happened at the agency (event time), RFC 3339 with an offset; "
        "not in the future (beyond a few minutes of clock skew)."
    )
    subject: str | None = Field(default=None, max_length=256)
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = Field(default=None, max_length=1024, pattern=r"^\S+$")
    data: Payload
    # Extension attributes: the CloudEvents spec's names, string, integer or boolean values,
    # checked by pydantic's core (no Python call per event).
    __pydantic_extra__: dict[ExtensionName, str | int | bool] = Field(init=False)

    @model_validator(mode="after")
    def _happened(self) -> "CloudEvent":
        if self.time > latest_fact():
            raise field_errors(self, [("time", FUTURE)])
        return self

    @abstractmethod
    def partition_key(self) -> str:
        """The Kafka record key: events with the same key keep their order."""

    @property
    def extensions(self) -> dict[str, Any]:
        return dict(self.model_extra or {})
