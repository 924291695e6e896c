"""Ingest benchmark: the service end to end versus raw producers on the same broker, one run.

    make bench          (starts the local stack; or set KAFKA_BOOTSTRAP_SERVERS and REDIS_URL)

1. Kafka's own ProducerPerformance (acks=all, idempotent): the machine's ceiling.
2. A raw aiokafka idempotent producer sending the same records the service would produce
   (in this process, on the service's runtime: uvloop, the garbage collector tuned as the
   services tune it).
3. The ingest service taking the same events in batches over HTTP, through auth, rate limit,
   validation, Redis dedup and acks=all produce: with one worker process, and with one per
   core (INGEST_WORKERS=2 on the 2-core reference machine), as it is deployed there.
   The raw producer and the services take turns; each turn's ratio is taken against the raw
   figure of the same turn, and the median of the turns is reported.
4. Single-event requests: requests per second and latency percentiles.
"""

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp
import orjson
import uvloop
import yaml

from bench.common import percentiles, rate_table, scratch, start_process
from contracts import ALL_TOPICS, parse_event, to_kafka_record
from infra.kafka import ensure_topics, new_producer
from infra.keys import hash_api_key
from infra.serve import tune_garbage_collector

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = json.loads((ROOT / "contracts/examples/valid/dossier-result-returned.json").read_text())
log = logging.getLogger("bench")


def events(count: int, run: str) -> list[dict[str, Any]]:
    data = EXAMPLE["data"]
    return [
        EXAMPLE | {"id": f"{run}-{i}", "data": data | {"dossier_id": f"{run}-D{i % 5000}"}}
        for i in range(count)
    ]


async def raw_aiokafka(bootstrap: str, topic_prefix: str, batch: list[dict[str, Any]]) -> float:
    records = [to_kafka_record(parse_event(e)) for e in batch]  # encoded before the clock starts
    producer = new_producer(bootstrap)
    await producer.start()
    try:
        started = time.perf_counter()
        acks = [
            await producer.send(
                topic_prefix + ALL_TOPICS[0].name, r.value, key=r.key, headers=list(r.headers)
            )
            for r in records
        ]
        await asyncio.gather(*acks)
        return len(records) / (time.perf_counter() - started)
    finally:
        await producer.stop()


class Service(NamedTuple):
    process: subprocess.Popen[bytes]
    url: str


def start_service(
    agencies: Path, bootstrap: str, redis_url: str, topic_prefix: str, workers: int
) -> Service:
    port = 8101 + workers
    process = start_process(
        ["services.ingest"],
        {
            "INGEST_AGENCIES_FILE": str(agencies),
            "INGEST_PORT": str(port),
            "INGEST_METRICS_PORT": str(9190 + workers),
            "INGEST_WORKERS": str(workers),
            "IOC_TOPIC_PREFIX": topic_prefix,
            "INGEST_RATE_LIMIT_EVENTS_PER_SECOND": "1000000",
            "INGEST_RATE_LIMIT_BURST": "1000000",
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "REDIS_URL": redis_url,
        },
        f"http://127.0.0.1:{port}/readyz",
    )
    return Service(process, f"http://127.0.0.1:{port}")


async def ingest_batches(
    url: str, key: str, batch: list[dict[str, Any]], size: int, clients: int
) -> float:
    bodies = [json.dumps(batch[i : i + size]).encode() for i in range(0, len(batch), size)]
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    headers = {"x-api-key": key, "content-type": "application/cloudevents-batch+json"}

    async def worker(client: aiohttp.ClientSession) -> None:
        while not queue.empty():
            async with client.post("/v1/events", data=queue.get_nowait(), headers=headers) as r:
                answer = await r.read()
                if r.status != 202 or orjson.loads(answer)["counts"]["accepted"] != size:
                    raise RuntimeError(f"batch not fully accepted: {r.status} {answer!r}")

    async with load_client(url) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        return len(batch) / (time.perf_counter() - started)


async def ingest_singles(
    url: str, key: str, batch: list[dict[str, Any]], clients: int
) -> tuple[float, list[float]]:
    headers = {"x-api-key": key, "content-type": "application/cloudevents+json"}
    bodies = iter([json.dumps(e).encode() for e in batch])
    latencies: list[float] = []

    async def worker(client: aiohttp.ClientSession) -> None:
        for body in bodies:
            started = time.perf_counter()
            async with client.post("/v1/events", data=body, headers=headers) as r:
                answer = await r.read()
            latencies.append(time.perf_counter() - started)
            if r.status != 202:
                raise RuntimeError(f"not accepted: {r.status} {answer!r}")

    async with load_client(url) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        return len(batch) / (time.perf_counter() - started), latencies


