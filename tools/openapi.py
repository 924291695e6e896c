"""`python -m tools.openapi [--check]`: write the OpenAPI document of every IOC API beside its
service (services/<service>/openapi.json), or fail if a committed one differs from what the
code describes."""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra.openapi import rendered
from services.alerts.openapi import document as alerts
from services.indicators.api import document as indicators
from services.ingest.openapi import document as ingest

SERVICES = Path(__file__).resolve().parents[1] / "services"
DOCUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "ingest": ingest,
    "indicators": indicators,
    "alerts": alerts,
}


def committed(service: str) -> Path:
    return SERVICES / service / "openapi.json"


def drifted() -> list[str]:
    return [
        service
        for service, document in DOCUMENTS.items()
        if not committed(service).exists()
        or committed(service).read_text("utf-8") != rendered(document())
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if a committed one drifts")
    if parser.parse_args(argv).check:
        for service in drifted():
            sys.stderr.write(f"{committed(service)} drifts: run `python -m tools.openapi`\n")
        return 1 if drifted() else 0
    for service, document in DOCUMENTS.items():
        committed(service).write_text(rendered(document()), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
