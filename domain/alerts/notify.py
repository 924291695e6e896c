"""Notifications in the Prometheus Alertmanager webhook v4 shape, so any receiver that takes
Alertmanager's webhooks (chat bridges, paging tools) takes IOC's."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.alerts.model import Alert, State

ZERO_TIME = "0001-01-01T00:00:00Z"  # Alertmanager's endsAt for an alert still firing


def webhook_payload(
    alerts: Sequence[Alert], group_labels: dict[str, str], receiver: str, external_url: str
) -> dict[str, Any]:
    firing = any(a.state is not State.RESOLVED for a in alerts)
    common = _common(a.labels for a in alerts)
    return {
        "version": "4",
        "groupKey": "{}:"
        + "{"
        + ",".join(f'{k}="{v}"' for k, v in sorted(group_labels.items()))
        + "}",
        "truncatedAlerts": 0,
        "status": "firing" if firing else "resolved",
        "receiver": receiver,
        "groupLabels": group_labels,
        "commonLabels": common,
        "commonAnnotations": {},
        "externalURL": external_url,
        "alerts": [_alert(a, external_url) for a in alerts],
    }


def _alert(alert: Alert, external_url: str) -> dict[str, Any]:
    resolved = alert.state is State.RESOLVED
    return {
        "status": "resolved" if resolved else "firing",
        "labels": {**alert.labels, "severity": alert.severity.value},
        "annotations": {
            "summary": alert.summary_en,
            "summary_vi": alert.summary_vi,
            **{k: v for k, v in alert.details.items() if k.startswith("explanation")},
        },
        "startsAt": _time(alert.started_at),
        "endsAt": _time(alert.resolved_at) if resolved and alert.resolved_at else ZERO_TIME,
        "generatorURL": f"{external_url}/alerts/{alert.fingerprint}",
        "fingerprint": alert.fingerprint,
    }


def _common(label_sets: Any) -> dict[str, str]:
    sets = [dict(s) for s in label_sets]
    if not sets:
        return {}
    return {k: v for k, v in sets[0].items() if all(s.get(k) == v for s in sets[1:])}


def _time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
