"""A real ingest server (uvicorn on a free loopback port) per test, on its own topics."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import yaml

from contracts import ALL_TOPICS
from infra.kafka import ensure_topics, new_consumer
from infra.keys import hash_api_key
from services.ingest.app import create_app
from services.ingest.settings import IngestSettings
from tests.infrastructure import deadline, eventually
from tests.servers import free_port

EXAMPLES = Path(__file__).resolve().parents[3] / "contracts/examples/valid"
KEYS = {
    "so-tu-phap": "ioc_key-of-so-tu-phap",
    "ubnd.cam-thanh": "ioc_key-of-cam-thanh",
    "van-phong-ubnd-tinh": "ioc_key-of-van-phong",
    "so-khoa-hoc-cong-nghe": "ioc_key-of-so-khcn",
    "so-y-te": "ioc_key-of-so-y-te",
    "trung-tam-phuc-vu-hcc": "ioc_key-of-trung-tam",
}


def example(name: str, **changes: Any) -> dict[str, Any]:
    """A valid example event with a fresh id, so no other test has seen it."""
    document: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
    return document | {"id": f"evt-{uuid.uuid4().hex}"} | changes


@dataclass
class Ingest:
    client: httpx.AsyncClient
    settings: IngestSettings

    def topic(self, canonical: str) -> str:
        return self.settings.topic_prefix + canonical

    async def records(self, canonical_topic: str, at_least: int = 0, wait: float = 3) -> list[Any]:
        return await records_on(
            self.settings.kafka_bootstrap_servers, self.topic(canonical_topic), at_least, wait
        )


async def records_on(bootstrap: str, topic: str, at_least: int = 0, wait: float = 3) -> list[Any]:
    """Every record on the topic: waits for `at_least`, then a quiet moment for strays."""
    consumer = new_consumer(bootstrap, topic, group_id=None)
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            batch = await consumer.getmany(timeout_ms=int(wait * 1000))
            fetched = [r for part in batch.values() for r in part]
            records += fetched
            done = len(records) >= at_least and not fetched
            if done or asyncio.get_running_loop().time() > deadline:
                return records
    finally:
        await consumer.stop()


StartIngest = Callable[..., Awaitable[Ingest]]


@pytest.fixture
async def start_ingest(
    kafka_bootstrap: str, redis_url: str, unique_name: str, tmp_path: Path
) -> AsyncIterator[StartIngest]:
    servers: list[tuple[uvicorn.Server, asyncio.Task[None], httpx.AsyncClient]] = []

    async def start(kafka: str | None = None, ready: bool = True, **overrides: Any) -> Ingest:
        agencies = tmp_path / "agencies.yaml"
        agencies.write_text(
            yaml.safe_dump(
                {
                    "agencies": {
                        code: {"api_keys_sha256": [hash_api_key(key)]} for code, key in KEYS.items()
                    }
                }
            )
        )
        settings = IngestSettings.model_validate(
            {
                "KAFKA_BOOTSTRAP_SERVERS": kafka or kafka_bootstrap,
                "REDIS_URL": redis_url,
                "IOC_TOPIC_PREFIX": f"{unique_name}.",
                "agencies_file": agencies,
                "port": free_port(),
                "metrics_port": free_port(),
                "ack_timeout_seconds": 3,
                **overrides,
            }
        )
        await ensure_topics(
            settings.kafka_bootstrap_servers, ALL_TOPICS, prefix=settings.topic_prefix
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings), host="127.0.0.1", port=settings.port, log_level="warning"
            )
        )
        task = asyncio.create_task(server.serve())

        async def started() -> bool:
            return server.started

        await eventually(started, within=20)
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.port}", timeout=30)
        servers.append((server, task, client))
        ingest = Ingest(client, settings)
        if ready:
            await wait_until_ready(ingest)
        return ingest

    yield start
    async with deadline(60, "stopping the ingest service"):
        for server, task, client in servers:
            await client.aclose()
            server.should_exit = True
            await task


async def wait_until_ready(ingest: Ingest) -> None:
    async def ready() -> bool:
        return (await ingest.client.get("/readyz")).status_code == 200

    await eventually(ready, within=30, every=0.1)


def headers(
    agency: str = "so-tu-phap", content_type: str = "application/cloudevents+json"
) -> dict[str, str]:
    return {"x-api-key": KEYS[agency], "content-type": content_type}
