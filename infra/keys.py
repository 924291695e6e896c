"""API keys for agencies and operators: issued once, stored only as their SHA-256."""

import hashlib
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml


def new_api_key() -> str:
    return "ioc_" + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    # Keys are long random tokens, so a fast hash is safe and keeps every request cheap.
    return hashlib.sha256(key.encode()).hexdigest()


def demo_keys(
    directory: Path, section: str, keys_file: str, holders: Mapping[str, Mapping[str, Any]]
) -> tuple[Path, Path]:
    """One new API key for each holder, for a local stack: `<section>.yaml` holds their hashes
    under `section` (for the service), `keys_file` the keys (for the clients; owner-readable
    only). Existing files are kept, so keys stay stable across runs."""
    registry, keys = directory / f"{section}.yaml", directory / keys_file
    if registry.exists() and keys.exists():
        return registry, keys
    directory.mkdir(parents=True, exist_ok=True)
    issued = {code: new_api_key() for code in holders}
    document = {
        section: {
            code: {**holders[code], "api_keys_sha256": [hash_api_key(key)]}
            for code, key in issued.items()
        }
    }
    registry.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=True), "utf-8")
    descriptor = os.open(keys, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        json.dump(issued, out, indent=1, sort_keys=True)
    return registry, keys
