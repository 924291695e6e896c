"""faust's own ceiling on this machine: an agent that takes the same batches as the indicators
worker and does nothing with them. Run by bench/indicators_pipeline.py as its own process:

    python -m bench.faust_ceiling TOPIC COUNT      (prints events per second)
"""

import os
import sys
import time
import uuid
from typing import Any

import faust

from ioc.settings import KafkaSettings


def main() -> None:
    topic, count = sys.argv[1], int(sys.argv[2])
    servers = KafkaSettings().kafka_bootstrap_servers
    app = faust.App(
        f"faust-ceiling-{uuid.uuid4().hex[:8]}",
        broker=";".join(f"kafka://{s}" for s in servers.split(",")),
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
        stream_buffer_maxsize=10_000,
        datadir=f"/tmp/faust-ceiling-{os.getpid()}",
    )
    seen: dict[str, Any] = {"count": 0, "started": None}

    @app.agent(app.topic(topic, key_serializer="raw", value_serializer="raw"))
    async def take(stream: faust.types.StreamT[bytes]) -> None:
        assert isinstance(stream, faust.Stream)
        async for batch in stream.take_events(5000, within=0.05):
            seen["started"] = seen["started"] or time.perf_counter()
            seen["count"] += len(batch)
            if seen["count"] >= count:
                rate = count / (time.perf_counter() - seen["started"])
                os.write(1, f"{rate:.0f}\n".encode())  # fd 1: faust redirects sys.stdout
                os._exit(0)

    worker = faust.Worker(app, loglevel="WARNING")
    worker.spinner = None
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
