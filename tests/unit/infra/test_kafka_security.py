"""Every Kafka client of a process authenticates the same way, from the environment."""

from collections.abc import Iterator

import pytest

from infra.kafka import security_options
from infra.settings import KafkaSecurity


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    security_options.cache_clear()
    yield
    security_options.cache_clear()


def test_plaintext_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_SECURITY_PROTOCOL", raising=False)
    assert security_options() == {"security_protocol": "PLAINTEXT"}


def test_scram_over_tls_as_strimzi_issues_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "ioc-ingest")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "s3cret")
    options = security_options()
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "ioc-ingest"
    assert options["sasl_plain_password"] == "s3cret"
    assert options["ssl_context"] is not None
    assert "s3cret" not in repr(KafkaSecurity())  # never in a log line


def test_an_unknown_protocol_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "KERBEROS")
    with pytest.raises(ValueError, match="security_protocol"):
        security_options()
