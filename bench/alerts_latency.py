"""Alert latency: from the ingest 202 of an event that changes a target's status to the change
on the alert stream (SSE), under a steady background load, every service its own process.

    make bench          (starts the stack; or set KAFKA_BOOTSTRAP_SERVERS and REDIS_URL)

The probe is the province's DTI, reported for the current year alternately above and far
below its target: each report flips the `dti` target between achieved and off track, so the
alert fires and resolves; the path is ingest → Kafka → indicators worker → KPI snapshot →
alert service → Redis stream → SSE. The background is accepted dossiers through ingest.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench.common import accepted_dossiers, percentiles, start_process
from contracts import ALL_TOPICS
from domain.calendar import VIETNAM
from infra.kafka import ensure_topics
from infra.keys import hash_api_key

log = logging.getLogger("bench")
PUBLISHER, REPORTER = "trung-tam-phuc-vu-hcc", "so-khoa-hoc-cong-nghe"
OPERATOR_KEY = "ioc_bench-operator-" + uuid.uuid4().hex


def dti_report(n: int, run: str) -> dict[str, Any]:
    now = datetime.now(VIETNAM)
    return {
        "specversion": "1.0",
        "id": f"{run}-dti-{n}",
        "source": f"/agencies/{REPORTER}/bao-cao",
        "type": "vn.ioc.indicator.value-reported.v1",
        "time": now.isoformat(),
        "data": {
            "indicator_code": "DTI",
            "org_unit_code": "quang-ngai",
            "period": str(now.year - 1),  # a closed year: the current one ends in the future
            "value": 0.9 if n % 2 else 0.2,
            "unit": "index",
            "agency_code": REPORTER,
        },
    }


async def measure(
    ingest: str, alerts: str, keys: dict[str, str], args: Any, run: str
) -> list[float]:
    changes: asyncio.Queue[float] = asyncio.Queue()

    async def follow(client: httpx.AsyncClient) -> None:
        headers = {"x-api-key": OPERATOR_KEY}
        async with client.stream("GET", f"{alerts}/v1/alerts/stream", headers=headers) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    change = json.loads(line[6:])
                    alert = change.get("alert") or {}
                    if (
                        alert.get("labels", {}).get("target") == "dti"
                        and alert["labels"]["kind"] == "target_risk"
                    ):
                        changes.put_nowait(time.perf_counter())

    async def background(client: httpx.AsyncClient) -> None:
        per_batch = args.rate // 10
        load = [
            e | {"source": f"/agencies/{PUBLISHER}/mot-cua"}
            for e in accepted_dossiers(per_batch * 10 * (args.probes * 2 + 20), f"{run}-bg", seed=3)
        ]
        headers = {
            "x-api-key": keys[PUBLISHER],
            "content-type": "application/cloudevents-batch+json",
        }
        next_at, i = time.perf_counter(), 0
        while True:
            body = load[i * per_batch : (i + 1) * per_batch]
            if not body:
                return
            await client.post(f"{ingest}/v1/events", json=body, headers=headers)
            i += 1
            next_at += 0.1
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    delays = []
    async with httpx.AsyncClient(timeout=30) as client:
        follower = asyncio.create_task(follow(client))
        loader = asyncio.create_task(background(client))
        await asyncio.sleep(5)  # the load reaches its steady state first
        headers = {"x-api-key": keys[REPORTER], "content-type": "application/cloudevents+json"}
        for n in range(args.probes + 1):
            response = await client.post(
                f"{ingest}/v1/events", json=dti_report(n, run), headers=headers
            )
            acked = time.perf_counter()
            if response.status_code != 202:
                raise RuntimeError(f"probe refused: {response.text}")
            try:
                seen = await asyncio.wait_for(changes.get(), 10)
            except TimeoutError:
                log.warning("probe %d: no alert change within 10 s", n)
                continue
            if n:  # the first report only sets the starting state
                delays.append(seen - acked)
            await asyncio.sleep(1.0)
        follower.cancel()
        loader.cancel()
    return delays


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=int, default=1000, help="background events/s")
    parser.add_argument("--probes", type=int, default=30)
    args = parser.parse_args()
    bootstrap, redis_url = os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["REDIS_URL"]
    run = f"bench-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, ALL_TOPICS, prefix=f"{run}.")
    folder = Path(tempfile.mkdtemp(prefix="ioc-bench-"))
    keys = {a: "ioc_bench-" + uuid.uuid4().hex for a in (PUBLISHER, REPORTER)}
    (folder / "agencies.yaml").write_text(
        yaml.safe_dump(
            {"agencies": {a: {"api_keys_sha256": [hash_api_key(k)]} for a, k in keys.items()}}
        )
    )
    (folder / "operators.yaml").write_text(
        yaml.safe_dump(
            {
                "operators": {
                    "bench": {"name": "bench", "api_keys_sha256": [hash_api_key(OPERATOR_KEY)]}
                }
            }
        )
    )
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "REDIS_URL": redis_url,
        "IOC_TOPIC_PREFIX": f"{run}.",
        "INGEST_AGENCIES_FILE": str(folder / "agencies.yaml"),
        "INGEST_PORT": "8191",
        "INGEST_METRICS_PORT": "9191",
        "INGEST_RATE_LIMIT_EVENTS_PER_SECOND": "1000000",
        "INGEST_RATE_LIMIT_BURST": "1000000",
        "INDICATORS_APP_ID": run,
        "INDICATORS_REDIS_PREFIX": f"{run}:kpi:",
        "INDICATORS_METRICS_PORT": "9192",
        "ALERTS_APP_ID": f"{run}-alerts",
        "ALERTS_REDIS_PREFIX": f"{run}:alerts:",
        "ALERTS_OPERATORS_FILE": str(folder / "operators.yaml"),
        "ALERTS_PORT": "8193",
        "ALERTS_METRICS_PORT": "9193",
    }
    processes = [
        start_process(["services.ingest"], env, "http://127.0.0.1:8191/readyz"),
        start_process(["services.indicators", "worker"], env),
        start_process(["services.alerts"], env, "http://127.0.0.1:8193/readyz"),
    ]
    try:
        delays = await measure("http://127.0.0.1:8191", "http://127.0.0.1:8193", keys, args, run)
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)
    sys.stdout.write(
        f"alert latency, ingest 202 → SSE change, {len(delays)} status changes under "
        f"{args.rate:,} events/s of background load: {percentiles(delays)}, "
        f"max {max(delays) * 1e3:.0f} ms\n"
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main())
