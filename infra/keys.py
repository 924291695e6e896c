"""API keys for agencies and operators: issued once, stored only as their SHA-256."""

import hashlib
import secrets


def new_api_key() -> str:
    return "ioc_" + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    # Keys are long random tokens, so a fast hash is safe and keeps every request cheap.
    return hashlib.sha256(key.encode()).hexdigest()
