"""Operators and their credentials: API keys (stored hashed, in operators.yaml) for programs and
for signing in; a sign-in gives the browser a session cookie (kept in Redis) so the console's
live stream, which cannot send headers, is authenticated too."""

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import redis.asyncio as aioredis
import yaml
from pydantic import BaseModel, ConfigDict, Field

from infra.keys import demo_keys, hash_api_key
from infra.problems import unauthorized

SESSION_COOKIE = "ioc_session"


class OperatorCredentials(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    api_keys_sha256: list[str] = Field(min_length=1)


class OperatorsFile(BaseModel):
    operators: dict[str, OperatorCredentials]


@dataclass(frozen=True)
class Operator:
    id: str
    name: str


class Operators:
    def __init__(self, operators: Mapping[str, OperatorCredentials]) -> None:
        self._by_hash = {
            h: Operator(code, o.name) for code, o in operators.items() for h in o.api_keys_sha256
        }

    @classmethod
    def from_file(cls, path: Path) -> "Operators":
        return cls(OperatorsFile.model_validate(yaml.safe_load(path.read_text("utf-8"))).operators)

    def by_api_key(self, key: str) -> Operator | None:
        return self._by_hash.get(hash_api_key(key))


class Sessions:
    def __init__(self, redis: aioredis.Redis, prefix: str, hours: float) -> None:
        self._redis, self._prefix, self._seconds = redis, f"{prefix}session:", int(hours * 3600)

    async def open(self, operator: Operator) -> str:
        token = secrets.token_urlsafe(32)
        value = json.dumps({"id": operator.id, "name": operator.name})
        await self._redis.set(self._prefix + hash_api_key(token), value, ex=self._seconds)
        return token

    async def operator(self, token: str) -> Operator | None:
        stored = await self._redis.get(self._prefix + hash_api_key(token))
        return Operator(**json.loads(stored)) if stored else None

    async def close(self, token: str) -> None:
        await self._redis.delete(self._prefix + hash_api_key(token))


async def authenticate(
    headers: Mapping[str, str], cookies: Mapping[str, str], operators: Operators, sessions: Sessions
) -> Operator:
    """An API key (`Authorization: Bearer …` or `X-API-Key`) or a session cookie."""
    bearer = headers.get("authorization", "")
    key = bearer[7:] if bearer.lower().startswith("bearer ") else headers.get("x-api-key", "")
    if key and (operator := operators.by_api_key(key)):
        return operator
    if (token := cookies.get(SESSION_COOKIE)) and (operator := await sessions.operator(token)):
        return operator
    raise unauthorized("an operator API key or a signed-in session is required", "ioc-operators")


DEMO_OPERATORS = {"truc-ban": "Cán bộ trực IOC", "lanh-dao": "Lãnh đạo Trung tâm"}


def demo_operators(directory: Path) -> tuple[Path, Path]:
    """Two operators for a local stack: `operators.yaml` (hashes) and `operator-keys.json`."""
    holders = {code: {"name": name} for code, name in DEMO_OPERATORS.items()}
    return demo_keys(directory, "operators", "operator-keys.json", holders)
