"""The HTTP APIs' OpenAPI documents: committed as the code describes them, every refusal a
problem+json document, every operation but the public ones behind a security scheme."""

from typing import Any

import pytest

from infra.openapi import METHODS
from services.alerts import openapi as alerts
from tools.openapi import DOCUMENTS, drifted


def test_the_committed_documents_are_what_the_code_describes() -> None:
    assert drifted() == [], "run `python -m tools.openapi` and commit"


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


@pytest.mark.parametrize("api", DOCUMENTS)
def test_every_refusal_is_described_as_problem_json(api: str) -> None:
    described = DOCUMENTS[api]()
    assert "HTTPValidationError" not in described["components"]["schemas"]
    for method, path, operation in operations(described):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (
                    method,
                    path,
                    status,
                )


def test_every_operator_route_but_sign_in_and_health_needs_credentials() -> None:
    described = alerts.document()
    schemes = set(described["components"]["securitySchemes"])
    for method, path, operation in operations(described):
        if path in alerts.PUBLIC:
            assert "security" not in operation, path
            continue
        assert {name for s in operation["security"] for name in s} == schemes, (method, path)
        assert "401" in operation["responses"]
