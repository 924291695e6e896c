from datetime import date
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from infra.settings import InfraSettings


class AlertsSettings(InfraSettings):
    model_config = SettingsConfigDict(env_prefix="ALERTS_", extra="ignore", frozen=True)

    app_id: str = Field(default="ioc-alerts", description="Consumer group of the SLA clocks.")
    plan: str = Field(default="quang-ngai-359", description="The plan whose targets are watched.")
    operators_file: Path = Path(".local/stack/operators.yaml")
    redis_prefix: str = "ioc:alerts:"
    today: date | None = Field(default=None, description="Evaluate as of this day (demos, tests).")
    sweep_seconds: float = Field(default=5.0, gt=0, description="SLA clocks and all targets.")
    webhook_urls: list[str] = Field(default_factory=list, description="Alertmanager v4 receivers.")
    webhook_group_wait_seconds: float = 1.0
    webhook_group_interval_seconds: float = 30.0
    external_url: str = "http://127.0.0.1:8003"
    indicators_url: str = Field(default="http://127.0.0.1:8002", description="The KPI read API.")
    session_hours: float = 12.0
    host: str = "127.0.0.1"
    port: int = 8003
    metrics_port: int = 9103
