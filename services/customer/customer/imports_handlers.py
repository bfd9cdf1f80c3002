"""The bulk import's use case (issue 11.8): one batch of rows in one unit of work."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from customer.domain import Customer, CustomerSettings
from customer.domain.imports import IMPORT_STATUS, Duplicate, mark_imported, sort_out
from customer.imports_commands import ImportCustomers
from servicekit.db import UnitOfWork
from servicekit.domain import Actor
from servicekit.errors import DomainError


@dataclass
class ImportReport:
    """What a batch did (or, in a dry run, would do)."""

    cards: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)


def _problems(row: int, error: DomainError) -> list[dict[str, Any]]:
    details = error.details if isinstance(error.details, dict) else {}
    fields = [name for name, value in details.items() if value] or ["_schema"]
    return [
        {"row": row, "field": name, "code": error.code, "message": error.message} for name in fields
    ]


def import_customers(
    uow: UnitOfWork,
    command: ImportCustomers,
    actor: Actor,
    settings: CustomerSettings,
    report: ImportReport | None = None,
) -> ImportReport:
    """Create the batch's cards as ``pending_approval`` (rule C3), each with an
    ``imported`` history entry, in one transaction; a row whose tax number (or, without
    one, name) is on a card already or earlier in the batch is reported, not created;
    a row the domain refuses (rule C4: a discount below the floor) is a problem. A dry
    run answers the same and commits nothing."""
    report = report or ImportReport()
    with uow:
        rows = command.rows
        tax_nos = [r.card.tax_no for r in rows if r.card.tax_no]
        names = [r.card.name for r in rows if not r.card.tax_no]
        existing_tax = uow.card_matches.by_tax_no(tax_nos) if tax_nos else {}
        existing_names = uow.card_matches.by_name(names) if names else {}
        sorted_out = sort_out(rows, existing_tax, existing_names)
        report.duplicates += sorted_out.duplicates
        for row in sorted_out.to_create:
            card = replace(row.card, status=IMPORT_STATUS)
            try:
                customer = Customer(**asdict(card), created_by=actor.username, settings=settings)
            except DomainError as exc:
                report.problems += _problems(row.row, exc)
                continue
            mark_imported(customer, actor.username, row.row)
            if command.dry_run:
                report.cards.append({"row": row.row, "name": customer.name, "customer_id": None})
            else:
                uow.customers.add(customer)
                report.cards.append(
                    {"row": row.row, "name": customer.name, "customer_id": customer.id}
                )
        if not command.dry_run:
            uow.commit()
    return report
