"""Prometheus rules pass promtool and their unit tests; dashboards and rules read only metrics
the code exports; the generated files are current; broken ones are caught."""

import json
import shutil
from pathlib import Path

import pytest

from deploy import generate
from deploy.checks import (
    ROOT,
    dashboard_queries,
    exported_metrics,
    promtool,
    rule_queries,
    unknown_metrics,
)

PROMETHEUS = ROOT / "deploy/prometheus"
DASHBOARDS = ROOT / "deploy/grafana/dashboards"


@pytest.fixture(scope="module")
def known() -> set[str]:
    recorded = {where.split(": ")[1] for where, _ in rule_queries(PROMETHEUS / "rules.yml")}
    return exported_metrics() | {r for r in recorded if ":" in r}


def test_rules_config_and_their_unit_tests_pass() -> None:
    assert promtool("check", "rules", str(PROMETHEUS / "rules.yml")) == []
    assert promtool("check", "config", str(PROMETHEUS / "prometheus.yml")) == []
    assert promtool("test", "rules", str(PROMETHEUS / "rules.test.yml")) == []


def test_a_broken_rule_is_caught(tmp_path: Path) -> None:
    broken = (PROMETHEUS / "rules.yml").read_text("utf-8").replace("> 0.01", "> > 0.01", 1)
    (tmp_path / "rules.yml").write_text(broken)
    problems = promtool("check", "rules", str(tmp_path / "rules.yml"))
    assert any("parse error" in p for p in problems), problems


def test_a_rule_that_stops_firing_fails_its_unit_test(tmp_path: Path) -> None:
    shutil.copy(PROMETHEUS / "rules.test.yml", tmp_path)
    rules = (PROMETHEUS / "rules.yml").read_text("utf-8")
    (tmp_path / "rules.yml").write_text(rules.replace("> 0.2", "> 0.9", 1))
    problems = promtool("test", "rules", str(tmp_path / "rules.test.yml"))
    assert any("IocIngestRejectedRatioHigh" in p for p in problems), problems


def test_dashboards_and_rules_read_only_exported_metrics(known: set[str]) -> None:
    queries = [*dashboard_queries(DASHBOARDS), *rule_queries(PROMETHEUS / "rules.yml")]
    assert len(queries) > 20
    assert unknown_metrics(queries, known) == []


def test_a_dashboard_reading_a_misspelt_metric_is_caught(tmp_path: Path, known: set[str]) -> None:
    board = json.loads((DASHBOARDS / "ioc-pipeline.json").read_text("utf-8"))
    board["panels"][0]["targets"][0]["expr"] = "sum(ioc_indicator_consumer_lag)"
    (tmp_path / "broken.json").write_text(json.dumps(board))
    assert unknown_metrics(dashboard_queries(tmp_path), known) == [
        "broken.json: Độ trễ tiêu thụ · Consumer lag: "
        "ioc_indicator_consumer_lag is not exported by IOC"
    ]


def test_generated_files_are_current() -> None:
    assert generate.main(["--check"]) == 0


def test_dashboards_cover_ingest_pipeline_targets_and_alerts() -> None:
    boards = {p.stem: json.loads(p.read_text("utf-8")) for p in DASHBOARDS.glob("*.json")}
    assert set(boards) == {"ioc-ingest", "ioc-pipeline", "ioc-targets", "ioc-alerts"}
    assert all(b["uid"] == name for name, b in boards.items())
    pipeline = {t["expr"] for p in boards["ioc-pipeline"]["panels"] for t in p["targets"]}
    assert any("ioc_indicators_consumer_lag" in e for e in pipeline)
    assert any('outcome="dead_letter"' in e for e in pipeline)
