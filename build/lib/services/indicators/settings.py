from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ioc.settings import InfraSettings


class IndicatorsSettings(InfraSettings):
    model_config = SettingsConfigDict(env_prefix="INDICATORS_", extra="ignore", frozen=True)

    app_id: str = Field(default="ioc-indicators", description="Consumer group and state name.")
    data_dir: Path = Path(".local/stack/indicators/state")
    # Large batches while catching up: rows touched by many events are written once per batch.
    batch_size: int = Field(default=5000, gt=0, description="Events per batch at most.")
    batch_seconds: float = Field(default=0.05, gt=0, description="Longest wait to fill a batch.")
    redis_prefix: str = "ioc:kpi:"
    # A worker that dies (kill -9, lost node) holds its partitions until its session expires:
    # 10 s instead of faust's 60 s gets another worker counting again quickly.
    session_timeout_seconds: float = Field(default=10.0, gt=3)
    host: str = "127.0.0.1"
    port: int = 8002  # the read API
    metrics_port: int = 9102  # the worker's Prometheus metrics
