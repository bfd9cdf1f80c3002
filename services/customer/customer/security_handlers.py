"""Use cases of the card's information security (rule C11)."""

from __future__ import annotations

from collections.abc import Sequence

from customer.domain.security import CardRead


def record_reads(uow, reads: Sequence[CardRead]) -> None:
    """rule C11: every read of a card is audited; one short write transaction (a list
    of cards is one statement), after the read itself."""
    if not reads:
        return
    with uow:
        uow.card_reads.add_all(reads)
        uow.commit()
