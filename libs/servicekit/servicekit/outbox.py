"""The outbox relay: publishes committed events, then marks them sent (rule X2).

Rows are leased (``claimed_by``/``claimed_until``) before publishing so that
several instances of a service never publish the same batch at once; a relay
that dies mid-batch leaves a lease that expires and another instance (or its
own restart) publishes the rows again. Delivery is therefore at-least-once and
consumers dedupe on ``event_id`` (the inbox).

An event with subscribers is published ``mandatory``: if no queue is bound (the
topology is missing), the broker returns it, it stays unsent and is reported, and
the relay tries it again after UNROUTABLE_BACKOFF instead of marking it sent.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from kombu import Exchange
from nameko.amqp.publish import Publisher, UndeliverableMessage
from sqlalchemy import delete, or_, select, update

from servicekit.contracts.subscriptions import subscribers
from servicekit.db import Database
from servicekit.domain import utcnow
from servicekit.tables import inbox, outbox

log = logging.getLogger(__name__)

UNROUTABLE_BACKOFF = timedelta(seconds=30)


def event_exchange(service: str) -> Exchange:
    """The exchange nameko's ``@event_handler(service, ...)`` binds to."""
    from nameko.standalone.events import get_event_exchange

    return get_event_exchange(service, {})


class OutboxRelay:
    def __init__(
        self,
        database: Database,
        service: str,
        amqp_uri: str,
        batch_size: int = 100,
        lease_seconds: float = 30.0,
    ) -> None:
        self.database = database
        self.service = service
        self.batch_size = batch_size
        self.lease = timedelta(seconds=lease_seconds)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.exchange = event_exchange(service)
        self.publisher = Publisher(amqp_uri, use_confirms=True, serializer="json")

    def _claim(self) -> list[dict]:
        now = utcnow()
        with self.database.engine.begin() as conn:
            query = (
                select(outbox.c.id)
                .where(
                    outbox.c.sent_at.is_(None),
                    or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
                )
                .order_by(outbox.c.id)
                .limit(self.batch_size)
            )
            if self.database.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = conn.execute(query).scalars().all()
            if not ids:
                return []
            conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids))
                .values(
                    claimed_by=self.holder,
                    claimed_until=now + self.lease,
                    attempts=outbox.c.attempts + 1,
                )
            )
            rows = conn.execute(
                select(outbox).where(outbox.c.id.in_(ids)).order_by(outbox.c.id)
            ).mappings()
            return [dict(r) for r in rows]

    def _update_claimed(self, ids: list[int], **values: object) -> None:
        """Set ``values`` on the rows of ``ids`` this relay still holds."""
        if not ids:
            return
        with self.database.engine.begin() as conn:
            conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids), outbox.c.claimed_by == self.holder)
                .values(**values)
            )

    def _mark_sent(self, ids: list[int]) -> None:
        self._update_claimed(ids, sent_at=utcnow(), claimed_until=None)

    def _release(self, ids: list[int]) -> None:
        self._update_claimed(ids, claimed_until=None, claimed_by=None)

    def _hold_back(self, ids: list[int]) -> None:
        """Unroutable rows keep their lease a while, so they are not retried at once."""
        self._update_claimed(ids, claimed_until=utcnow() + UNROUTABLE_BACKOFF)

    def publish_one(self, row: dict) -> None:
        headers = {f"nameko.{k}": v for k, v in (row["headers"] or {}).items() if v is not None}
        self.publisher.publish(
            row["payload"],
            exchange=self.exchange,
            routing_key=row["event_type"],
            extra_headers=headers,
            declare=[self.exchange],
            message_id=row["event_id"],
            mandatory=bool(subscribers(self.service, row["event_type"])),
        )

    def relay_once(self) -> int:
        """Publish one batch; returns how many events went out."""
        rows = self._claim()
        sent: list[int] = []
        unroutable: list[int] = []
        try:
            for row in rows:
                try:
                    self.publish_one(row)
                except UndeliverableMessage:
                    unroutable.append(row["id"])
                    log.warning(
                        "event unroutable: no queue bound; kept unsent",
                        extra={
                            "event_type": f"{self.service}.{row['event_type']}",
                            "event_id": row["event_id"],
                        },
                    )
                    continue
                sent.append(row["id"])
        finally:
            self._mark_sent(sent)
            self._hold_back(unroutable)
            done = set(sent) | set(unroutable)
            self._release([r["id"] for r in rows if r["id"] not in done])
        if sent:
            log.debug("relayed %d events", len(sent))
        return len(sent)

    def relay_all(self) -> int:
        total = 0
        while True:
            n = self.relay_once()
            total += n
            if n < self.batch_size:
                return total

    def prune(
        self, older_than: timedelta = timedelta(days=7), inbox_older_than: timedelta | None = None
    ) -> int:
        """Delete sent outbox rows older than ``older_than`` and, with
        ``inbox_older_than``, inbox rows of events handled before that; both tables
        would otherwise only grow. Inbox rows are kept far longer than any redelivery
        can take, so deduplication is not weakened."""
        now = utcnow()
        with self.database.engine.begin() as conn:
            deleted = conn.execute(
                delete(outbox).where(
                    outbox.c.sent_at.is_not(None), outbox.c.sent_at < now - older_than
                )
            ).rowcount
            if inbox_older_than is not None:
                deleted += conn.execute(
                    delete(inbox).where(inbox.c.processed_at < now - inbox_older_than)
                ).rowcount
            return deleted
