"""Bulk import of existing customers (issue 11.8; rule C1, rule C3): which rows of a batch
become cards and which are duplicates. Standard library only.

A row with a tax number is a duplicate when a card already has that number (however it is
typed: rule C11's normalisation) or an earlier row of the batch has it; a row without one
is matched by its exact name (a company's registered name), so importing a file twice
creates nothing twice. Every imported card starts as ``pending_approval`` (rule C3) and
keeps an ``imported`` entry in its history beside ``created``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from customer.domain.card import Customer
from customer.domain.security import normal_number

IMPORTED = "imported"
IMPORT_STATUS = "pending_approval"  # rule C3: imported cards wait for approval


def normal_name(value: str | None) -> str | None:
    """A name as rows without a tax number are compared: full-width folded, trimmed,
    inner runs of spaces as one."""
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFKC", value).split())
    return text or None


@dataclass(frozen=True)
class Duplicate:
    row: int
    by: str  # "tax_no" or "name"
    tax_no: str | None
    name: str | None
    existing_customer_id: str | None = None
    first_row: int | None = None


@dataclass(frozen=True)
class Sorted:
    """A batch sorted out: the rows to create (in order) and the duplicates."""

    to_create: tuple[Any, ...]
    duplicates: tuple[Duplicate, ...]


def sort_out(
    rows: Sequence[Any],
    existing_tax_nos: Mapping[str, str],
    existing_names: Mapping[str, str],
) -> Sorted:
    """``rows`` (each with ``row`` and ``card.tax_no``/``card.name``) against the cards
    that exist (normalised tax number -> id; normalised name -> id, for the rows without
    a tax number) and against each other: the first row of a tax number (or name) is
    created, every later one is a duplicate."""
    to_create, duplicates = [], []
    first_tax: dict[str, int] = {}
    first_name: dict[str, int] = {}
    for row in rows:
        tax_no = normal_number(row.card.tax_no)
        if tax_no:
            by, key, existing, first = "tax_no", tax_no, existing_tax_nos, first_tax
        else:
            by, key, existing, first = (
                "name",
                normal_name(row.card.name),
                existing_names,
                first_name,
            )
        if key in existing:
            duplicates.append(Duplicate(row.row, by, row.card.tax_no, row.card.name, existing[key]))
        elif key in first:
            duplicates.append(
                Duplicate(row.row, by, row.card.tax_no, row.card.name, first_row=first[key])
            )
        else:
            first[key] = row.row
            to_create.append(row)
    return Sorted(tuple(to_create), tuple(duplicates))


def mark_imported(customer: Customer, by: str, row: int, now: datetime | None = None) -> None:
    """The card's history says it came from an import, and from which row."""
    customer._note(by, IMPORTED, {"row": row, "status": customer.status}, at=now)
