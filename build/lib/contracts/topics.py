"""Kafka topics: every topic name, its key and its configuration, defined once.

Event topics keep their history forever: they are the system of record from which KPIs and
alerts are rebuilt by replay.
"""

from dataclasses import dataclass, field

KEEP_FOREVER = {"cleanup.policy": "delete", "retention.ms": "-1"}


@dataclass(frozen=True)
class Topic:
    name: str
    summary: str
    key: str
    partitions: int
    config: dict[str, str] = field(default_factory=dict)


DOSSIER_EVENTS = Topic(
    name="ioc.dossier-events.v1",
    summary="Dossier (hồ sơ TTHC) status changes from one-stop-shop systems and the "
    "public-service portal.",
    key="dossier_id, so every event of one dossier stays in order on one partition",
    partitions=6,
    config=KEEP_FOREVER,
)
FEEDBACK_EVENTS = Topic(
    name="ioc.feedback-events.v1",
    summary="Citizen and business feedback (phản ánh kiến nghị) opened, answered, closed.",
    key="feedback_id, so every event of one report stays in order",
    partitions=6,
    config=KEEP_FOREVER,
)
INDICATOR_REPORTS = Topic(
    name="ioc.indicator-reports.v1",
    summary="Periodic indicator values reported by agencies "
    "(DTI, 5G coverage, digital economy share …).",
    key="indicator_code|org_unit_code|period, so the latest report of a value wins in order",
    partitions=6,
    config=KEEP_FOREVER,
)

# The event topics share one partition count: the indicators worker co-partitions its state
# with all three (a worker owns the same partitions of each).
EVENT_TOPICS: tuple[Topic, ...] = (DOSSIER_EVENTS, FEEDBACK_EVENTS, INDICATOR_REPORTS)

KPI_SNAPSHOTS = Topic(
    name="ioc.kpi-snapshots.v1",
    summary="The latest value of every KPI (indicator, scope, period), for the alert service.",
    key="indicator|scope|period: compaction keeps the latest snapshot of each KPI",
    partitions=6,
    config={"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"},
)
DEAD_LETTERS = Topic(
    name="ioc.dead-letters.v1",
    summary="Records a consumer could not process, unchanged, with the reason in headers.",
    key="the original record's key",
    partitions=1,
    config={"cleanup.policy": "delete", "retention.ms": str(90 * 24 * 3600 * 1000)},
)

ALERT_CHANGES = Topic(
    name="ioc.alert-changes.v1",
    summary="Every change of every alert and silence, in order: the alert history, replayed "
    "to rebuild the alert service's state.",
    key="the alert's fingerprint, or silence:<id>",
    partitions=1,  # one order for the whole history: the live stream follows it
    config=KEEP_FOREVER,
)

ALL_TOPICS: tuple[Topic, ...] = (*EVENT_TOPICS, KPI_SNAPSHOTS, DEAD_LETTERS, ALERT_CHANGES)
