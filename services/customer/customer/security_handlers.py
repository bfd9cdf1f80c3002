"""Use cases of the card's information security (rule C11)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from customer.domain import CustomerSettings
from customer.domain.security import CardRead, read_audit_cutoff

# rule C11: reads pruned per transaction, so a large backlog never holds a long lock.
PRUNE_BATCH_ROWS = 5000


def record_reads(uow, reads: Sequence[CardRead]) -> None:
    """rule C11: every read of a card is audited; one short write transaction (a list
    of cards is one statement), after the read itself."""
    if not reads:
        return
    with uow:
        uow.card_reads.add_all(reads)
        uow.commit()


def prune_reads(
    uow,
    settings: CustomerSettings,
    now: datetime,
    batch_rows: int = PRUNE_BATCH_ROWS,
    still_ours: Callable[[], bool] | None = None,
) -> int:
    """rule C11: delete the reads of cards older than ``CUSTOMER_READ_AUDIT_DAYS`` (0:
    none), ``batch_rows`` per transaction until none is left, or until ``still_ours()``
    says the instance lost its lease between two batches. The changes (the history) are
    never pruned. Returns how many reads went."""
    cutoff = read_audit_cutoff(now, settings.read_audit_days, settings.business_utc_offset_hours)
    if cutoff is None:
        return 0
    pruned = 0
    while True:
        with uow:
            deleted = uow.card_reads.delete_before(cutoff, batch_rows)
            uow.commit()
        pruned += deleted
        if deleted < batch_rows or (still_ours is not None and not still_ours()):
            return pruned
