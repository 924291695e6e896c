"""`python -m services.ingest` with INGEST_WORKERS=2: two processes answer on one port, every
accepted event is produced once, one /metrics counts what both did, an agency's rate limit
holds across them, and a worker that dies is replaced."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from contracts import ALL_TOPICS, DOSSIER_EVENTS
from infra.kafka import ensure_topics
from infra.keys import hash_api_key
from tests.infrastructure import eventually
from tests.integration.ingest.harness import KEYS, example, headers, records_on
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[3]
BATCH = "application/cloudevents-batch+json"


@pytest.fixture
def service_env(
    kafka_bootstrap: str, redis_url: str, unique_name: str, tmp_path: Path
) -> dict[str, str]:
    agencies = tmp_path / "agencies.yaml"
    registry = {code: {"api_keys_sha256": [hash_api_key(key)]} for code, key in KEYS.items()}
    agencies.write_text(yaml.safe_dump({"agencies": registry}))
    return {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "REDIS_URL": redis_url,
        "IOC_TOPIC_PREFIX": f"{unique_name}.",
        "INGEST_AGENCIES_FILE": str(agencies),
        "INGEST_PORT": str(free_port()),
        "INGEST_METRICS_PORT": str(free_port()),
        "INGEST_WORKERS": "2",
        "INGEST_RATE_LIMIT_EVENTS_PER_SECOND": "1",
        "INGEST_RATE_LIMIT_BURST": "120",
        "INGEST_MAX_BATCH_EVENTS": "30",
    }


@pytest.fixture
def two_workers(service_env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    log = (tmp_path / "ingest.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "services.ingest"],
        env=os.environ | service_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(30)


async def test_two_workers_share_the_port_the_metrics_and_the_rate_limit(
    two_workers: subprocess.Popen[bytes], service_env: dict[str, str]
) -> None:
    await ensure_topics(
        service_env["KAFKA_BOOTSTRAP_SERVERS"], ALL_TOPICS, prefix=service_env["IOC_TOPIC_PREFIX"]
    )
    metrics_url = f"http://127.0.0.1:{service_env['INGEST_METRICS_PORT']}/metrics"
    # A connection per request: each may land on either worker.
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{service_env['INGEST_PORT']}",
        timeout=30,
        limits=httpx.Limits(max_keepalive_connections=0),
    ) as client:

        async def ready() -> bool:
            assert two_workers.poll() is None, "the service exited: see ingest.log"
            try:
                return (await client.get("/readyz")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(ready, within=60, every=0.2)
        events = [example("dossier-accepted-online") for _ in range(100)]
        answers = await asyncio.gather(
            *(client.post("/v1/events", json=e, headers=headers("ubnd.cam-thanh")) for e in events)
        )
        over = await client.post(
            "/v1/events",
            json=[example("dossier-accepted-online") for _ in range(30)],
            headers=headers("ubnd.cam-thanh", BATCH),
        )
        metrics = (await client.get(metrics_url)).text

    assert len(children(two_workers.pid, "spawn_main")) == 2
    assert [a.status_code for a in answers] == [202] * 100
    assert over.status_code == 429  # 100 of the 120 tokens are gone, in either worker
    accepted = [
        line
        for line in metrics.splitlines()
        if line.startswith("ioc_ingest_events_total{") and 'outcome="accepted"' in line
    ]
    assert [float(line.split()[-1]) for line in accepted] == [100.0]
    topic = service_env["IOC_TOPIC_PREFIX"] + DOSSIER_EVENTS.name
    produced = await records_on(service_env["KAFKA_BOOTSTRAP_SERVERS"], topic, at_least=100)
    assert sorted(dict(r.headers)["ce_id"].decode() for r in produced) == sorted(
        e["id"] for e in events
    )

    killed = children(two_workers.pid, "spawn_main")[0]
    os.kill(killed, signal.SIGKILL)

    async def replaced() -> bool:
        workers = children(two_workers.pid, "spawn_main")
        return len(workers) == 2 and killed not in workers

    await eventually(replaced, within=30)


def children(pid: int, running: str) -> list[int]:
    """The processes `pid` started whose command line contains `running`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # not a process, or gone
        if parent == pid and running.encode() in command:
            found.append(int(entry.name))
    return found
