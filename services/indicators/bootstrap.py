"""The indicators worker composed, in one place: its consumer group, its renewable producer, the
KPI state in Redis and the outputs the processor writes to; then run until told to stop."""

from functools import partial

import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer

from catalog import load_province
from catalog.indicators import load_definitions
from contracts.kpi import org_scope
from contracts.topics import DEAD_LETTERS, EVENT_TOPICS, KPI_SNAPSHOTS
from infra.kafka import new_consumer, new_producer
from infra.producing import RenewableProducer
from infra.serve import tune_garbage_collector
from services.indicators.outputs import KafkaOutputs
from services.indicators.processor import Processor
from services.indicators.settings import IndicatorsSettings
from services.indicators.state import RedisKpiState
from services.indicators.worker import Worker


async def run_worker(settings: IndicatorsSettings) -> None:
    """Composes the worker in the running event loop (its Kafka clients need one), runs it."""
    redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5)
    producer = RenewableProducer(partial(new_producer, settings.kafka_bootstrap_servers))
    worker = Worker(settings, _consumer(settings), producer, _processor(settings, producer, redis))
    tune_garbage_collector()
    try:
        await worker.run()
    finally:
        await redis.aclose()


def _consumer(settings: IndicatorsSettings) -> AIOKafkaConsumer:
    return new_consumer(
        settings.kafka_bootstrap_servers,
        *(settings.topic_prefix + t.name for t in EVENT_TOPICS),
        group_id=settings.app_id,
        max_poll_records=settings.batch_size,
        session_timeout_ms=int(settings.session_timeout_seconds * 1000),
        heartbeat_interval_ms=int(settings.session_timeout_seconds * 1000 / 3),
    )


def _processor(
    settings: IndicatorsSettings, producer: RenewableProducer, redis: aioredis.Redis
) -> Processor:
    definitions, province = load_definitions(), load_province(settings.province)
    outputs = KafkaOutputs(
        producer.send_all,
        settings.topic_prefix + KPI_SNAPSHOTS.name,
        settings.topic_prefix + DEAD_LETTERS.name,
        settings.app_id,
        org_scope(province.root.code),
        {d.code: d.factor for d in definitions},
    )
    return Processor(definitions, province, RedisKpiState(redis, settings.redis_prefix), outputs)
