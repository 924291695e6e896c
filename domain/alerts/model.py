"""Alerts, the conditions that raise and resolve them, silences, and the changes they go through
(the history is the list of changes: replaying it rebuilds every alert)."""

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class State(StrEnum):
    FIRING = "firing"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class AlertKind(StrEnum):
    TARGET_RISK = "target_risk"
    STALE_DATA = "stale_data"
    DOSSIERS_OVERDUE = "dossiers_overdue"
    FEEDBACK_OVERDUE = "feedback_overdue"


# Names people read, in Vietnamese and English; most severe first.
SEVERITY_NAMES = {
    Severity.CRITICAL: ("Nghiêm trọng", "Critical"),
    Severity.WARNING: ("Cảnh báo", "Warning"),
    Severity.INFO: ("Thông tin", "Info"),
}
STATE_NAMES = {
    State.FIRING: ("Đang cảnh báo", "Firing"),
    State.ACKNOWLEDGED: ("Đã xác nhận", "Acknowledged"),
    State.RESOLVED: ("Đã đóng", "Resolved"),
}
KIND_NAMES = {
    AlertKind.TARGET_RISK: ("Mục tiêu có nguy cơ", "Target at risk"),
    AlertKind.STALE_DATA: ("Báo cáo chậm", "Late report"),
    AlertKind.DOSSIERS_OVERDUE: ("Hồ sơ quá hạn", "Overdue dossiers"),
    AlertKind.FEEDBACK_OVERDUE: ("Phản ánh quá hạn", "Overdue citizen reports"),
}


def severity_rank(severity: Severity) -> int:
    """0 for the most severe."""
    return list(SEVERITY_NAMES).index(severity)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


def fingerprint(labels: Mapping[str, str]) -> str:
    """The alert's identity: the same identifying labels are the same alert."""
    canonical = json.dumps(dict(sorted(labels.items())), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class Condition(_Frozen):
    """What a rule sees now: whether the alert should fire, and what it says."""

    labels: dict[str, str] = Field(description="Identifying labels; `kind` always among them.")
    firing: bool
    severity: Severity = Severity.WARNING
    summary_vi: str = ""
    summary_en: str = ""
    details: dict[str, str] = Field(default_factory=dict, description="Shown, not identifying.")
    trace_parent: str | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.labels)


class AuditEntry(_Frozen):
    at: datetime
    actor: str  # an operator, or "ioc" for the evaluator
    action: str  # fired, updated, acknowledged, assigned, commented, resolved, refired
    comment: str = ""


class Alert(_Frozen):
    fingerprint: str
    labels: dict[str, str]
    state: State
    severity: Severity
    summary_vi: str
    summary_en: str
    details: dict[str, str] = Field(default_factory=dict)
    started_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = None
    assignee: str | None = None
    audit: tuple[AuditEntry, ...] = ()

    @property
    def kind(self) -> str:
        return self.labels["kind"]

    @property
    def active(self) -> bool:
        return self.state is not State.RESOLVED


class Matcher(_Frozen):
    label: str
    value: str


class Silence(_Frozen):
    id: str
    matchers: tuple[Matcher, ...] = Field(min_length=1)
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str

    def matches(self, alert: Alert, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at and all(
            alert.labels.get(m.label) == m.value for m in self.matchers
        )


class AlertChange(_Frozen):
    """One change, as it goes onto the history topic and the live stream."""

    action: str
    at: datetime
    actor: str
    alert: Alert | None = None
    silence: Silence | None = None
    trace_parent: str | None = None

    @property
    def key(self) -> str:
        if self.alert is not None:
            return self.alert.fingerprint
        assert self.silence is not None
        return f"silence:{self.silence.id}"
