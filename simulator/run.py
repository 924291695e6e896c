"""Publishing the simulated province through the ingest API, each agency with its own key, in
batches: the past year as fast as the stack takes it (with a progress bar), then live."""

import asyncio
import itertools
import logging
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx

from catalog import load_province
from domain.calendar import VIETNAM
from simulator.province import ProvinceYear

log = logging.getLogger("ioc.simulate")


async def simulate(
    ingest_url: str,
    keys: dict[str, str],
    province: str = "quang-ngai",
    scale: float = 1.0,
    live: bool = True,
    batch_size: int = 500,
    clients: int = 4,
) -> int:
    now = datetime.now(VIETNAM)
    year = ProvinceYear(load_province(province), now.date(), scale=scale, now=now)
    events = list(year.events())
    async with httpx.AsyncClient(base_url=ingest_url, timeout=60) as client:
        await _wait_for(client)
        sent = await _backfill(client, keys, events, batch_size, clients)
        while live:
            await asyncio.sleep(2)
            sent += await _publish(client, keys, year.live(datetime.now(VIETNAM), 4))
    return sent


async def _backfill(
    client: httpx.AsyncClient,
    keys: dict[str, str],
    events: Sequence[dict[str, Any]],
    batch_size: int,
    clients: int,
) -> int:
    """Each agency's events in time order (a dossier's events stay in order); agencies in
    parallel."""
    by_agency: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_agency.setdefault(_agency(event), []).append(event)
    batches = [
        chunk
        for agency_events in by_agency.values()
        for chunk in (
            agency_events[i : i + batch_size] for i in range(0, len(agency_events), batch_size)
        )
    ]
    total, done, started = len(events), 0, time.monotonic()
    queue: asyncio.Queue[Sequence[dict[str, Any]]] = asyncio.Queue()
    for chunk in sorted(batches, key=lambda c: c[0]["time"]):
        queue.put_nowait(chunk)

    async def worker() -> None:
        nonlocal done
        while not queue.empty():
            accepted = await _publish(client, keys, queue.get_nowait())
            done += accepted  # not `done += await …`: that reads `done` before the await
            rate = done / max(time.monotonic() - started, 1e-3)
            _progress(done, total, rate)

    await asyncio.gather(*(worker() for _ in range(clients)))
    sys.stderr.write("\n")
    log.info("published the past year: %d events in %.0f s", done, time.monotonic() - started)
    return done


async def _publish(
    client: httpx.AsyncClient, keys: dict[str, str], events: Sequence[dict[str, Any]]
) -> int:
    accepted = 0
    for agency, group in itertools.groupby(events, key=_agency):
        body = list(group)
        for attempt in range(10):
            response = await client.post(
                "/v1/events",
                json=body,
                headers={
                    "x-api-key": keys[agency],
                    "content-type": "application/cloudevents-batch+json",
                },
            )
            if response.status_code in (200, 202, 207):
                accepted += len(body) - _refused(response)
                break
            wait = float(response.headers.get("retry-after", 1 + attempt))
            log.warning("ingest answered %s; retrying in %.0f s", response.status_code, wait)
            await asyncio.sleep(wait)
    return accepted


def _refused(response: httpx.Response) -> int:
    """Events of an answered batch that were refused, each logged with its problem: the demo
    should send none."""
    refused = [r for r in response.json().get("results", []) if r["status"] == "rejected"]
    for result in refused[:3]:
        log.error("refused %s: %s", result["id"], result["problem"]["detail"])
    return len(refused)


async def _wait_for(client: httpx.AsyncClient) -> None:
    for _ in range(120):
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.5)
    raise RuntimeError("the ingest service is not ready")


def _agency(event: dict[str, Any]) -> str:
    return str(event["source"]).split("/")[2]


def _progress(done: int, total: int, rate: float) -> None:
    filled = int(30 * done / max(total, 1))
    bar = "#" * filled + "." * (30 - filled)
    sys.stderr.write(f"\r[{bar}] {done:,}/{total:,} events  {rate:,.0f}/s ")
    sys.stderr.flush()
