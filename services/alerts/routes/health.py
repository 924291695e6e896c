from asyncio import gather

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from infra.http import readiness
from infra.openapi import NOT_READY
from infra.redis_client import redis_answers
from services.alerts.deps import Service

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz", summary="Caught up with history; Kafka and Redis answer now", responses=NOT_READY
)
async def readyz(service: Service) -> JSONResponse:
    kafka, redis = await gather(service.store.reachable(), redis_answers(service.redis))
    return readiness({"caught_up": service.caught_up.is_set(), "kafka": kafka, "redis": redis})
