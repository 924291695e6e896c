"""What the operator API and the live stream say: one JSON shape for an alert (REST and SSE
alike), one for a target, and the vocabulary of statuses, groups, severities, states and kinds
with their names, served so the console holds no copy of them."""

from typing import Any

from catalog.plans import GROUP_NAMES, Milestone, Plan
from domain.alerts.model import (
    KIND_NAMES,
    SEVERITY_NAMES,
    STATE_NAMES,
    Alert,
    AlertChange,
    Silence,
)
from domain.targets.explain import RESULT_NAMES, STATUS_NAMES, STATUS_ORDER
from domain.targets.milestones import MilestoneResult
from domain.targets.verdicts import Observation
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
        "year": a.year,
        "milestone": milestone_json(a.milestone),
        "latest": None
        if a.latest is None
        else {
            "end": a.latest.end.isoformat(),
            "value": a.latest.value,
            "period": view.latest_period,
        },
        "forecast": {"value": a.projected, "low": a.low, "high": a.high},
        "so_far": a.so_far,
        "explanation_vi": view.explanation[0],
        "explanation_en": view.explanation[1],
        "results": [result_json(r) for r in a.results],
        "notes": [note.model_dump(mode="json") for note in view.notes],
    }


def milestone_json(m: Milestone) -> dict[str, Any]:
    return {
        "deadline": m.deadline.isoformat(),
        "value": m.value,
        "upper": m.upper,
        "aspiration": m.aspiration,
        "level": m.level,
        "scored": m.scored,
        "section": m.section,
        "text_vi": m.text_vi,
        "reading": m.reading,
    }


def result_json(r: MilestoneResult) -> dict[str, Any]:
    """A milestone's result: the timeline's step (2025 achieved 0.62, final)."""
    return {
        "year": r.year,
        "deadline": r.milestone.deadline.isoformat(),
        "value": r.milestone.value,
        "status": r.status.value,
        "figure": _observation(r.figure),
        "final": r.final,
        "final_by": r.final_by.isoformat(),
    }


def _observation(o: Observation | None) -> dict[str, Any] | None:
    if o is None:
        return None
    return {"start": o.start.isoformat(), "end": o.end.isoformat(), "value": o.value}


def target_detail_json(view: TargetView) -> dict[str, Any]:
    return target_json(view) | {
        "reading": view.target.reading,
        "series": [_observation(o) for o in view.series],
        "milestones": [milestone_json(m) for m in view.target.milestones],
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as its readers need it beside the targets: what it is, its scope and sizing,
    and its inconsistencies with the lines they come from."""
    return {
        "id": plan.id,
        "name_vi": plan.name_vi,
        "name_en": plan.name_en,
        "document": plan.document,
        "issuer": plan.issuer,
        "notes": list(plan.notes),
        "inconsistencies": [note.model_dump(mode="json") for note in plan.inconsistencies],
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
        "result": named(RESULT_NAMES),
        "group": named(GROUP_NAMES),
        "severity": named(SEVERITY_NAMES),
        "state": named(STATE_NAMES),
        "kind": named(KIND_NAMES),
    }
