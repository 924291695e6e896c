"""What the operator API and the live stream say: one JSON shape for an alert (REST and SSE
alike), one for a target, and the vocabulary of statuses, groups, severities, states and kinds
with their names, served so the console holds no copy of them."""

from typing import Any

from catalog.plans import GROUP_NAMES
from domain.alerts.model import (
    KIND_NAMES,
    SEVERITY_NAMES,
    STATE_NAMES,
    Alert,
    AlertChange,
    Silence,
)
from domain.targets.explain import STATUS_NAMES, STATUS_ORDER
from services.alerts.board import TargetView


def alert_json(alert: Alert, silenced: bool) -> dict[str, Any]:
    return alert.model_dump(mode="json") | {"kind": alert.kind, "silenced": silenced}


def silence_json(silence: Silence) -> dict[str, Any]:
    return silence.model_dump(mode="json")


def change_json(change: AlertChange, silenced: bool) -> dict[str, Any]:
    """A change as the stream sends it: what happened, by whom, and the alert (or silence) as
    the alert API shows it."""
    return {
        "action": change.action,
        "at": change.at.isoformat(),
        "actor": change.actor,
        "alert": alert_json(change.alert, silenced) if change.alert else None,
        "silence": silence_json(change.silence) if change.silence else None,
    }


def target_json(view: TargetView) -> dict[str, Any]:
    a, indicator = view.assessment, view.indicator
    return {
        "id": view.target.id,
        "group": view.target.group.value,
        "scope": view.target.scope,
        "indicator": {
            "code": indicator.code,
            "name_vi": indicator.name_vi,
            "name_en": indicator.name_en,
            "unit": indicator.unit,
        },
        "comparator": view.target.comparator.value,
        "status": a.status.value,
        "milestone": {
            "deadline": a.milestone.deadline.isoformat(),
            "value": a.milestone.value,
            "text_vi": a.milestone.text_vi,
        },
        "latest": None
        if a.latest is None
        else {
            "end": a.latest.end.isoformat(),
            "value": a.latest.value,
            "period": view.latest_period,
        },
        "forecast": {"value": a.projected, "low": a.low, "high": a.high},
        "explanation_vi": view.explanation[0],
        "explanation_en": view.explanation[1],
    }


def target_detail_json(view: TargetView) -> dict[str, Any]:
    return target_json(view) | {
        "series": [
            {"start": o.start.isoformat(), "end": o.end.isoformat(), "value": o.value}
            for o in view.series
        ],
        "milestones": [
            {"deadline": m.deadline.isoformat(), "value": m.value, "text_vi": m.text_vi}
            for m in view.target.milestones
        ],
    }


def vocabulary() -> dict[str, list[dict[str, str]]]:
    """Each kind of code with its names, in the order people read them."""

    def named(names: dict[Any, tuple[str, str]], order: Any = None) -> list[dict[str, str]]:
        return [
            {"code": code.value, "vi": names[code][0], "en": names[code][1]}
            for code in (order or names)
        ]

    return {
        "status": named(STATUS_NAMES, STATUS_ORDER),
        "group": named(GROUP_NAMES),
        "severity": named(SEVERITY_NAMES),
        "state": named(STATE_NAMES),
        "kind": named(KIND_NAMES),
    }
