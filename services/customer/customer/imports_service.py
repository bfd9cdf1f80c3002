"""Nameko entrypoint of the bulk import (issue 11.8; rule C1, rule C3): a mixin of
``CustomerService`` (its ``uow`` and ``settings``). See
``servicekit.contracts.customer_imports`` for the RPC API and the HTTP route.

The gateway reads the file and sends the rows in batches; each batch is one command and
one transaction. Each row is checked again here with ``CreateCustomerSchema`` (a caller
other than the gateway gets the same problems); imported cards are ``pending_approval``
whatever a row says (rule C3).
"""

from __future__ import annotations

from dataclasses import asdict

from customer import imports_handlers
from customer.commands import CreateCustomer
from customer.imports_commands import ImportCustomers, ImportRow
from servicekit.contracts import customer_imports as contract
from servicekit.contracts.customer import CreateCustomerSchema
from servicekit.nameko_ext import command
from servicekit.validation import actor_of, load

_batch = contract.ImportBatchSchema()
_result = contract.ImportBatchResultSchema()
_create = CreateCustomerSchema()


def _rows(batch: dict, report: imports_handlers.ImportReport) -> tuple[ImportRow, ...]:
    rows = []
    for given in batch["rows"]:
        card = {k: v for k, v in given["card"].items() if k != "status"}
        problems = contract.check_row(given["row"], card)
        if problems:
            report.problems += problems
            continue
        rows.append(ImportRow(given["row"], CreateCustomer(**load(_create, card))))
    return tuple(rows)


class ImportEntrypoints:
    """Mixed into ``CustomerService``."""

    @command
    def import_customers(self, rows: list, dry_run: bool, actor: dict) -> dict:
        """Import one batch of rows (at most ``MAX_BATCH_ROWS``) as ``pending_approval``
        cards; ``dry_run`` creates nothing and answers the same.

        ``[{"row": 2, "card": {"name": "华东机电有限公司", "nature": "distributor",
        "tax_no": "91310000MA1FL0000X"}}]`` -> ``{"cards": [{"row": 2, "name": ...,
        "customer_id": ...}], "problems": [], "duplicates": []}``
        """
        batch = load(_batch, {"rows": rows, "dry_run": dry_run})
        actor = actor_of(actor)
        report = imports_handlers.ImportReport()
        command = ImportCustomers(_rows(batch, report), batch["dry_run"])
        imports_handlers.import_customers(self.uow(), command, actor, self.settings, report)
        return _result.dump(
            {
                "cards": report.cards,
                "problems": sorted(report.problems, key=lambda p: p["row"]),
                "duplicates": [asdict(d) for d in report.duplicates],
            }
        )
