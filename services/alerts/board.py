"""The target board: each target's series (from the KPI snapshots), its assessment and its
explanation, as of the injected day. Re-assessing a target gives the conditions of its alerts;
the operator API reads the board's views. Prometheus gauges set each target beside its KPI."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from opentelemetry import trace
from prometheus_client import Counter, Gauge, Histogram

from catalog import Province
from catalog.plans import Indicator, Plan, PlanNote, Target
from contracts.kpi import KpiSnapshot, org_scope
from contracts.periods import period_bounds
from domain.alerts.model import Condition
from domain.alerts.rules import target_conditions
from domain.calendar import VIETNAM
from domain.targets.assess import assess
from domain.targets.explain import explain
from domain.targets.verdicts import Assessment, Observation, TargetStatus, finest

log = logging.getLogger(__name__)
TRACER = trace.get_tracer("ioc.alerts")
TARGETS = Gauge("ioc_targets", "Targets of the plan by forecast status.", ["status"])
# Bounded: one series per target of the plan. Grafana sets them side by side (KPIs vs targets).
TARGET_LATEST = Gauge(
    "ioc_target_latest_value", "Latest value of each target's indicator.", ["target"]
)
TARGET_MILESTONE = Gauge(
    "ioc_target_milestone_value", "Value each target must reach at its next deadline.", ["target"]
)
TARGET_PROJECTED = Gauge(
    "ioc_target_projected_value", "Forecast of each target's indicator at its deadline.", ["target"]
)
ASSESSMENT_FAILURES = Counter(
    "ioc_alerts_assessment_failures", "Target assessments that raised (logged; verdict kept)."
)
EVALUATION_SECONDS = Histogram(
    "ioc_alerts_evaluation_duration_seconds", "Time to assess targets and record the changes."
)

Series = tuple[str, str]  # (indicator, scope): the KPI a target follows


@dataclass(frozen=True)
class TargetView:
    target: Target
    indicator: Indicator
    assessment: Assessment
    explanation: tuple[str, str]
    series: tuple[Observation, ...]
    latest_period: str | None  # the period key of the latest figure
    notes: tuple[PlanNote, ...] = ()  # the plan's inconsistencies this target is part of


class TargetBoard:
    def __init__(self, plan: Plan, province: Province, today: date | None = None) -> None:
        self.plan, self.province, self._today = plan, province, today
        self._wanted = {_followed(t) for t in plan.targets}
        self._values: dict[Series, dict[str, float]] = {}
        self._trace_parents: dict[Series, str] = {}
        self._updated: dict[str, datetime] = {}  # by KPI key: the newest snapshot taken
        self._views: dict[str, TargetView] = {}

    def today(self) -> date:
        return self._today or datetime.now(VIETNAM).date()

    # --- what the operator API reads ------------------------------------------------------

    def views(self) -> list[TargetView]:
        return list(self._views.values())

    def view(self, target_id: str) -> TargetView | None:
        return self._views.get(target_id)

    # --- what the followers feed ----------------------------------------------------------

    def take(self, snapshots: Iterable[tuple[KpiSnapshot, str | None]]) -> set[Series]:
        """Snapshots with the W3C context they were published in (the event behind them);
        returns the series they changed."""
        touched = set()
        for s, trace_parent in snapshots:
            series = (s.indicator, s.scope)
            if series in self._wanted and s.value is not None and self._newest(s):
                self._values.setdefault(series, {})[s.period] = s.value
                if trace_parent:
                    self._trace_parents[series] = trace_parent
                touched.add(series)
        return touched

    def assess(self, which: set[Series] | None = None) -> list[Condition]:
        """Re-assesses the targets following `which` series (all without), as of today;
        returns their alerts' conditions."""
        with EVALUATION_SECONDS.time(), TRACER.start_as_current_span("alerts.assess_targets"):
            conditions: list[Condition] = []
            for target in self.plan.targets:
                if which is None or _followed(target) in which:
                    try:
                        conditions += self._assess(target)
                    except Exception:  # one target's fault must not stop the others' verdicts
                        log.exception("target %s not assessed: its last verdict stays", target.id)
                        ASSESSMENT_FAILURES.inc()
            self._export()
            return conditions

    def _newest(self, snapshot: KpiSnapshot) -> bool:
        """Whether the snapshot is newer than any seen of its KPI: two workers may publish
        one KPI, and the broker may take the older value last."""
        seen = self._updated.get(snapshot.key())
        if seen is not None and snapshot.updated_at < seen:
            return False
        self._updated[snapshot.key()] = snapshot.updated_at
        return True

    def _assess(self, target: Target) -> list[Condition]:
        indicator = self.plan.indicators[target.indicator]
        series = _followed(target)
        periods, observations = _observations(self._values.get(series, {}))
        previous = self._views.get(target.id)
        status = previous.assessment.status if previous else None
        assessment = assess(target, indicator, observations, self.today(), status)
        explanation = explain(target, indicator, assessment)
        a = assessment
        latest = periods.get((a.latest.start, a.latest.end)) if a.latest else None
        self._views[target.id] = TargetView(
            target,
            indicator,
            assessment,
            explanation,
            tuple(finest(observations)),
            latest,
            self.plan.notes_for(target.id),
        )
        conditions = target_conditions(target, indicator, assessment, explanation)
        trace_parent = self._trace_parents.get(series)
        return [c.model_copy(update={"trace_parent": trace_parent}) for c in conditions]

    def _export(self) -> None:
        counts: dict[str, int] = {s.value: 0 for s in TargetStatus}
        for view in self._views.values():
            counts[view.assessment.status.value] += 1
            a = view.assessment
            for gauge, value in (
                (TARGET_LATEST, a.latest.value if a.latest else None),
                (TARGET_MILESTONE, a.milestone.value),
                (TARGET_PROJECTED, a.projected),
            ):
                if value is not None:
                    gauge.labels(view.target.id).set(value)
        for status, count in counts.items():
            TARGETS.labels(status).set(count)


def _followed(target: Target) -> Series:
    return target.indicator, org_scope(target.scope)


def _observations(
    values: dict[str, float],
) -> tuple[dict[tuple[date, date], str], list[Observation]]:
    """Every period reported, at each granularity (a milestone is judged on its year's figure,
    the trend on the finest), with each period's key by its bounds."""
    keys = {period_bounds(p): p for p in values}
    return keys, [Observation(*bounds, values[p]) for bounds, p in keys.items()]
