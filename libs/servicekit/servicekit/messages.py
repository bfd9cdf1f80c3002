"""What a consumer may rely on in a message from the broker: nothing.

Bodies and headers come from outside the process. These helpers read them without
ever raising, and publish a raw copy of a message elsewhere (a retry delay queue, a
replay) exactly as it arrived.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from kombu import Exchange, Queue
from nameko.amqp.publish import get_producer

log = logging.getLogger(__name__)

# Context headers (``nameko.<key>``) a worker may take from a message, and their types.
_CONTEXT_KEYS = {"request_id": str, "idempotency_key": str, "user_agent": str}
_MAX_HEADER_CHARS = 255
# Retry bookkeeping travels with the message, so every instance sees the same count.
ATTEMPTS_HEADER = "x-aftersales-attempts"
FIRST_FAILURE_HEADER = "x-aftersales-first-failure"


class MalformedMessage(Exception):
    """A message that no retry can make usable (not JSON, not an object, no event_id,
    wrong types). It is parked at once with this reason, never retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def safe_context_headers(message: Any) -> dict:
    """The worker context a message asks for, keeping only known keys of the right
    type: nameko would otherwise take any ``nameko.*`` header, and a
    ``call_id_stack`` that is not a list of strings breaks the worker outside its
    error handling."""
    try:
        headers = message.headers or {}
    except Exception:
        return {}
    if not isinstance(headers, dict):
        return {}
    data: dict[str, Any] = {}
    for key, kind in _CONTEXT_KEYS.items():
        value = headers.get(f"nameko.{key}")
        if isinstance(value, kind) and 0 < len(value) <= _MAX_HEADER_CHARS:
            data[key] = value
    stack = headers.get("nameko.call_id_stack")
    if isinstance(stack, list) and all(isinstance(i, str) for i in stack) and len(stack) < 100:
        data["call_id_stack"] = stack
    return data


def header_int(message: Any, name: str, default: int = 0) -> int:
    try:
        value = (message.headers or {}).get(name, default)
        return int(value) if isinstance(value, int | float | str) else default
    except (TypeError, ValueError, AttributeError):
        return default


def header_float(message: Any, name: str) -> float | None:
    try:
        value = (message.headers or {}).get(name)
        return float(value) if isinstance(value, int | float | str) else None
    except (TypeError, ValueError, AttributeError):
        return None


def json_safe(value: Any) -> Any:
    """Headers as JSON for the parked table (bytes and odd types become strings)."""
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return {}


def short_key(key: str, limit: int = 64) -> str:
    """An inbox key that fits its column: long keys are replaced by their digest."""
    return key if len(key) <= limit else hashlib.sha256(key.encode()).hexdigest()


def republish(
    amqp_uri: str,
    body: bytes,
    *,
    exchange: Exchange,
    routing_key: str,
    headers: dict,
    content_type: str | None,
    content_encoding: str | None,
    declare: list[Exchange | Queue] | None = None,
) -> None:
    """Publish a raw body as it arrived (no re-serialisation), with confirms."""
    with get_producer(amqp_uri, True, None, None, {"confirm_publish": True}) as producer:
        producer.publish(
            body,
            exchange=exchange,
            routing_key=routing_key,
            headers=headers,
            content_type=content_type or "application/octet-stream",
            content_encoding=content_encoding or "binary",
            delivery_mode=2,
            declare=declare or [],
            retry=True,
        )
