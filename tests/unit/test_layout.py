"""The local stack, compose and the contracts agree on addresses and names."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_publishes_kafka_and_redis_where_make_up_does() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    services = compose["services"]
    assert services["kafka"]["ports"] == ["127.0.0.1:9092:9092"]
    assert services["redis"]["ports"] == ["127.0.0.1:16379:6379"]
    assert services["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert all("healthcheck" in s for s in services.values())


def test_makefile_defaults_match_the_readme() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "KAFKA_PORT ?= 9092" in makefile
    assert "REDIS_PORT ?= 16379" in makefile
    assert "127.0.0.1:9092" in readme
    assert "redis://127.0.0.1:16379/0" in readme