def load_client(url: str) -> aiohttp.ClientSession:
    """The load generator shares the machine with what it measures: aiohttp costs it a quarter
    of httpx's CPU for a 500-event request (0.5 ms against 2.3 ms, measured here)."""
    return aiohttp.ClientSession(url, timeout=aiohttp.ClientTimeout(total=60))


def producer_performance(bootstrap: str, topic: str, records: int, size: int) -> float:
    command = [
        "java",
        "-Xmx512m",
        "-cp",
        str(ROOT / ".local/kafka/libs/*"),
        "org.apache.kafka.tools.ProducerPerformance",
        "--topic",
        topic,
        "--num-records",
        str(records),
        "--record-size",
        str(size),
        "--throughput",
        "-1",
        "--producer-props",
        f"bootstrap.servers={bootstrap}",
        "acks=all",
        "enable.idempotence=true",
        "linger.ms=5",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    summary = output.strip().splitlines()[-1]  # "N records sent, X records/sec (...)"
    return float(summary.split(",")[1].split()[0])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=40_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--clients", type=int, default=32, help="concurrent batch clients")
    parser.add_argument("--singles", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=5, help="turns; the median is reported")
    args = parser.parse_args()
    bootstrap, redis_url = os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["REDIS_URL"]
    run = f"bench-{uuid.uuid4().hex[:8]}"
    async with scratch(bootstrap, redis_url, run):
        await benchmark(args, bootstrap, redis_url, run)


async def benchmark(args: argparse.Namespace, bootstrap: str, redis_url: str, run: str) -> None:
    await ensure_topics(bootstrap, ALL_TOPICS, prefix=f"{run}.raw.")
    await ensure_topics(bootstrap, ALL_TOPICS, prefix=f"{run}.svc.")
    record_size = len(to_kafka_record(parse_event(events(1, run)[0])).value)

    ceiling = producer_performance(
        bootstrap, f"{run}.raw.{ALL_TOPICS[0].name}", args.events * 2, record_size
    )
    tune_garbage_collector()  # the same runtime as the service's

    key = "ioc_bench-" + uuid.uuid4().hex
    turns: list[tuple[float, ...]] = []  # raw, one worker, one per core
    with tempfile.TemporaryDirectory() as folder:
        agencies = Path(folder) / "agencies.yaml"
        agencies.write_text(
            yaml.safe_dump({"agencies": {"so-tu-phap": {"api_keys_sha256": [hash_api_key(key)]}}})
        )
        services: list[Service] = []
        try:
            for workers in (1, 2):
                services.append(
                    start_service(agencies, bootstrap, redis_url, f"{run}.svc.", workers)
                )
            one = services[0]
            for r in range(args.rounds):
                raw_rate = await raw_aiokafka(
                    bootstrap, f"{run}.raw.", events(args.events, f"{run}-raw{r}")
                )
                rates = [
                    await ingest_batches(
                        service.url,
                        key,
                        events(args.events, f"{run}-{service.url[-4:]}-{r}"),
                        args.batch_size,
                        args.clients,
                    )
                    for service in services
                ]
                turns.append((raw_rate, *rates))
            singles, latencies = await ingest_singles(
                one.url, key, events(args.singles, f"{run}-single"), 8
            )
            _, alone = await ingest_singles(one.url, key, events(300, f"{run}-alone"), 1)
        finally:
            for service in services:
                service.process.terminate()
                service.process.wait(30)

    raw, batched, batched_per_core = (statistics.median(t[i] for t in turns) for i in range(3))
    rows: list[tuple[str, float, float | None]] = [
        ("Kafka ProducerPerformance (Java, acks=all, idempotent)", ceiling, None),
        ("raw aiokafka producer, same records (baseline): median", raw, 1.0),
        (
            f"ingest, 1 worker, batches of {args.batch_size}, {args.clients} clients: median",
            batched,
            statistics.median(t[1] / t[0] for t in turns),
        ),
        (
            "ingest, 2 workers (one per core), same load: median",
            batched_per_core,
            statistics.median(t[2] / t[0] for t in turns),
        ),
        ("ingest, 1 worker, single events, 8 clients", singles, singles / raw),
    ]
    for r, (raw_r, one_r, two_r) in enumerate(turns, 1):
        rows += [
            (f"  turn {r}: raw producer", raw_r, None),
            ("    then ingest, 1 worker", one_r, one_r / raw_r),
            ("    then ingest, 2 workers", two_r, two_r / raw_r),
        ]
    lines = [
        f"{args.events:,} dossier events of {record_size} bytes, {args.rounds} turns; "
        f"broker {bootstrap}",
        "",
        *rate_table(rows),
    ]
    lines += [
        "",
        f"single-event latency, 8 clients: {percentiles(latencies, 1)}",
        f"single-event latency, one client: {percentiles(alone, 1)}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    uvloop.run(main())  # the event loop the service runs on (uvicorn's), for the raw producer too
