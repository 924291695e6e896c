"""Generate the committed contract documents from the models.

python -m tools.contracts           write schemas/*.json and asyncapi.yaml
python -m tools.contracts --check   exit 1 if the committed files differ (CI drift check)
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from contracts.envelope import CloudEvent
from contracts.registry import EVENT_MODELS, type_name
from tools.asyncapi import asyncapi_document

HERE = Path(__file__).resolve().parents[1] / "contracts"  # what it writes


def event_schema(model: type[CloudEvent]) -> dict[str, Any]:
    """JSON Schema (2020-12) of one event type in structured mode, as agencies POST it."""
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:ioc:contracts:{type_name(model)}",
        **schema,
    }


def rendered_files() -> dict[Path, str]:
    files = {
        HERE / "schemas" / f"{type_name(m)}.json": json.dumps(
            event_schema(m), indent=2, ensure_ascii=False
        )
        + "\n"
        for m in EVENT_MODELS
    }
    files[HERE / "asyncapi.yaml"] = yaml.safe_dump(
        asyncapi_document(), sort_keys=False, allow_unicode=True, width=100
    )
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if committed files drift")
    args = parser.parse_args(argv)
    files = rendered_files()
    stale = [p for p, text in files.items() if not p.exists() or p.read_text("utf-8") != text]
    known = set(files)
    orphans = [p for p in (HERE / "schemas").glob("*.json") if p not in known]
    if args.check:
        for path in stale + orphans:
            sys.stderr.write(
                f"contracts drift: {path.relative_to(HERE.parent)} "
                "(run `python -m tools.contracts`)\n"
            )
        return 1 if stale or orphans else 0
    for path in orphans:
        path.unlink()
    for path in stale:
        path.write_text(files[path], "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
