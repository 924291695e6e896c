"""`ioc`: the project's command line.

ioc topics ensure      create every contract topic that does not exist yet
"""

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from contracts.topics import ALL_TOPICS
from ioc.kafka import ensure_topics
from ioc.settings import KafkaSettings

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
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        result: int = args.run(args)
    except ValidationError as e:  # settings come from the environment: name the variable
        for error in e.errors():
            log.error("setting %s: %s", ".".join(map(str, error["loc"])), error["msg"])
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
