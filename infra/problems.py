"""RFC 9457 problem details for every IOC HTTP API: every refusal says what is wrong and, where
it can, which field. Plain values, no web framework: infra/http.py answers them."""

from dataclasses import dataclass, field
from typing import Any

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class FieldError:
    field: str  # dotted path inside the event, "data.status"; "" for the event as a whole
    detail: str

    def as_json(self) -> dict[str, str]:
        pointer = "/" + self.field.replace(".", "/") if self.field else ""
        return {"field": self.field, "pointer": pointer, "detail": self.detail}


@dataclass(frozen=True)
class Problem:
    slug: str  # the problem type, documented at /problems/<slug> in the integrator guide
    title: str
    status: int
    detail: str
    errors: tuple[FieldError, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = [e.as_json() for e in self.errors]
        return body


class ProblemError(Exception):
    """Raised anywhere in a request to answer with this problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


def unauthorized(detail: str, realm: str = "ioc-ingest") -> ProblemError:
    return ProblemError(
        Problem(
            "unauthorized",
            "Authentication required",
            401,
            detail,
            headers={"WWW-Authenticate": f'Bearer realm="{realm}", ApiKey realm="{realm}"'},
        )
    )


def unavailable(detail: str, retry_after_seconds: int) -> ProblemError:
    return ProblemError(
        Problem(
            "unavailable",
            "Service temporarily unavailable",
            503,
            detail,
            headers={"Retry-After": str(retry_after_seconds)},
        )
    )
