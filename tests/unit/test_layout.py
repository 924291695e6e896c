"""The Makefile and the README agree on the local stack's addresses (compose: tests/deploy)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_makefile_defaults_match_the_readme() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "KAFKA_PORT ?= 9092" in makefile
    assert "REDIS_PORT ?= 16379" in makefile
    assert "127.0.0.1:9092" in readme
    assert "redis://127.0.0.1:16379/0" in readme
