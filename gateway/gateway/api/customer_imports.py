"""Bulk import of existing customers under ``/api/v1`` (issue 11.8; rule C1, rule C3): a
company adopting the suite starts from a spreadsheet or an ERP export.

- ``POST /customers/imports?dry_run=true|false`` (sales_clerk, sales_manager; multipart
  ``file``): the gateway reads the .xlsx or .csv (``gateway.import_files``), checks every
  row with the contract's ``CreateCustomerSchema`` (problems in the contract's field
  terms), sets aside a tax number (or, without one, a name) met earlier in the file, and
  sends the other rows to the customer service in batches (``import_customers``, one
  transaction each), which reports those already on a card and creates the rest as
  ``pending_approval`` (rule C3). ``dry_run`` defaults to true.
- ``GET /customers/imports/template`` (= ``.xlsx``) and ``.../template.csv``.

Limits: the body is held to ``GATEWAY_MAX_BODY_BYTES`` like every request (a 2,000-row
.xlsx is about 100 KB, the .csv about 400 KB); at most ``IMPORT_MAX_ROWS`` card rows
(5,000) per file; ``IMPORT_BATCH_ROWS`` (250) rows per RPC call.

Repeats: with an ``Idempotency-Key`` a retried upload answers its first result, and each
batch carries a key of its own (the request's key and the batch's number), so a retry
after a 503 in the middle of a file is answered the batches already done and does the
rest. Without one, a second run of a file creates nothing twice: its rows are matched by
tax number or name.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app, g

from gateway import import_files, metrics, rpc
from gateway.auth.access import current_identity, requires
from gateway.blueprint import ServiceBlueprint
from gateway.state import state
from servicekit.contracts import customer_imports as contract
from servicekit.contracts.customer_vocabulary import SERVICE
from servicekit.errors import DomainError

blp = ServiceBlueprint(
    "customer_imports",
    __name__,
    url_prefix="/api/v1",
    description="Bulk import of existing customers",
)

# CONTRACT "Who may do what": who creates customers (admin may do everything).
IMPORTERS = ("sales_clerk", "sales_manager")
DEFAULT_MAX_ROWS = 5000
DEFAULT_BATCH_ROWS = 250
BINARY = {"type": "string", "format": "binary"}


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name) or default)


def _batch_call(number: int, rows: list[dict], dry_run: bool, actor: dict) -> dict:
    """One batch over RPC. ``rpc.call`` would give every batch of the request the same
    idempotency key (and so the first batch's answer): each gets its own here."""
    kwargs: dict[str, Any] = {}
    key = rpc.idempotency_key(SERVICE, contract.IMPORT_CUSTOMERS)
    if key is not None:
        kwargs["idempotency_key"] = hashlib.sha256(f"{key}:batch:{number}".encode()).hexdigest()
    try:
        return state().rpc.call(
            SERVICE,
            contract.IMPORT_CUSTOMERS,
            rows,
            dry_run,
            actor,
            request_id=g.get("request_id"),
            **kwargs,
        )
    except DomainError as exc:
        if exc.http_status >= 500:
            metrics.count_rpc_error(SERVICE, exc.error_code)
        raise
    except Exception:
        metrics.count_rpc_error(SERVICE, "internal_error")
        raise


def _first_key(card: dict) -> tuple[str, str | None]:
    tax_no = contract.tax_no_key(card.get("tax_no"))
    return ("tax_no", tax_no) if tax_no else ("name", contract.name_key(card.get("name")))


def import_file(filename: str, content: bytes, dry_run: bool, actor: dict) -> dict:
    sheet = import_files.read(filename, content, _setting("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))
    problems: list[dict] = []
    duplicates: list[dict] = []
    sendable: list[dict] = []
    first: dict[tuple[str, str | None], int] = {}
    for number, values in sheet.rows:
        card = contract.card_of(values)
        found = contract.check_row(number, card)
        if found:
            problems += found
            continue
        key = _first_key(card)
        if key in first:  # the service sees one batch; the file is seen here
            duplicates.append(
                {
                    "row": number,
                    "by": key[0],
                    "tax_no": card.get("tax_no"),
                    "name": card.get("name"),
                    "existing_customer_id": None,
                    "first_row": first[key],
                }
            )
            continue
        first[key] = number
        sendable.append({"row": number, "card": card})
    cards: list[dict] = []
    size = min(_setting("IMPORT_BATCH_ROWS", DEFAULT_BATCH_ROWS), contract.MAX_BATCH_ROWS)
    for number, start in enumerate(range(0, len(sendable), size)):
        answer = _batch_call(number, sendable[start : start + size], dry_run, actor)
        cards += answer["cards"]
        problems += answer["problems"]
        duplicates += answer["duplicates"]
    for problem in problems:
        problem.setdefault("column", contract.field_column(problem["field"]))
    return {
        "dry_run": dry_run,
        "rows": len(sheet.rows),
        "created": 0 if dry_run else len(cards),
        "would_create": len(cards),
        "skipped": len(sheet.rows) - len(cards),
        "problems": sorted(problems, key=lambda p: (p["row"], p["field"])),
        "duplicates": sorted(duplicates, key=lambda d: d["row"]),
        "cards": sorted(cards, key=lambda c: c["row"]),
        "ignored_columns": sheet.ignored_columns,
    }


@blp.route("/customers/imports", methods=["POST"])
@requires(*IMPORTERS)
@blp.arguments(contract.ImportArgsSchema, location="query")
@blp.arguments(contract.ImportFileSchema, location="files")
@blp.response(200, contract.ImportResultSchema)
def import_customers(args: dict, files: dict):
    """Import customers from an .xlsx or .csv file (rule C1); a dry run by default.

    The file's row 1 names the columns (``GET /customers/imports/template``); each other
    row is a card. Every row is checked with the contract: its problems name the row, the
    contract's field (``contacts.0.phone``), the column, a code (``required``,
    ``not_allowed``, ``out_of_range``, ``too_long``, ``invalid``,
    ``discount_below_floor``) and the message. A row whose tax number is already on a card
    or earlier in the file (without a tax number: whose name) is a duplicate, reported and
    not created. ``?dry_run=false`` creates the others as ``pending_approval`` (rule C3),
    each with an ``imported`` history entry. A file that is no .xlsx/.csv, lacks the
    ``name`` or ``nature`` column or has more than 5,000 card rows -> 422.

    Example: ``POST /api/v1/customers/imports?dry_run=true`` (``file``: customers.xlsx) ->
    ``{"dry_run": true, "rows": 3, "created": 0, "would_create": 1, "skipped": 2,
    "problems": [{"row": 3, "field": "nature", "column": "nature", "code": "not_allowed",
    "message": "Must be one of: distributor, agent, end_user."}], "duplicates": [{"row": 4,
    "by": "tax_no", "tax_no": "91310000MA1FL0000X", "name": "华东机电",
    "existing_customer_id": "3f2c...", "first_row": null}], "cards": [{"row": 2, "name":
    "华南五金", "customer_id": null}], "ignored_columns": []}``
    """
    upload = files["file"]
    content = upload.read()
    return import_file(upload.filename or "", content, args["dry_run"], current_identity().actor)


def _file(content: bytes, mimetype: str, filename: str):
    response = current_app.response_class(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


_XLSX_DOC = {
    "200": {"description": "the template", "content": {import_files.XLSX: {"schema": BINARY}}}
}
_CSV_DOC = {"200": {"description": "the template", "content": {"text/csv": {"schema": BINARY}}}}


@blp.route("/customers/imports/template", methods=["GET"])
@blp.doc(responses=_XLSX_DOC)
@requires(*IMPORTERS)
def import_template():
    """The import template (.xlsx).

    The Chinese header row, one example row, and a notes sheet (说明) with each column's
    name and allowed values; upload it filled in to ``POST /customers/imports``."""
    return _file(import_files.template_xlsx(), import_files.XLSX, "customer-import-template.xlsx")


@blp.route("/customers/imports/template.xlsx", methods=["GET"])
@blp.doc(responses=_XLSX_DOC)
@requires(*IMPORTERS)
def import_template_xlsx():
    """The import template as .xlsx.

    The same workbook as ``GET /customers/imports/template``."""
    return import_template()


@blp.route("/customers/imports/template.csv", methods=["GET"])
@blp.doc(responses=_CSV_DOC)
@requires(*IMPORTERS)
def import_template_csv():
    """The import template as .csv.

    UTF-8 with a BOM: the column names and one example row; the allowed values are in
    the .xlsx template's notes sheet."""
    return _file(import_files.template_csv(), import_files.CSV, "customer-import-template.csv")
