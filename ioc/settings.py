"""The settings every IOC process shares. Each service subclasses `InfraSettings` with its own
env prefix; the infrastructure addresses stay unprefixed, the same variables the tests honour."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
