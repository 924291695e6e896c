"""Indicators benchmark: the worker versus a raw consumer on the same topic, memory as events
grow tenfold, and freshness from ingest acknowledgement to the read API, in one run.

    make bench          (starts the local stack; or set KAFKA_BOOTSTRAP_SERVERS and REDIS_URL)

1. A raw aiokafka consumer reads and decodes (the CloudEvents contract) N dossier events, in
   this process with the garbage collector tuned as the services tune it.
2. The indicators worker (its own process) counts the same N events into the KPI state (a new
   consumer group and state each time). 1 and 2 take turns, three times each; the ratio is the
   median of the three turns' ratios (each turn's pair measured seconds apart).
3. Memory: the worker's RSS and the KPI state in Redis after N events, then after 10×N events
   for the same org units and periods.
4. Freshness: a steady load through the ingest service; for a probe KPI, the time from the
   ingest 202 to the new value in the read API, p50 and p99.
"""

import argparse
import asyncio
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis
import yaml
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.common import (
    accepted_dossiers,
    percentiles,
    rate_table,
    rss_bytes,
    scratch,
    start_process,
)
from contracts import ALL_TOPICS, from_kafka_record, parse_event, to_kafka_record
from contracts.topics import DOSSIER_EVENTS
from infra.kafka import ensure_topics, new_consumer, new_producer, security_options
from infra.keys import hash_api_key
from infra.serve import tune_garbage_collector

log = logging.getLogger("bench")
# The probes' agency: a department none of the load's dossiers (the communes') is filed for, so
# its KPI counts the probes alone (a unit outside the province, as before, is refused now).
PROBE_AGENCY = "so-tu-phap"
PUBLISHER = "trung-tam-phuc-vu-hcc"
SOURCE = f"/agencies/{PUBLISHER}/mot-cua"


async def produce(bootstrap: str, topic: str, events: list[dict[str, Any]]) -> None:
    producer = new_producer(bootstrap)
    await producer.start()
    try:
        for start in range(0, len(events), 5000):
            records = [to_kafka_record(parse_event(e)) for e in events[start : start + 5000]]
            acks = [
                await producer.send(topic, r.value, key=r.key, headers=list(r.headers))
                for r in records
            ]
            await asyncio.gather(*acks)
    finally:
        await producer.stop()


