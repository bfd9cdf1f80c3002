"""Where the reads of cards are kept (rule C11): ``uow.card_reads``, a log beside the
kit's history (which holds the changes); reads past their retention are deleted in
batches (``delete_before``), the history never."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select

from customer.domain.security import CardRead
from customer.security_models import customer_reads
from servicekit.repository import Repository


class CardReadRepository(Repository[CardRead]):
    """``add_all(reads)`` in one statement; ``of(customer_id)`` oldest first;
    ``delete_before(cutoff, limit)`` at most ``limit`` reads older than ``cutoff``."""

    def __init__(self, uow) -> None:
        self._uow = uow

    def add_all(self, reads: Sequence[CardRead]) -> None:
        if not reads:
            return
        request_id = self._uow.context.get("request_id")
        self._uow.session.execute(
            insert(customer_reads),
            [
                {
                    "customer_id": r.customer_id,
                    "at": r.at,
                    "actor": r.actor,
                    "roles": ",".join(r.roles),
                    "view": r.view,
                    "masked": r.masked,
                    "request_id": request_id,
                }
                for r in reads
            ],
        )

    def add(self, aggregate: CardRead) -> None:
        self.add_all([aggregate])

    def of(self, customer_id: str) -> list[CardRead]:
        rows = self._uow.session.execute(
            select(customer_reads)
            .where(customer_reads.c.customer_id == customer_id)
            .order_by(customer_reads.c.id)
        ).mappings()
        return [
            CardRead(
                r["customer_id"],
                r["at"],
                r["actor"],
                tuple(role for role in r["roles"].split(",") if role),
                r["view"],
                r["masked"],
            )
            for r in rows
        ]

    def delete_before(self, cutoff: datetime, limit: int) -> int:
        """rule C11: delete at most ``limit`` reads made before ``cutoff`` (one statement,
        by the index on ``at``); returns how many went."""
        batch = select(customer_reads.c.id).where(customer_reads.c.at < cutoff).limit(limit)
        result = self._uow.session.execute(
            delete(customer_reads).where(customer_reads.c.id.in_(batch.scalar_subquery()))
        )
        return result.rowcount
