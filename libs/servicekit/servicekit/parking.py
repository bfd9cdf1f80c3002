"""Parked messages: stored with their reason in the service's own database, where an
operator lists, shows, replays or drops them (``python -m servicekit.parked``).

rule C11: a service whose messages may carry personal data names its data keys
(``parked_keys`` on its class, a ``servicekit.crypto.KeySource``; the customer service
does). Its parked messages are then stored sealed: the body, the headers and the error
each a Fernet token of the newest key (``MultiFernet``), so the table holds none of it
in clear; the queue, handler, routing and event id stay readable for ``list``. A sealed
row's ``headers`` is a JSON string (the token), a clear row's a JSON object: that is
how the two are told apart. ``show`` and ``replay`` open it with the same keys (replay
sends the original bytes); ``reseal`` re-encrypts every sealed row with the newest key
(the key rotation does it), ``sealed_tokens`` lists them (its ``status``). A service
without keys parks in clear, as before.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from kombu import Exchange
from sqlalchemy import delete, insert, select, update

from servicekit.crypto import InvalidToken, KeyRing
from servicekit.db import Database
from servicekit.domain import utcnow
from servicekit.messages import json_safe, republish
from servicekit.tables import parked_messages

log = logging.getLogger(__name__)

MALFORMED = "malformed"  # could not be decoded or checked: parked at once
INVALID = "invalid"  # decoded, but refused by the consumer's schema: parked at once
RETRIES_EXHAUSTED = "retries_exhausted"  # failed until the retry budget was spent

# What ``list`` shows for a sealed row's error when the keys are not at hand.
SEALED_ERROR = "(sealed: needs the service's data keys)"


class SealedMessage(RuntimeError):
    """A sealed parked message and no key that opens it; the message says what to do."""


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
    keys: KeyRing | None = None,
) -> int:
    """Store ``message`` as it arrived (sealed with ``keys`` when given); returns the
    parked id. Raises if the database is away or the keys do not load (the caller keeps
    the message on the broker then)."""
    headers = getattr(message, "headers", None)
    headers = json_safe(headers if isinstance(headers, dict) else {})
    properties = getattr(message, "properties", None) or {}
    body, error = raw_body(message), error[:4000]
    if keys is not None:  # rule C11: nothing of the message in clear
        body, headers, error = _seal(keys, body, headers, error)
    with database.engine.begin() as conn:
        parked_id = conn.execute(
            insert(parked_messages)
            .values(
                queue=queue,
                handler=handler,
                reason=reason,
                error=error,
                event_id=event_id[:64] if isinstance(event_id, str) else None,
                exchange=exchange,
                routing_key=routing_key,
                headers=headers,
                content_type=getattr(message, "content_type", None)
                or properties.get("content_type"),
                content_encoding=getattr(message, "content_encoding", None)
                or properties.get("content_encoding"),
                body=body,
                attempts=attempts,
                parked_at=utcnow(),
            )
            .returning(parked_messages.c.id)
        ).scalar_one()
    level = logging.WARNING if reason == RETRIES_EXHAUSTED else logging.INFO
    log.log(
        level,
        "message parked",
        extra={
            "parked_id": parked_id,
            "queue": queue,
            "reason": reason,
            "error": "(sealed)" if keys is not None else error[:300],
        },
    )
    return parked_id


def _seal(keys: KeyRing, body: bytes, headers: dict, error: str) -> tuple[bytes, str, str]:
    text = json.dumps(headers, ensure_ascii=False, separators=(",", ":"))
    return keys.encrypt_bytes(body), keys.encrypt(text), keys.encrypt(error)


def is_sealed(row: Any) -> bool:
    """Whether a parked row (mapping or row) was stored sealed: its headers are a token."""
    headers = row["headers"] if isinstance(row, dict) else row.headers
    return isinstance(headers, str)


def open_row(row: dict, keys: KeyRing | None) -> dict:
    """A parked row as it arrived: a sealed one opened with ``keys`` (``sealed`` says
    which it was); ``SealedMessage`` when it cannot be opened."""
    row = dict(row)
    row["sealed"] = is_sealed(row)
    if not row["sealed"]:
        return row
    if keys is None:
        raise SealedMessage(
            f"parked message {row['id']} is sealed (rule C11) and the service's data keys "
            "are not at hand: run it with the service's <SERVICE>_DATA_KEYS or key files"
        )
    try:
        row["body"] = keys.decrypt_bytes(row["body"])
        row["headers"] = json.loads(keys.decrypt(row["headers"]))
        row["error"] = keys.decrypt(row["error"])
    except InvalidToken:
        raise SealedMessage(
            f"parked message {row['id']} opens with none of the service's data keys "
            "(a key was dropped, or these are another service's keys)"
        ) from None
    return row


def list_parked(
    database: Database, queue: str | None = None, keys: KeyRing | None = None
) -> list[dict]:
    """Every parked message without its body; a sealed one's error opened with ``keys``
    (else ``SEALED_ERROR``)."""
    query = select(
        parked_messages.c.id,
        parked_messages.c.queue,
        parked_messages.c.handler,
        parked_messages.c.reason,
        parked_messages.c.error,
        parked_messages.c.event_id,
        parked_messages.c.attempts,
        parked_messages.c.parked_at,
        parked_messages.c.headers,
    ).order_by(parked_messages.c.id)
    if queue:
        query = query.where(parked_messages.c.queue == queue)
    with database.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        headers = row.pop("headers")
        row["sealed"] = isinstance(headers, str)
        if row["sealed"]:
            try:
                row["error"] = keys.decrypt(row["error"]) if keys else SEALED_ERROR
            except InvalidToken:
                row["error"] = SEALED_ERROR
    return rows


def get_parked(database: Database, parked_id: int, keys: KeyRing | None = None) -> dict | None:
    """One parked message as it arrived (a sealed one opened with ``keys``)."""
    with database.engine.connect() as conn:
        row = (
            conn.execute(select(parked_messages).where(parked_messages.c.id == parked_id))
            .mappings()
            .first()
        )
    return open_row(dict(row), keys) if row else None


def replay(database: Database, amqp_uri: str, parked_id: int, keys: KeyRing | None = None) -> bool:
    """Publish the parked message again where it came from (a sealed one opened with
    ``keys``: the original bytes), then forget it. A crash in between replays it twice
    at worst, which the consumer's inbox absorbs."""
    row = get_parked(database, parked_id, keys)
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


