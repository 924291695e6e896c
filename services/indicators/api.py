"""The KPI read API: GET /v1/kpis from the Redis read model, with history for trends."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import redis.asyncio as aioredis
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import StringConstraints
from redis.exceptions import RedisError

from ioc.health import readiness, redis_answers
from ioc.problems import install_problem_handlers, unavailable
from kpi.definitions import load_definitions
from services.indicators.readmodel import KpiReadModel
from services.indicators.settings import IndicatorsSettings

PERIOD = r"^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"
PeriodKey = Annotated[str, StringConstraints(pattern=PERIOD)]


def create_api(settings: IndicatorsSettings) -> FastAPI:
    definitions = load_definitions()
    names = {d.code: {"name_vi": d.name_vi, "name_en": d.name_en} for d in definitions}
    factors = {d.code: d.factor for d in definitions}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5)
        app.state.redis, app.state.kpis = redis, KpiReadModel(redis, settings.redis_prefix, factors)
        yield
        await redis.aclose()

    app = FastAPI(
        title="IOC indicators API",
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )

    install_problem_handlers(app)

    @app.get("/v1/kpis", summary="KPI snapshots of an indicator, by scope and period")
    async def kpis(
        request: Request,
        indicator: str,
        org_unit: Annotated[list[str] | None, Query(description="Org unit codes.")] = None,
        agency: Annotated[list[str] | None, Query(description="Agency codes.")] = None,
        period: Annotated[list[PeriodKey] | None, Query()] = None,
        granularity: Annotated[str | None, Query(pattern="^(month|quarter|year)$")] = None,
        since: Annotated[
            str | None, Query(pattern=PERIOD, description="First period, inclusive.")
        ] = None,
    ) -> dict[str, Any]:
        scopes = [f"org:{c}" for c in org_unit or []] + [f"agency:{c}" for c in agency or []]
        try:
            found = await request.app.state.kpis.snapshots(indicator, scopes, period)
        except RedisError as e:
            raise unavailable("the KPI read model is unavailable", 5) from e
        if granularity:
            found = [s for s in found if _granularity(s.period) == granularity]
        if since:
            found = [s for s in found if s.period >= since]
        return {
            "indicator": indicator,
            **names.get(indicator, {}),
            "items": [s.model_dump(mode="json") for s in found],
        }

    @app.get("/v1/indicators", summary="Indicators with KPIs")
    async def indicators(request: Request) -> dict[str, Any]:
        codes = await request.app.state.kpis.indicators()
        return {"items": [{"code": c, **names.get(c, {})} for c in codes]}

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Redis (the read model) answers now")
    async def readyz(request: Request) -> JSONResponse:
        return readiness({"redis": await redis_answers(request.app.state.redis)})

    return app


def _granularity(period: str) -> str:
    return "year" if len(period) == 4 else "quarter" if "Q" in period else "month"
