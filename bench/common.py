"""What the benchmarks share: realistic dossier events, starting a service as its own process,
cleaning up after a run."""

import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient

from catalog import load_province
from infra.kafka import security_options

ROOT = Path(__file__).resolve().parents[1]
ACCEPTED = json.loads((ROOT / "contracts/examples/valid/dossier-accepted-online.json").read_text())


def accepted_dossiers(count: int, run: str, seed: int = 1) -> list[dict[str, Any]]:
    """Dossiers accepted in the communes of the demo province over 2025: a realistic spread
    of KPI rows (each event touches ~50: indicators × commune, province, agency × periods)."""
    rng = random.Random(seed)
    communes = [u.code for u in load_province("quang-ngai").org_units.values() if u.parent]
    events = []
    for i in range(count):
        commune = rng.choice(communes)
        month, date = rng.randint(1, 12), rng.randint(1, 27)
        day = f"2025-{month:02d}-{date:02d}T08:15:00+07:00"
        data = ACCEPTED["data"] | {
            "dossier_id": f"{run}-D{i}",
            "org_unit_code": commune,
            "agency_code": f"ubnd.{commune}",
            "channel": rng.choice([1, 2, 2, 2]),
            "received_at": day,
            "due_at": f"2025-{month:02d}-{date + 1:02d}T17:00:00+07:00",
            "vneid_verified": rng.random() < 0.6,
        }
        source = f"/agencies/ubnd.{commune}/mot-cua"
        events.append(ACCEPTED | {"id": f"{run}-{i}", "source": source, "time": day, "data": data})
    return events


def start_process(
    args: list[str], env: dict[str, str], ready_url: str | None = None
) -> subprocess.Popen[bytes]:
    """A Python module as its own process; waits until `ready_url` answers 200."""
    process = subprocess.Popen(
        [sys.executable, "-m", *args],
        env=os.environ | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while ready_url and time.monotonic() < deadline:
        try:
            if httpx.get(ready_url).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    if ready_url:
        process.kill()
        raise RuntimeError(f"{args[0]} did not become ready at {ready_url}")
    return process


@asynccontextmanager
async def scratch(bootstrap: str, redis_url: str, run: str) -> AsyncIterator[None]:
    """A run's topics (whose history is kept forever) and Redis keys (a week of dedup keys) are
    removed when it ends, so that one run does not slow the next or fill the machine."""
    try:
        yield
    finally:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **security_options())
        await admin.start()
        try:
            await admin.delete_topics([t for t in await admin.list_topics() if run in t])
        finally:
            await admin.close()
        redis = aioredis.Redis.from_url(redis_url)
        try:
            keys = [k async for k in redis.scan_iter(match=f"*{run}*", count=10_000)]
            for start in range(0, len(keys), 10_000):
                await redis.unlink(*keys[start : start + 10_000])
        finally:
            await redis.aclose()


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def rate_table(rows: list[tuple[str, float, float | None]]) -> list[str]:
    """A Markdown table of events per second and the ratio to the baseline (None: no ratio)."""
    width = max(len(name) for name, _, _ in rows)
    lines = [
        f"| {'path':<{width}} | {'events/s':>9} | {'vs raw':>6} |",
        f"|{'-' * (width + 2)}|{'-' * 11}|{'-' * 8}|",
    ]
    for name, rate, ratio in rows:
        shown = "" if ratio is None else f"{ratio:.2f}"
        lines.append(f"| {name:<{width}} | {rate:>9,.0f} | {shown:>6} |")
    return lines


def percentiles(seconds: list[float], digits: int = 0) -> str:
    """`p50 … ms, p99 … ms`: inclusive quantiles, never above the largest sample (the default
    method extrapolates past it when there are few samples)."""
    q = statistics.quantiles(seconds, n=100, method="inclusive")
    return f"p50 {q[49] * 1e3:.{digits}f} ms, p99 {q[98] * 1e3:.{digits}f} ms"
