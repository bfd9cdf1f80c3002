"""Tables of the card's information security (rule C11), on the customer service's
metadata; ``map_security`` (called from ``customer.models.start_mappers``) keeps the
lookup hashes in step with the cards.

- ``customer_lookups``: one row per (kind, keyed hash) a card is found by (every
  contact's phone, its licence and tax numbers), so a search by phone or tax number
  compares hashes and decrypts nothing. Written after every flush that adds a card or
  changes one of its personal fields.
- ``customer_reads``: who read which card, when, through which view, masked or not
  (rule C11: every read audited; the changes are in the kit's history). Kept
  ``CUSTOMER_READ_AUDIT_DAYS`` days, then pruned (``security_handlers.prune_reads``).

The personal columns themselves are on ``customers`` (``customer.models``), encrypted
by ``customer.security_keys``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    String,
    Table,
    delete,
    event,
    insert,
    inspect,
)
from sqlalchemy.orm import Session

from customer.domain import Customer
from customer.domain.security import PERSONAL_FIELDS
from customer.models import metadata
from customer.security_keys import digests
from servicekit.tables import BigId
from servicekit.types import UTCDateTime

customer_lookups = Table(
    "customer_lookups",
    metadata,
    Column("kind", String(20), primary_key=True),  # phone, tax_no, license_no
    Column("digest", String(64), primary_key=True),  # HMAC-SHA256, hex
    Column("customer_id", String(32), primary_key=True),
)
Index("ix_customer_lookups_customer", customer_lookups.c.customer_id)

customer_reads = Table(
    "customer_reads",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("customer_id", String(32), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(150), nullable=False),
    Column("roles", String(300), nullable=False),  # comma-separated
    Column("view", String(20), nullable=False),  # card, list, audit
    Column("masked", Boolean, nullable=False),
    Column("request_id", String(64)),
)
Index("ix_customer_reads_customer", customer_reads.c.customer_id, customer_reads.c.id)
# rule C11: the retention prune finds the reads past CUSTOMER_READ_AUDIT_DAYS by time
Index("ix_customer_reads_at", customer_reads.c.at)


def lookup_rows(customer: Customer) -> list[dict]:
    return [
        {"kind": kind, "digest": digest, "customer_id": customer.id}
        for kind, digest in sorted(digests(customer.contacts, customer.license_no, customer.tax_no))
    ]


def _personal_fields_changed(customer: Customer) -> bool:
    attrs = inspect(customer).attrs
    return any(attrs[field].history.has_changes() for field in PERSONAL_FIELDS)


def _refresh_lookups(session: Session, _flush_context) -> None:
    """After a flush (its lists and attribute histories still as before it): the lookup
    rows of every card added, changed in a personal field, or deleted."""
    changed = [
        obj
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, Customer) and (obj in session.new or _personal_fields_changed(obj))
    ]
    gone = [obj for obj in session.deleted if isinstance(obj, Customer)]
    if not changed and not gone:
        return
    connection = session.connection()
    for customer in (*changed, *gone):
        connection.execute(
            delete(customer_lookups).where(customer_lookups.c.customer_id == customer.id)
        )
    rows = [row for customer in changed for row in lookup_rows(customer)]
    if rows:
        connection.execute(insert(customer_lookups), rows)


def map_security() -> None:
    if not event.contains(Session, "after_flush", _refresh_lookups):
        event.listen(Session, "after_flush", _refresh_lookups)
