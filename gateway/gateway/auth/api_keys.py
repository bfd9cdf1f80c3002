"""API keys for machines (warehouse scanners): long random bearer tokens, stored
only as their SHA-256 (a fast hash is enough for 256 random bits)."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "ak_"


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def looks_like_key(token: str) -> bool:
    return token.startswith(PREFIX)


def actor_name(name: str) -> str:
    """How an API key appears as "who" in history (usernames may not contain ':')."""
    return f"api_key:{name}"
