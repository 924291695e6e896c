"""Issuing API keys: a new key is shown once and stored only as its SHA-256 in the registry."""

import json
import os
from pathlib import Path

import yaml

from catalog import load_province
from infra.keys import hash_api_key, new_api_key


def demo_credentials(province: str, directory: Path) -> tuple[Path, Path]:
    """One API key per agency of the province (departments and commune committees) for a local
    stack: `agencies.yaml` (hashes, for the ingest service) and `agency-keys.json` (the keys, for
    the simulator, readable by the owner only). Existing files are kept, so keys stay stable."""
    registry, keys = directory / "agencies.yaml", directory / "agency-keys.json"
    if registry.exists() and keys.exists():
        return registry, keys
    directory.mkdir(parents=True, exist_ok=True)
    issued = {code: new_api_key() for code in load_province(province).agencies}
    document = {
        "agencies": {code: {"api_keys_sha256": [hash_api_key(key)]} for code, key in issued.items()}
    }
    registry.write_text(yaml.safe_dump(document, sort_keys=True), "utf-8")
    descriptor = os.open(keys, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(issued, out, indent=1, sort_keys=True)
    return registry, keys
