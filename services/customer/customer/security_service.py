"""What the customer service's entrypoints share for the card's information security
(rule C11): the card as the reader may see it (personal data masked for the roles
CONTRACT does not let read it, and for API keys), every read recorded, the audit trail.

``CustomerService`` takes this mixin; its reads (``get_customer``, ``list_customers``,
``get_audit``) take the reading ``actor`` last, as commands do. A timer prunes the
reads older than ``CUSTOMER_READ_AUDIT_DAYS`` (one instance at a time: a lease).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from nameko.extensions import DependencyProvider
from nameko.timer import timer

from customer import security_handlers, security_queries
from customer.domain.security import card_for, masked_changes, reads_of, sees_personal_data
from customer.repository import REPOSITORIES
from customer.security_keys import KEYS, SealedResults
from servicekit.contracts import customer as contract
from servicekit.db import UnitOfWork
from servicekit.domain import Actor, utcnow
from servicekit.leases import try_acquire
from servicekit.validation import actor_of

log = logging.getLogger(__name__)

# rule C11: how often an instance looks for reads past their retention. The cut-off moves
# a whole business day at a time, so a day's reads go at the first look after it turns
# (a daily prune) and the other looks find nothing; hourly, so a restart never skips a day.
READ_AUDIT_TIMER_SECONDS = 3600
READ_AUDIT_LEASE = "customer.read_audit"
_holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

_card = contract.CustomerSchema()
_audit = contract.AuditEntrySchema(many=True)


def reader_of(actor: Any) -> Actor | None:
    """The reading actor, checked; None when a service asks without one."""
    return None if actor is None else actor_of(actor)


class CardKeys(DependencyProvider):
    """Loads the data and index keys when the service starts (rule C11), so missing or
    malformed keys stop it at once rather than at its first card; warns when keys
    generated into a local file serve a shared database, where every instance must have
    the same keys (``CUSTOMER_DATA_KEYS``, ``CUSTOMER_INDEX_KEY``)."""

    def setup(self) -> None:
        keys = KEYS.get()
        url = str(self.container.config.get("DATABASE_URL", ""))
        if keys.source != "environment" and not url.startswith("sqlite"):
            log.warning(
                "customer data keys come from %s; with a shared database (%s) every customer "
                "instance needs the same keys: set CUSTOMER_DATA_KEYS and CUSTOMER_INDEX_KEY",
                keys.source,
                url.split("://", 1)[0],
            )
        log.info("customer data keys %s (newest first)", ", ".join(keys.data.fingerprints()))

    def get_dependency(self, worker_ctx):
        return KEYS


class CardSecurity:
    """Mixin of ``CustomerService`` (uses its ``uow`` and ``settings``)."""

    # rule C11: the answers kept for repeated commands (cards) are stored encrypted
    command_results = SealedResults()
    # rule C11: a refused message (a command's card, an event) is parked sealed with the
    # same keys (servicekit.parking; make parked opens it, make rotate-keys re-seals it)
    parked_keys = KEYS
    # rule C11: the keys, loaded (and checked) at start
    card_keys = CardKeys()

    def _shown(self, customer: Any, actor: Actor | None) -> dict:
        """rule C11: a card, dumped, as ``actor`` may read it."""
        return card_for(_card.dump(customer), actor)

    def _read(self, customers: Sequence[Any], actor: Actor | None, view: str) -> list[dict]:
        """rule C11: cards as ``actor`` may read them, the read recorded."""
        shown = [self._shown(c, actor) for c in customers]
        self._record(reads_of([c["id"] for c in shown], actor, view))
        return shown

    def _audit_of(self, customer_id: str, actor: Actor | None) -> list[dict]:
        """rule C11: the audit trail, personal values masked for whom they are."""
        entries = _audit.dump(security_queries.audit_trail(self.uow(), customer_id))
        if not sees_personal_data(actor):
            entries = [{**e, "changes": masked_changes(e["changes"])} for e in entries]
        self._record(reads_of([customer_id], actor, "audit"))
        return entries

    def _record(self, reads) -> None:
        # A query's unit of work reads only; the reads are written in one short
        # transaction of their own.
        reader = self.uow()
        writer = UnitOfWork(reader.database, context=reader.context, repositories=REPOSITORIES)
        security_handlers.record_reads(writer, reads)

    @timer(interval=READ_AUDIT_TIMER_SECONDS)
    def prune_card_reads(self) -> int:
        """rule C11: delete the reads of cards older than ``CUSTOMER_READ_AUDIT_DAYS`` (0
        keeps them all), in batches of ``PRUNE_BATCH_ROWS``; the changes (history) stay.
        One instance at a time holds the lease, renewed between batches (a prune that
        lost it stops)."""
        if self.settings.read_audit_days <= 0:
            return 0
        database = self.uow().database
        ttl = timedelta(seconds=READ_AUDIT_TIMER_SECONDS * 3)

        def still_ours() -> bool:
            return try_acquire(database, READ_AUDIT_LEASE, _holder, ttl)

        if not still_ours():
            return 0
        try:
            pruned = security_handlers.prune_reads(
                self.uow(), self.settings, utcnow(), still_ours=still_ours
            )
        except Exception:  # the next look tries again; the timer must keep running
            log.exception("pruning the reads of cards failed")
            return 0
        if pruned:
            log.info(
                "pruned %d reads of cards older than %d days (CUSTOMER_READ_AUDIT_DAYS)",
                pruned,
                self.settings.read_audit_days,
                extra={"rows": pruned},
            )
        return pruned
