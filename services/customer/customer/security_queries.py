"""Reads for the card's information security (rule C11): finding cards by the keyed
hash of a phone, licence or tax number, and a card's audit trail (its changes, their
personal values decrypted, and its reads)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, or_, select

from customer import queries
from customer.domain import Customer
from customer.domain.security import LOOKUP_KINDS
from customer.security_keys import digest, open_changes
from customer.security_models import customer_lookups

# rule C11: list filters answered through customer_lookups (GET /customers?phone=&tax_no=).
LOOKUP_FILTERS = ("phone", "tax_no")


def found_by(kind: str, value: str | None):
    """A where-clause: the cards whose ``kind`` (phone, tax_no, license_no) is ``value``
    once normalised; nothing matches a value with nothing left to look up."""
    if kind not in LOOKUP_KINDS:
        raise ValueError(kind)
    hashed = digest(kind, value)
    if hashed is None:
        return false()
    return Customer.id.in_(
        select(customer_lookups.c.customer_id).where(
            customer_lookups.c.kind == kind, customer_lookups.c.digest == hashed
        )
    )


def matching(q: str):
    """``q``: a part of the name, or a whole licence or tax number (rule C11: the
    numbers are encrypted, so they are found whole, by their hash)."""
    return or_(Customer.name.ilike(f"%{q}%"), found_by("tax_no", q), found_by("license_no", q))


def narrowed(query: Select, filters: dict) -> Select:
    """``query`` narrowed by the lookup filters given (phone, tax_no)."""
    for kind in LOOKUP_FILTERS:
        if filters.get(kind):
            query = query.where(found_by(kind, filters[kind]))
    return query


def audit_trail(uow, customer_id: str) -> list[dict[str, Any]]:
    """rule C11: every change of the card and of its change requests (personal values in
    clear) and every read of it, oldest first."""
    entries = [
        {**entry, "changes": open_changes(entry["changes"])}
        for entry in queries.audit(uow, customer_id)
    ]
    with uow:
        entries += [read.entry() for read in uow.card_reads.of(customer_id)]
    return sorted(entries, key=lambda e: e["at"])
