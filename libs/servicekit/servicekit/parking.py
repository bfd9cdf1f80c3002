"""Parked messages: stored with their reason in the service's own database, where an
operator lists, shows, replays or drops them (``python -m servicekit.parked``)."""

from __future__ import annotations

import logging
from typing import Any

from kombu import Exchange
from sqlalchemy import delete, insert, select

from servicekit.db import Database
from servicekit.domain import utcnow
from servicekit.messages import json_safe, republish
from servicekit.tables import parked_messages

log = logging.getLogger(__name__)

MALFORMED = "malformed"  # could not be decoded or checked: parked at once
INVALID = "invalid"  # decoded, but refused by the consumer's schema: parked at once
RETRIES_EXHAUSTED = "retries_exhausted"  # failed until the retry budget was spent


def raw_body(message: Any) -> bytes:
    body = getattr(message, "body", b"")
    if isinstance(body, str):
        return body.encode()
    return bytes(body or b"")


def park(
    database: Database,
    message: Any,
    *,
    queue: str,
    handler: str,
    reason: str,
    error: str,
    exchange: str,
    routing_key: str,
    event_id: str | None = None,
    attempts: int = 0,
) -> int:
    """Store ``message`` as it arrived; returns the parked id. Raises if the database
    is away (the caller keeps the message on the broker then)."""
    headers = getattr(message, "headers", None)
    properties = getattr(message, "properties", None) or {}
    with database.engine.begin() as conn:
        parked_id = conn.execute(
            insert(parked_messages)
            .values(
                queue=queue,
                handler=handler,
                reason=reason,
                error=error[:4000],
                event_id=event_id[:64] if isinstance(event_id, str) else None,
                exchange=exchange,
                routing_key=routing_key,
                headers=json_safe(headers if isinstance(headers, dict) else {}),
                content_type=getattr(message, "content_type", None)
                or properties.get("content_type"),
                content_encoding=getattr(message, "content_encoding", None)
                or properties.get("content_encoding"),
                body=raw_body(message),
                attempts=attempts,
                parked_at=utcnow(),
            )
            .returning(parked_messages.c.id)
        ).scalar_one()
    level = logging.WARNING if reason == RETRIES_EXHAUSTED else logging.INFO
    log.log(
        level,
        "message parked",
        extra={"parked_id": parked_id, "queue": queue, "reason": reason, "error": error[:300]},
    )
    return parked_id


def list_parked(database: Database, queue: str | None = None) -> list[dict]:
    query = select(
        parked_messages.c.id,
        parked_messages.c.queue,
        parked_messages.c.handler,
        parked_messages.c.reason,
        parked_messages.c.error,
        parked_messages.c.event_id,
        parked_messages.c.attempts,
        parked_messages.c.parked_at,
    ).order_by(parked_messages.c.id)
    if queue:
        query = query.where(parked_messages.c.queue == queue)
    with database.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def get_parked(database: Database, parked_id: int) -> dict | None:
    with database.engine.connect() as conn:
        row = (
            conn.execute(select(parked_messages).where(parked_messages.c.id == parked_id))
            .mappings()
            .first()
        )
    return dict(row) if row else None


def replay(database: Database, amqp_uri: str, parked_id: int) -> bool:
    """Publish the parked message again where it came from, then forget it. A crash
    in between replays it twice at worst, which the consumer's inbox absorbs."""
    row = get_parked(database, parked_id)
    if row is None:
        return False
    # A replay starts afresh: no retry count, no broker dead-letter history (x-*).
    headers = {k: v for k, v in (row["headers"] or {}).items() if not k.startswith("x-")}
    republish(
        amqp_uri,
        row["body"],
        exchange=Exchange(row["exchange"]) if row["exchange"] else Exchange(""),
        routing_key=row["routing_key"],
        headers=headers,
        content_type=row["content_type"],
        content_encoding=row["content_encoding"],
    )
    drop(database, parked_id)
    log.info("parked message replayed", extra={"parked_id": parked_id, "queue": row["queue"]})
    return True


def drop(database: Database, parked_id: int) -> bool:
    with database.engine.begin() as conn:
        return bool(
            conn.execute(delete(parked_messages).where(parked_messages.c.id == parked_id)).rowcount
        )


def parked_ids(database: Database) -> list[int]:
    with database.engine.connect() as conn:
        return list(
            conn.execute(select(parked_messages.c.id).order_by(parked_messages.c.id)).scalars()
        )
