"""An ASGI app served by uvicorn on a free local port inside the test's event loop."""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from fastapi import FastAPI

from tests.infrastructure import eventually


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def serving(app: FastAPI, port: int) -> AsyncIterator[httpx.AsyncClient]:
    # Open live streams (SSE) would hold a graceful shutdown forever: bounded.
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        if task.done():
            task.result()  # a failed start-up fails the test with its own error
        return server.started

    await eventually(started, within=30)
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        yield client
    finally:
        await client.aclose()
        server.should_exit = True
        await task