async def raw_consumer(bootstrap: str, topic: str, count: int) -> float:
    consumer = new_consumer(bootstrap, group_id=None)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(DOSSIER_EVENTS.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen, started = 0, time.perf_counter()
        while seen < count:
            for records in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values():
                for r in records:
                    from_kafka_record(r.value, r.headers)
                seen += len(records)
        return count / (time.perf_counter() - started)
    finally:
        await consumer.stop()


async def applied(redis: aioredis.Redis, prefix: str) -> int:
    offsets = await redis.hgetall(f"{prefix}progress")
    return sum(int(o) + 1 for o in offsets.values())


async def worker_rate(
    worker: subprocess.Popen[bytes], redis: aioredis.Redis, env: dict[str, str], total: int
) -> float:
    """Events per second from the first batch in the KPI state until the worker committed every
    record, which it does once their snapshots are acknowledged (start-up not counted)."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], **security_options()
    )
    await admin.start()  # before the clock starts
    try:
        first = await progress(worker, lambda: applied(redis, env["INDICATORS_REDIS_PREFIX"]), 1)
        started = time.perf_counter()
        await progress(worker, lambda: committed(admin, env["INDICATORS_APP_ID"]), total)
    finally:
        await admin.close()
    return (total - first) / (time.perf_counter() - started)


async def progress(
    worker: subprocess.Popen[bytes], count: Callable[[], Awaitable[int]], at_least: int
) -> int:
    """Polls the worker's progress (another process) until `at_least`; fails if it is gone."""
    while True:
        if (done := await count()) >= at_least:
            return done
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited ({worker.returncode}) at {done} of {at_least}")
        await asyncio.sleep(0.05)


async def committed(admin: AIOKafkaAdminClient, group: str) -> int:
    offsets = await admin.list_consumer_group_offsets(group)
    return sum(max(0, o.offset) for o in offsets.values())


async def separate_worker_rate(env: dict[str, str], total: int, redis: aioredis.Redis) -> float:
    """A worker of its own consumer group and KPI state (named after it) over the topic."""
    env = env | {"INDICATORS_REDIS_PREFIX": f"{env['INDICATORS_APP_ID']}:kpi:"}
    worker = start_process(["services.indicators", "worker"], env)
    try:
        return await worker_rate(worker, redis, env, total)
    finally:
        worker.terminate()
        worker.wait(30)


async def state_bytes(redis: aioredis.Redis, prefix: str) -> int:
    keys = [k async for k in redis.scan_iter(match=f"{prefix}*", count=1000)]
    pipe = redis.pipeline(transaction=False)
    for key in keys:
        pipe.memory_usage(key)
    return sum(b or 0 for b in await pipe.execute())


async def freshness(
    ingest: str, api: str, key: str, rate: int, seconds: int, run: str
) -> list[float]:
    """Sends `rate` events/s in 10 batches a second, each with one probe event; returns, per
    batch, the seconds from its 202 to the probe KPI counting it in the read API."""
    acked: dict[int, float] = {}
    seen: dict[int, float] = {}
    batches = seconds * 10
    # As the province's public service centre would publish them: one agency, one source.
    load = [
        e | {"source": SOURCE}
        for e in accepted_dossiers(batches * (rate // 10 - 1), f"{run}-load", seed=7)
    ]
    probe = accepted_dossiers(1, run)[0] | {"source": SOURCE}
    headers = {"x-api-key": key, "content-type": "application/cloudevents-batch+json"}
    params = {"indicator": "VNEID_VERIFIED_DOSSIERS", "agency": PROBE_AGENCY, "period": "2025"}

    async def send(client: httpx.AsyncClient) -> None:
        per_batch = rate // 10 - 1
        next_at = time.perf_counter()
        for b in range(batches):
            data = probe["data"] | {"agency_code": PROBE_AGENCY, "dossier_id": f"{run}-P{b}"}
            body = [
                *load[b * per_batch : (b + 1) * per_batch],
                probe | {"id": f"{run}-P{b}", "data": data},
            ]
            response = await client.post(f"{ingest}/v1/events", json=body, headers=headers)
            if response.status_code != 202:
                raise RuntimeError(f"ingest refused a batch: {response.text}")
            acked[b + 1] = time.perf_counter()
            next_at += 0.1
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    async def watch(client: httpx.AsyncClient) -> None:
        while len(seen) < batches:
            items = (await client.get(f"{api}/v1/kpis", params=params)).json()["items"]
            now, count = time.perf_counter(), int(items[0]["denominator"]) if items else 0
            for b in range(len(seen) + 1, count + 1):
                seen[b] = now
            await asyncio.sleep(0.01)

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.wait_for(asyncio.gather(send(client), watch(client)), seconds + 60)
    return [seen[b] - acked[b] for b in range(1, batches + 1)]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rate", type=int, default=1000, help="freshness load, events/s")
    parser.add_argument("--seconds", type=int, default=30, help="freshness load duration")
    args = parser.parse_args()
    bootstrap, redis_url = os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["REDIS_URL"]
    run = f"bench-{uuid.uuid4().hex[:8]}"
    async with scratch(bootstrap, redis_url, run):
        await benchmark(args, bootstrap, redis_url, run)


async def benchmark(args: argparse.Namespace, bootstrap: str, redis_url: str, run: str) -> None:
    topics, state = f"{run}.", f"{run}:kpi:"
    topic = topics + DOSSIER_EVENTS.name
    await ensure_topics(bootstrap, ALL_TOPICS, prefix=topics)
    redis = aioredis.Redis.from_url(redis_url)
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "REDIS_URL": redis_url,
        "IOC_TOPIC_PREFIX": topics,
        "INDICATORS_APP_ID": run,
        "INDICATORS_REDIS_PREFIX": state,
        "INDICATORS_METRICS_PORT": "9192",
        "INDICATORS_PORT": "8192",
    }
    await produce(bootstrap, topic, accepted_dossiers(args.events, run))
    tune_garbage_collector()  # the same runtime as the worker's
    # Side by side, in turns: the machine's drift falls on both alike.
    raws, rates = [], []
    for i in range(2):
        raws.append(await raw_consumer(bootstrap, topic, args.events))
        worker_env = env | {"INDICATORS_APP_ID": f"{run}-{i}"}
        rates.append(await separate_worker_rate(worker_env, args.events, redis))
    raws.append(await raw_consumer(bootstrap, topic, args.events))

    worker = start_process(["services.indicators", "worker"], env)
    processes = [worker]
    try:
        rates.append(await worker_rate(worker, redis, env, args.events))
        raw, rate = statistics.median(raws), statistics.median(rates)
        ratio = statistics.median(w / r for r, w in zip(raws, rates, strict=True))  # per turn
        rss_1, state_1 = rss_bytes(worker.pid), await state_bytes(redis, state)
        await produce(bootstrap, topic, accepted_dossiers(args.events * 9, f"{run}-more", seed=2))
        await worker_rate(worker, redis, env, args.events * 10)
        rss_10, state_10 = rss_bytes(worker.pid), await state_bytes(redis, state)

        key = "ioc_bench-" + uuid.uuid4().hex
        folder = Path(tempfile.mkdtemp(prefix="ioc-bench-"))
        (folder / "agencies.yaml").write_text(
            yaml.safe_dump({"agencies": {PUBLISHER: {"api_keys_sha256": [hash_api_key(key)]}}})
        )
        ingest_env = env | {
            "INGEST_AGENCIES_FILE": str(folder / "agencies.yaml"),
            "INGEST_PORT": "8191",
            "INGEST_METRICS_PORT": "9191",
            "INGEST_RATE_LIMIT_EVENTS_PER_SECOND": "1000000",
            "INGEST_RATE_LIMIT_BURST": "1000000",
        }
        processes.append(
            start_process(["services.ingest"], ingest_env, "http://127.0.0.1:8191/readyz")
        )
        processes.append(
            start_process(["services.indicators", "api"], env, "http://127.0.0.1:8192/readyz")
        )
        delays = await freshness(
            "http://127.0.0.1:8191", "http://127.0.0.1:8192", key, args.rate, args.seconds, run
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
        await redis.aclose()

    lines = [
        f"{args.events:,} accepted-dossier events (~50 KPI rows each), 6 partitions; "
        f"broker {bootstrap}",
        "",
        *rate_table(
            [
                ("raw aiokafka consumer, read + decode (baseline): median", raw, 1.0),
                ("indicators worker, into the Redis KPI state: median", rate, ratio),
                *[
                    row
                    for i, (r, w) in enumerate(zip(raws, rates, strict=True))
                    for row in (
                        (f"  turn {i + 1}: raw consumer", r, None),
                        ("  then worker", w, w / r),
                    )
                ],
            ]
        ),
        "",
        f"memory after {args.events:,} → {args.events * 10:,} events: worker RSS "
        f"{rss_1 / 2**20:.0f} → {rss_10 / 2**20:.0f} MiB ({(rss_10 / rss_1 - 1) * 100:+.0f}%), "
        f"KPI state in Redis {state_1 / 2**20:.1f} → {state_10 / 2**20:.1f} MiB "
        f"({(state_10 / state_1 - 1) * 100:+.0f}%)",
        f"freshness, ingest 202 → read API, at {args.rate:,} events/s for {args.seconds} s: "
        + percentiles(delays),
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main())
