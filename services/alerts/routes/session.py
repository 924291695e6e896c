"""Signing in to the console: an operator's API key for a session cookie (HttpOnly, SameSite
Strict, Secure behind TLS); signing out ends the session."""

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from infra.openapi import problem
from infra.problems import Problem, ProblemError
from services.alerts.deps import Service, Signed
from services.alerts.operators import SESSION_COOKIE

router = APIRouter(tags=["session"])


class SignIn(BaseModel):
    api_key: str = Field(min_length=1, max_length=200)


@router.post(
    "/v1/session",
    summary="Sign in with an operator API key",
    responses={401: problem("Unknown API key.")},
)
async def sign_in(
    body: SignIn, request: Request, response: Response, service: Service
) -> dict[str, str]:
    found = service.operators.by_api_key(body.api_key)
    if found is None:
        raise ProblemError(Problem("unauthorized", "Unknown API key", 401, "no operator has it"))
    token = await service.sessions.open(found)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure, max_age=12 * 3600
    )
    return {"id": found.id, "name": found.name}


@router.delete("/v1/session", status_code=204)
async def sign_out(request: Request, response: Response, service: Service) -> None:
    if token := request.cookies.get(SESSION_COOKIE):
        await service.sessions.close(token)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/v1/me")
async def me(who: Signed) -> dict[str, str]:
    return {"id": who.id, "name": who.name}
