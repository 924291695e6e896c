"""The settings every IOC process shares. Each service subclasses `InfraSettings` with its own
env prefix; the infrastructure addresses stay unprefixed, the same variables the tests honour."""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSecurity(BaseSettings):
    """How every Kafka client of a process authenticates: plaintext on a laptop; SASL/SCRAM
    over TLS against Strimzi's authenticated listener (deploy/k8s), with the KafkaUser's
    password and the cluster CA that Strimzi publishes as Secrets."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore", frozen=True)

    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = Field(default=None, description="CA bundle of the brokers' TLS.")


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    # Required, no default: a process that silently talks to the wrong broker loses events.
    kafka_bootstrap_servers: str = Field(validation_alias="KAFKA_BOOTSTRAP_SERVERS", min_length=1)
    # Prepended to every topic name: isolates tests, or several IOC instances on one cluster.
    topic_prefix: str = Field(
        default="", validation_alias="IOC_TOPIC_PREFIX", pattern=r"^[a-z0-9._-]*$"
    )
    # Topics are created with this replication factor: 1 locally, 3 in production.
    topic_replication_factor: int = Field(
        default=1, ge=1, validation_alias="IOC_TOPIC_REPLICATION_FACTOR"
    )


class InfraSettings(KafkaSettings):
    redis_url: str = Field(validation_alias="REDIS_URL", min_length=1)
    province: str = Field(default="quang-ngai", validation_alias="IOC_PROVINCE")