# --- key rotation (rule C11) --------------------------------------------------------------
def _sealed_rows(conn, batch: int = 200, clear: bool = False) -> Iterator[list]:
    columns = (
        parked_messages.c.id,
        parked_messages.c.headers,
        parked_messages.c.body,
        parked_messages.c.error,
    )
    last = 0
    while True:
        rows = conn.execute(
            select(*columns)
            .where(parked_messages.c.id > last)
            .order_by(parked_messages.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield [r for r in rows if clear or is_sealed(r)]
        last = rows[-1].id


def sealed_tokens(conn) -> Iterator[list[str]]:
    """The tokens of each sealed parked message (body, headers, error), for a key
    rotation's status: which ones the newest key alone does not open."""
    for rows in _sealed_rows(conn):
        for row in rows:
            yield [bytes(row.body).decode("ascii"), row.headers, row.error]


def reseal(engine, keys: KeyRing) -> int:
    """Every sealed parked message re-encrypted with the newest key of ``keys``, and any
    kept in clear (parked before its service sealed them) sealed, in one transaction
    (the table is small); how many. ``InvalidToken`` when one opens with no key (nothing
    is changed then)."""
    count = 0
    with engine.begin() as conn:
        batches = list(_sealed_rows(conn, clear=True))
        for rows in batches:
            for row in rows:
                if is_sealed(row):
                    body = keys.rotate(bytes(row.body).decode("ascii")).encode("ascii")
                    headers, error = keys.rotate(row.headers), keys.rotate(row.error)
                else:
                    body, headers, error = _seal(keys, bytes(row.body), row.headers, row.error)
                conn.execute(
                    update(parked_messages)
                    .where(parked_messages.c.id == row.id)
                    .values(body=body, headers=headers, error=error)
                )
                count += 1
    return count
