"""Several processes serving one HTTP port, for a CPU-bound service on a machine with cores to
spare: each worker listens on its own socket with SO_REUSEPORT, so the kernel spreads
connections over the workers evenly. (With one shared listening socket, as uvicorn's own
workers have, the first worker to wake accepts every waiting connection: measured here, whole
rounds of a benchmark landed on one of two workers.) Their Prometheus metrics are served
together by the supervising process, from the files each worker writes its values to
(prometheus_client's multiprocess mode)."""

import logging
import multiprocessing
import os
import signal
import socket
import tempfile
import threading
import time
from multiprocessing.process import BaseProcess

import uvicorn
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

from infra.serve import UVICORN_OPTIONS

log = logging.getLogger(__name__)


def serve_workers(factory: str, host: str, port: int, workers: int, metrics_port: int) -> None:
    """Runs `workers` processes, each serving the app `factory` ("module:function") builds,
    restarting any that dies, until SIGTERM or SIGINT."""
    with tempfile.TemporaryDirectory(prefix="ioc-metrics-") as folder:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # read by each worker as it starts
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
        metrics_server, _ = start_http_server(metrics_port, host, registry)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        spawn = multiprocessing.get_context("spawn")

        def start() -> BaseProcess:
            process = spawn.Process(target=_serve, args=(factory, host, port), daemon=False)
            process.start()
            return process

        running = [start() for _ in range(workers)]
        try:
            while not stop.wait(1):
                for slot, process in enumerate(running):
                    if not process.is_alive():
                        log.warning(
                            "worker %s exited (%s): starting another", process.pid, process.exitcode
                        )
                        running[slot] = start()
        finally:
            for process in running:
                process.terminate()  # each shuts down gracefully, as uvicorn does on SIGTERM
            deadline = time.monotonic() + 10
            for process in running:
                process.join(max(0.0, deadline - time.monotonic()))
            metrics_server.shutdown()


def _serve(factory: str, host: str, port: int) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    config = uvicorn.Config(factory, factory=True, **UVICORN_OPTIONS)
    uvicorn.Server(config).run(sockets=[listener])
