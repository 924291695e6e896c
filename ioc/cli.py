"""`ioc`: the project's command line.

ioc topics ensure               create every contract topic that does not exist yet
ioc agencies demo-keys DIR      one API key per agency of the province, for local runs
ioc operators demo-keys DIR     two operator API keys, for local runs
ioc simulate                    a year of the demo province through ingest, then live
ioc targets --plan ID           a plan's targets and milestones
ioc health [URL]                exit 0 when URL ($IOC_HEALTH_URL) answers 2xx: container checks
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from catalog.plans import PlanError
from contracts.topics import ALL_TOPICS
from infra.kafka import ensure_topics
from infra.settings import KafkaSettings

if TYPE_CHECKING:
    from catalog.plans import Milestone, Plan, Target

log = logging.getLogger("ioc")


def _topics_ensure(_: argparse.Namespace) -> int:
    settings = KafkaSettings()
    created = asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap_servers,
            ALL_TOPICS,
            settings.topic_replication_factor,
            settings.topic_prefix,
        )
    )
    for name in created:
        log.info("created topic %s", name)
    log.info("%d topics ready on %s", len(ALL_TOPICS), settings.kafka_bootstrap_servers)
    return 0


def _agencies_demo_keys(args: argparse.Namespace) -> int:
    from services.ingest.credentials import demo_credentials

    registry, keys = demo_credentials(args.province, Path(args.directory))
    log.info("agency credentials: %s (hashes), %s (keys, owner-only)", registry, keys)
    return 0


def _operators_demo_keys(args: argparse.Namespace) -> int:
    from services.alerts.operators import demo_operators

    registry, keys = demo_operators(Path(args.directory))
    log.info("operator credentials: %s (hashes), %s (keys, owner-only)", registry, keys)
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from simulator.run import simulate

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    keys = json.loads(Path(args.keys).read_text("utf-8"))
    sent = asyncio.run(
        simulate(args.ingest, keys, args.province, args.scale, live=not args.no_live)
    )
    log.info("%d events published", sent)
    return 0


def _targets(args: argparse.Namespace) -> int:
    from catalog.plans import load_plan

    plan = load_plan(args.plan)
    for warning in plan.warnings:
        log.warning("plan %s: %s", plan.id, warning)
    rows = [_target_row(plan, target) for target in plan.targets]
    if args.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return 0
    for row in rows:
        steps = ", ".join(f"{m['deadline'][:4]}: {_shown(m['value'])}" for m in row["milestones"])
        sys.stdout.write(f"{row['id']:<40} {row['comparator']:>5} {steps}  [{row['unit']}]\n")
    return 0


def _target_row(plan: "Plan", target: "Target") -> dict[str, Any]:
    indicator = plan.indicators[target.indicator]
    return {
        "id": target.id,
        "indicator": target.indicator,
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
        "unit": indicator.unit,
        "comparator": target.comparator.value,
        "kind": target.kind.value,
        "milestones": [
            {"deadline": m.deadline.isoformat(), "value": _milestone_value(m)}
            | ({"aspiration": m.aspiration} if m.aspiration is not None else {})
            for m in target.milestones
        ],
    }


def _milestone_value(milestone: "Milestone") -> float | list[float] | bool:
    if milestone.value is None:
        return True  # a yes/no milestone: to be done by the deadline
    if milestone.upper is not None:
        return [milestone.value, milestone.upper]
    return milestone.value


def _shown(value: object) -> str:
    if value is True:
        return "yes"
    if isinstance(value, list):
        return f"{value[0]:g}–{value[1]:g}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _health(args: argparse.Namespace) -> int:
    """For image health checks: the slim image has no curl."""
    url = args.url or os.environ.get("IOC_HEALTH_URL")
    if not url:
        log.error("no URL: pass one or set IOC_HEALTH_URL")
        return 2
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            return 0 if 200 <= response.status < 300 else 1
    except (urllib.error.URLError, OSError) as e:
        log.error("%s: %s", url, e)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ioc", description="IOC command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    topics = commands.add_parser("topics", help="Kafka topics of the contracts")
    topic_commands = topics.add_subparsers(dest="action", required=True)
    topic_commands.add_parser("ensure", help="create missing topics").set_defaults(
        run=_topics_ensure
    )
    agencies = commands.add_parser("agencies", help="agency credentials")
    agency_commands = agencies.add_subparsers(dest="action", required=True)
    demo = agency_commands.add_parser("demo-keys", help="one API key per agency, for local runs")
    demo.add_argument("directory")
    demo.add_argument("--province", default="quang-ngai")
    demo.set_defaults(run=_agencies_demo_keys)
    operators = commands.add_parser("operators", help="IOC operator credentials")
    operator_commands = operators.add_subparsers(dest="action", required=True)
    demo_ops = operator_commands.add_parser("demo-keys", help="two operators, for local runs")
    demo_ops.add_argument("directory")
    demo_ops.set_defaults(run=_operators_demo_keys)
    simulate = commands.add_parser(
        "simulate", help="a year of the province through the ingest API, then live events"
    )
    simulate.add_argument("--ingest", default="http://127.0.0.1:8001")
    simulate.add_argument("--keys", default=".local/stack/agency-keys.json")
    simulate.add_argument("--province", default="quang-ngai")
    simulate.add_argument("--scale", type=float, default=1.0, help="dossier volume factor")
    simulate.add_argument("--no-live", action="store_true", help="stop after the past year")
    simulate.set_defaults(run=_simulate)
    targets = commands.add_parser("targets", help="a plan's targets")
    targets.add_argument("--plan", required=True, help="plan id, e.g. quang-ngai-359")
    targets.add_argument("--json", action="store_true", help="a JSON array, one object a target")
    targets.set_defaults(run=_targets)
    health = commands.add_parser("health", help="probe a health endpoint (container checks)")
    health.add_argument("url", nargs="?", help="default: $IOC_HEALTH_URL")
    health.add_argument("--timeout", type=float, default=3.0)
    health.set_defaults(run=_health)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        result: int = args.run(args)
    except PlanError as e:
        log.error("%s", e)
        return 2
    except ValidationError as e:  # settings come from the environment: name the variable
        for error in e.errors():
            log.error("setting %s: %s", ".".join(map(str, error["loc"])), error["msg"])
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
