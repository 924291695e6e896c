from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from infra.settings import InfraSettings


class IngestSettings(InfraSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    port: int = 8001
    metrics_port: int = Field(
        default=9101, description="Prometheus /metrics, kept off the API port."
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Processes serving the API on its port: ingest is CPU-bound, one a core. "
        "Their metrics are served together; rate limits and dedup are shared in Redis.",
    )
    agencies_file: Path = Field(description="Agency credentials: hashed API keys, OAuth2 clients.")
    jwks_url: str | None = Field(default=None, description="Enables bearer JWTs when set.")
    jwt_issuer: str | None = None
    jwt_audience: str = "ioc-ingest"
    max_event_bytes: int = Field(default=256 * 1024, gt=0)
    max_batch_bytes: int = Field(default=8 * 1024 * 1024, gt=0)
    max_batch_events: int = Field(default=1000, gt=0)
    rate_limit_events_per_second: float = Field(default=5000, gt=0)
    rate_limit_burst: int = Field(default=20000, gt=0)
    ack_timeout_seconds: float = Field(default=5.0, gt=0)
    dedup_retention_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    owner_retention_seconds: int = Field(
        default=400 * 24 * 3600,
        gt=0,
        description="How long after its last event a dossier's or feedback report's publisher "
        "is remembered (another agency's events about it are refused meanwhile).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> "IngestSettings":
        if self.jwks_url and not self.jwt_issuer:
            raise ValueError("INGEST_JWT_ISSUER is required with INGEST_JWKS_URL")
        if self.rate_limit_burst < self.max_batch_events:
            raise ValueError("INGEST_RATE_LIMIT_BURST must admit a full batch")
        if not self.agencies_file.is_file():
            raise ValueError(f"INGEST_AGENCIES_FILE {self.agencies_file} does not exist")
        return self
