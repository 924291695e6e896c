"""`ioc`: the project's command line.

ioc topics ensure      create every contract topic that does not exist yet
"""

import argparse
import asyncio
import logging
import sys

from pydantic import ValidationError

from contracts.topics import ALL_TOPICS
from ioc.kafka import ensure_topics
from ioc.settings import KafkaSettings

log = logging.getLogger("ioc")


def _topics_ensure(_: argparse.Namespace) -> int:
    settings = KafkaSettings()
    created = asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap_servers, ALL_TOPICS, settings.topic_replication_factor
        )
    )
    for name in created:
        log.info("created topic %s", name)
    log.info("%d topics ready on %s", len(ALL_TOPICS), settings.kafka_bootstrap_servers)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ioc", description="IOC command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    topics = commands.add_parser("topics", help="Kafka topics of the contracts")
    topic_commands = topics.add_subparsers(dest="action", required=True)
    topic_commands.add_parser("ensure", help="create missing topics").set_defaults(
        run=_topics_ensure
    )
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
