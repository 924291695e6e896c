"""Citizen and business feedback (phản ánh kiến nghị, PAKN): opened, answered, closed.
Feedback must be handled within 15 working days of opening."""

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field, model_validator

from contracts.envelope import CloudEvent, Code, Payload, field_errors
from contracts.topics import FEEDBACK_EVENTS, Topic


class Feedback(Payload):
    feedback_id: str = Field(min_length=1, max_length=64)
    org_unit_code: Code
    agency_code: Code | None = Field(default=None, description="Agency handling it, once assigned.")
    category: str = Field(min_length=1, max_length=64, description="e.g. dat-dai, moi-truong.")
    opened_at: AwareDatetime
    due_at: AwareDatetime | None = Field(
        default=None, description="Null: 15 working days after opened_at."
    )
    answered_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    rating: int | None = Field(default=None, ge=1, le=5, description="Citizen satisfaction 1-5.")

    @model_validator(mode="after")
    def _not_before_opened(self) -> "Feedback":
        late = [
            (name, "must not be before opened_at")
            for name in ("due_at", "answered_at", "closed_at")
            if (at := getattr(self, name)) is not None and at < self.opened_at
        ]
        if late:
            raise field_errors(self, late)
        return self


class AnsweredFeedback(Feedback):
    answered_at: AwareDatetime


class ClosedFeedback(Feedback):
    closed_at: AwareDatetime


class _FeedbackEvent(CloudEvent):
    topic: ClassVar[Topic] = FEEDBACK_EVENTS
    data: Feedback

    def partition_key(self) -> str:
        return self.data.feedback_id


class FeedbackOpened(_FeedbackEvent):
    """A citizen or business opened a feedback report."""

    type: Literal["vn.ioc.feedback.opened.v1"]


class FeedbackAnswered(_FeedbackEvent):
    """The responsible agency answered a feedback report."""

    type: Literal["vn.ioc.feedback.answered.v1"]
    data: AnsweredFeedback


class FeedbackClosed(_FeedbackEvent):
    """A feedback report was closed, with the citizen's rating when given."""

    type: Literal["vn.ioc.feedback.closed.v1"]
    data: ClosedFeedback
