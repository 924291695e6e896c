"""The KPI read API: GET /v1/kpis from the Redis read model, with history for trends."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import redis.asyncio as aioredis
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import StringConstraints
from redis.exceptions import RedisError

from catalog import load_province
from catalog.indicators import load_definitions
from catalog.plans import plans_of
from contracts.kpi import agency_scope, org_scope
from contracts.periods import PERIOD_PATTERN, Granularity, granularity
from infra.http import new_app, readiness
from infra.openapi import NOT_READY, describe, problem
from infra.problems import FieldError, Problem, ProblemError, unavailable
from infra.redis_client import redis_answers
from services.indicators.readmodel import KpiReadModel
from services.indicators.scorecard import router as scorecard_router
from services.indicators.settings import IndicatorsSettings

PeriodKey = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]
TITLE, VERSION = "IOC indicators API", "1.0.0"
SUMMARY = "Live KPIs of the province's indicators, by org unit, agency and period."


@dataclass(frozen=True)
class Names:
    """Every indicator the province knows (derived, and reported in its plans), by code."""

    by_code: Mapping[str, dict[str, str]]
    factors: Mapping[str, float]

    @classmethod
    def of_province(cls, province: str) -> "Names":
        definitions = load_definitions()
        names = {
            i.code: {"name_vi": i.name_vi, "name_en": i.name_en}
            for plan in plans_of(province)
            for i in plan.indicators.values()
        }
        names |= {d.code: {"name_vi": d.name_vi, "name_en": d.name_en} for d in definitions}
        return cls(names, {d.code: d.factor for d in definitions})


router = APIRouter()


@router.get(
    "/v1/kpis",
    summary="KPI snapshots of an indicator, by scope and period",
    responses={503: problem("The read model is down.")},
)
async def kpis(
    request: Request,
    indicator: str,
    org_unit: Annotated[list[str] | None, Query(description="Org unit codes.")] = None,
    agency: Annotated[list[str] | None, Query(description="Agency codes.")] = None,
    period: Annotated[list[PeriodKey] | None, Query()] = None,
    wanted: Annotated[Granularity | None, Query(alias="granularity")] = None,
    since: Annotated[
        str | None, Query(pattern=PERIOD_PATTERN, description="First period, inclusive.")
    ] = None,
) -> dict[str, Any]:
    names: Names = request.app.state.names
    if indicator not in names.by_code:
        detail = f"no indicator {indicator!r}; the indicators are listed at /v1/indicators"
        raise ProblemError(
            Problem(
                "unknown-indicator",
                "Unknown indicator",
                422,
                detail,
                (FieldError("indicator", detail),),
            )
        )
    scopes = [org_scope(c) for c in org_unit or []] + [agency_scope(c) for c in agency or []]
    try:
        found = await request.app.state.kpis.snapshots(indicator, scopes, period)
    except RedisError as e:
        raise unavailable("the KPI read model is unavailable", 5) from e
    if wanted:
        found = [s for s in found if granularity(s.period) == wanted]
    if since:
        found = [s for s in found if s.period >= since]
    return {
        "indicator": indicator,
        **names.by_code[indicator],
        "items": [s.model_dump(mode="json") for s in found],
    }


@router.get("/v1/indicators", summary="Indicators with KPIs")
async def indicators(request: Request) -> dict[str, Any]:
    names: Names = request.app.state.names
    codes = await request.app.state.kpis.indicators()
    return {"items": [{"code": c, **names.by_code.get(c, {})} for c in codes]}


@router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz", tags=["health"], summary="Redis (the read model) answers now", responses=NOT_READY
)
async def readyz(request: Request) -> JSONResponse:
    return readiness({"redis": await redis_answers(request.app.state.redis)})


def create_api(settings: IndicatorsSettings) -> FastAPI:
    names = Names.of_province(settings.province)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = aioredis.Redis.from_url(settings.redis_url, socket_timeout=5)
        app.state.redis = redis
        app.state.kpis = KpiReadModel(redis, settings.redis_prefix, names.factors)
        yield
        await redis.aclose()

    app = new_app(TITLE, VERSION, lifespan, [router, scorecard_router], document(), SUMMARY)
    app.state.names, app.state.province = names, load_province(settings.province)
    return app


def document() -> dict[str, Any]:
    """The OpenAPI document (committed as openapi.json beside this file)."""
    return describe(
        TITLE, VERSION, SUMMARY, [router, scorecard_router], {"500": "Unexpected (logged)."}
    )
