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
    partitions=3,
    config=KEEP_FOREVER,
)
INDICATOR_REPORTS = Topic(
    name="ioc.indicator-reports.v1",
    summary="Periodic indicator values reported by agencies "
    "(DTI, 5G coverage, digital economy share …).",
    key="indicator_code|org_unit_code|period, so the latest report of a value wins in order",
    partitions=3,
    config=KEEP_FOREVER,
)

ALL_TOPICS: tuple[Topic, ...] = (DOSSIER_EVENTS, FEEDBACK_EVENTS, INDICATOR_REPORTS)
