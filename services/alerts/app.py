"""The alert service's HTTP app: the operator API and the console, around the service that
bootstrap.py composes (its adapters made from the settings unless a test hands them in)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from infra.http import new_app
from infra.telemetry import configure_tracing
from services.alerts import console
from services.alerts.bootstrap import Adapters, running
from services.alerts.openapi import SUMMARY, TITLE, VERSION, document
from services.alerts.origin import ConsoleOrigin
from services.alerts.routes import ROUTERS
from services.alerts.settings import AlertsSettings


def create_app(settings: AlertsSettings, adapters: Adapters | None = None) -> FastAPI:
    configure_tracing("ioc-alerts")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(settings, adapters) as service:
            app.state.service = service
            yield

    app = new_app(TITLE, VERSION, lifespan, (*ROUTERS, console.router), document(), SUMMARY)
    app.mount("/static", console.static, name="static")
    app.add_middleware(ConsoleOrigin, external_urls=[settings.external_url])
    return app
