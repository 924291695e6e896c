"""The alert book: every alert by fingerprint, and what happens to it. Conditions raise, update
and resolve alerts (one alert per fingerprint: the same condition twice is one alert);
operators acknowledge, assign, comment, resolve and silence. Each call returns the change to
record, or None when nothing changed."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.alerts.model import Alert, AlertChange, AuditEntry, Condition, Matcher, Silence, State

EVALUATOR = "ioc"


class UnknownAlertError(KeyError):
    pass


class AlertBook:
    def __init__(self, history: Iterable[AlertChange] = ()) -> None:
        self.alerts: dict[str, Alert] = {}
        self.silences: dict[str, Silence] = {}
        for change in history:
            self.record(change)

    def record(self, change: AlertChange) -> None:
        """Take a change (from the history topic, or just made): the latest state wins."""
        if change.alert is not None:
            self.alerts[change.alert.fingerprint] = change.alert
        if change.silence is not None:
            self.silences[change.silence.id] = change.silence

    def observe(self, condition: Condition, now: datetime) -> AlertChange | None:
        alert = self.alerts.get(condition.fingerprint)
        if not condition.firing:
            if alert is None or not alert.active:
                return None
            return self._change(
                alert, "resolved", EVALUATOR, now, state=State.RESOLVED, resolved_at=now
            )
        said: dict[str, Any] = {
            "severity": condition.severity,
            "summary_vi": condition.summary_vi,
            "summary_en": condition.summary_en,
            "details": condition.details,
        }
        if alert is None:
            new = Alert.model_validate(
                {
                    "fingerprint": condition.fingerprint,
                    "labels": condition.labels,
                    "state": State.FIRING,
                    "started_at": now,
                    "updated_at": now,
                    "audit": (AuditEntry(at=now, actor=EVALUATOR, action="fired"),),
                    **said,
                }
            )
            return self._made(new, "fired", EVALUATOR, now, condition.trace_parent)
        if not alert.active:
            return self._change(
                alert,
                "refired",
                EVALUATOR,
                now,
                trace_parent=condition.trace_parent,
                state=State.FIRING,
                started_at=now,
                resolved_at=None,
                assignee=None,
                **said,
            )
        if all(getattr(alert, k) == v for k, v in said.items()):
            return None
        return self._change(alert, "updated", EVALUATOR, now, **said)

    def acknowledge(self, fingerprint: str, actor: str, comment: str, now: datetime) -> AlertChange:
        alert = self._get(fingerprint)
        state = State.ACKNOWLEDGED if alert.active else alert.state
        return self._change(alert, "acknowledged", actor, now, comment, state=state)

    def assign(
        self, fingerprint: str, assignee: str, actor: str, comment: str, now: datetime
    ) -> AlertChange:
        alert = self._get(fingerprint)
        return self._change(alert, "assigned", actor, now, comment or assignee, assignee=assignee)

    def comment(self, fingerprint: str, actor: str, comment: str, now: datetime) -> AlertChange:
        return self._change(self._get(fingerprint), "commented", actor, now, comment)

    def resolve(self, fingerprint: str, actor: str, comment: str, now: datetime) -> AlertChange:
        """By hand: the alert fires again if its condition still holds at the next evaluation."""
        alert = self._get(fingerprint)
        return self._change(
            alert, "resolved", actor, now, comment, state=State.RESOLVED, resolved_at=now
        )

    def silence(
        self,
        matchers: list[Matcher],
        ends_at: datetime,
        actor: str,
        comment: str,
        now: datetime,
    ) -> AlertChange:
        silence = Silence(
            id=uuid.uuid4().hex[:12],
            matchers=tuple(matchers),
            starts_at=now,
            ends_at=ends_at,
            created_by=actor,
            comment=comment,
        )
        change = AlertChange(action="silenced", at=now, actor=actor, silence=silence)
        self.record(change)
        return change

    def silenced(self, alert: Alert, now: datetime) -> Silence | None:
        return next((s for s in self.silences.values() if s.matches(alert, now)), None)

    def _get(self, fingerprint: str) -> Alert:
        try:
            return self.alerts[fingerprint]
        except KeyError:
            raise UnknownAlertError(fingerprint) from None

    def _change(
        self,
        alert: Alert,
        action: str,
        actor: str,
        now: datetime,
        comment: str = "",
        trace_parent: str | None = None,
        **fields: Any,
    ) -> AlertChange:
        entry = AuditEntry(at=now, actor=actor, action=action, comment=comment)
        changed = alert.model_copy(
            update={**fields, "updated_at": now, "audit": (*alert.audit, entry)}
        )
        return self._made(changed, action, actor, now, trace_parent)

    def _made(
        self, alert: Alert, action: str, actor: str, now: datetime, trace_parent: str | None
    ) -> AlertChange:
        change = AlertChange(
            action=action, at=now, actor=actor, alert=alert, trace_parent=trace_parent
        )
        self.record(change)
        return change
