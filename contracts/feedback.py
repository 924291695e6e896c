"""Citizen and business feedback (phản ánh kiến nghị, PAKN): opened, answered, closed.
Feedback must be handled within 15 working days of opening."""

from typing import ClassVar, Literal

from pydantic import Field, StrictInt, model_validator

from contracts.envelope import CloudEvent, Code, Payload, field_errors
from contracts.topics import FEEDBACK_EVENTS, Topic
from contracts.values import FUTURE, LONGEST_DUE, PRINTABLE, Moment, latest_fact


class Feedback(Payload):
    feedback_id: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    org_unit_code: Code
    agency_code: Code | None = Field(default=None, description="Agency handling it, once assigned.")
    category: str = Field(min_length=1, max_length=64, description="e.g. dat-dai, moi-truong.")
    opened_at: Moment
    due_at: Moment | None = Field(
        default=None,
        description="Null: 15 working days after opened_at; at most five years after it.",
    )
    answered_at: Moment | None = None
    closed_at: Moment | None = None
    rating: StrictInt | None = Field(
        default=None, ge=1, le=5, description="Citizen satisfaction 1-5."
    )

    @model_validator(mode="after")
    def _consistent(self) -> "Feedback":
        limit = latest_fact()
        errors = [
            (name, FUTURE)
            for name in ("opened_at", "answered_at", "closed_at")
            if (at := getattr(self, name)) is not None and at > limit
        ]
        errors += [
            (name, "must not be before opened_at")
            for name in ("due_at", "answered_at", "closed_at")
            if (at := getattr(self, name)) is not None and at < self.opened_at
        ]
        if self.due_at is not None and self.due_at - self.opened_at > LONGEST_DUE:
            errors.append(("due_at", "must be at most five years after opened_at"))
        if errors:
            raise field_errors(self, errors)
        return self


class AnsweredFeedback(Feedback):
    answered_at: Moment


class ClosedFeedback(Feedback):
    closed_at: Moment


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
