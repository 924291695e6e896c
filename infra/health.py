"""Readiness, asked of the dependencies themselves: a probe answers 503 within seconds of Kafka
or Redis stopping, and 200 again once they answer."""

import asyncio

import redis.asyncio as aioredis
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError

from infra.problems import PROBLEM_JSON, Problem

TIMEOUT_SECONDS = 2.0


async def redis_answers(redis: aioredis.Redis) -> bool:
    try:
        return bool(await asyncio.wait_for(redis.ping(), TIMEOUT_SECONDS))
    except (RedisError, OSError, TimeoutError):
        return False


def readiness(checks: dict[str, bool]) -> JSONResponse:
    """A readiness probe's answer: 200 when every dependency answered, else 503 problem+json
    naming those that did not."""
    if all(checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    failing = ", ".join(name for name, ok in checks.items() if not ok)
    problem = Problem("not-ready", "Not ready", 503, f"not answering: {failing}")
    return JSONResponse({**problem.as_json(), "checks": checks}, 503, media_type=PROBLEM_JSON)
