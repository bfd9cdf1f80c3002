"""Typed commands of the bulk import (issue 11.8): what ``import_customers`` hands its
handler once each row is checked with ``CreateCustomerSchema``."""

from __future__ import annotations

from dataclasses import dataclass

from customer.commands import CreateCustomer


@dataclass(frozen=True)
class ImportRow:
    row: int  # as the spreadsheet numbers it (the header is row 1)
    card: CreateCustomer


@dataclass(frozen=True)
class ImportCustomers:
    rows: tuple[ImportRow, ...]
    dry_run: bool
