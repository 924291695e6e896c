from pydantic import Field
from pydantic_settings import SettingsConfigDict

from infra.settings import InfraSettings


class IndicatorsSettings(InfraSettings):
    model_config = SettingsConfigDict(env_prefix="INDICATORS_", extra="ignore", frozen=True)

    app_id: str = Field(default="ioc-indicators", description="Consumer group and state name.")
    # Large batches while catching up: rows touched by many events are written once per batch.
    batch_size: int = Field(default=10_000, gt=0, description="Events per batch at most.")
    batch_seconds: float = Field(default=0.05, gt=0, description="Longest wait to fill a batch.")
    # Snapshots of the KPIs changed meanwhile go out together: a province row touched by every
    # batch is published once per interval, not once per batch (and at once when idle).
    snapshot_interval_seconds: float = Field(
        default=0.5, gt=0, description="Longest time between snapshots of a changing KPI."
    )
    catch_up_snapshot_interval_seconds: float = Field(
        default=5.0, gt=0, description="The same while records are waiting."
    )
    redis_prefix: str = "ioc:kpi:"
    # A worker that dies (kill -9, lost node) holds its partitions until its session expires:
    # 10 s gets another worker counting again quickly.
    session_timeout_seconds: float = Field(default=10.0, gt=3)
    host: str = "127.0.0.1"
    port: int = 8002  # the read API
    metrics_port: int = 9102  # the worker's Prometheus metrics
