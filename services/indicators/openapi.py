"""`python -m services.indicators.openapi [--check]`: the KPI read API's OpenAPI document."""

import sys
from pathlib import Path

from infra import openapi
from services.indicators.api import document as document  # the generator, here by name

COMMITTED = Path(__file__).with_name("openapi.json")


def main(argv: list[str] | None = None) -> int:
    return openapi.main("services.indicators.openapi", COMMITTED, document, argv)


if __name__ == "__main__":
    sys.exit(main())
