"""Tables of the finance service and their mapping onto the domain classes.

The once-only rules are held by the database, not only by look-ups before an insert: one
reconciliation per return (rule F1), one return credit per reconciliation and one voucher
per plan action (rule F3), one credit per voucher and one invoice per number (rule F4), one
loss case per plan (rule P12). Values written once with their row (a plan's actions, a
return's lines, an invoice's lines) are JSON on it.
"""

from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import registry

from finance.commands import InvoiceLine, PlanAction, PlanLine, ReturnedLine, Share
from finance.domain import (
    Account,
    LedgerEntry,
    LossCase,
    LossEntry,
    Plan,
    ReceivedReturn,
    Reconciliation,
    ReconciliationLine,
    Resale,
    TrackedComplaint,
    Voucher,
)
from servicekit.mappers import children, once
from servicekit.tables import kit_metadata
from servicekit.types import JsonValues, Money, Ratio, UTCDateTime

metadata = MetaData()
mapper_registry = registry(metadata=metadata)

ID = String(32)  # finance's own ids
REF = String(64)  # other services' ids
USER = String(150)
SKU = String(64)


def _line_json(line) -> dict:
    return {"sku": line.sku, "quantity": line.quantity, "unit_price": str(line.unit_price)}


def _plan_line(data: dict) -> PlanLine:
    return PlanLine(data["sku"], data["quantity"], Decimal(data["unit_price"]))


def _invoice_line(data: dict) -> InvoiceLine:
    return InvoiceLine(data["sku"], data["quantity"], Decimal(data["unit_price"]))


def _action_json(action: PlanAction) -> dict:
    return {
        "action_id": action.action_id,
        "type": action.type,
        "amount": str(action.amount),
        "lines": [_line_json(line) for line in action.lines],
    }


def _action(data: dict) -> PlanAction:
    lines = tuple(_plan_line(line) for line in data["lines"])
    return PlanAction(data["action_id"], data["type"], Decimal(data["amount"]), lines)


def _share_json(share: Share) -> dict:
    return {"department": share.department, "person": share.person, "share": str(share.share)}


def _share(data: dict) -> Share:
    return Share(data["department"], data["person"], Decimal(data["share"]))


def _returned_line_json(line: ReturnedLine) -> dict:
    return {
        "sku": line.sku,
        "authorized_quantity": line.authorized_quantity,
        "received_quantity": line.received_quantity,
        "unit_price": str(line.unit_price),
    }


def _returned_line(data: dict) -> ReturnedLine:
    return ReturnedLine(**{**data, "unit_price": Decimal(data["unit_price"])})


# Tuples of frozen values, written once with their row.
PLAN_LINES = JsonValues(_line_json, _plan_line, as_tuple=True)
INVOICE_LINES = JsonValues(_line_json, _invoice_line, as_tuple=True)
PLAN_ACTIONS = JsonValues(_action_json, _action, as_tuple=True)
SHARES = JsonValues(_share_json, _share, as_tuple=True)
RETURNED_LINES = JsonValues(_returned_line_json, _returned_line, as_tuple=True)


# --- rule X1: finance's copy of the card; rule F4: the ledger -------------------------
accounts = Table(
    "accounts",
    metadata,
    Column("id", REF, primary_key=True),  # the customer's id
    Column("name", String(200)),
    Column("status", String(20)),
    Column("owner", USER, index=True),
    Column("credit_limit", Money()),
    Column("settlement_terms", String(30)),
    Column("discount", Ratio()),
    Column("over_acceptance_ratio", Ratio()),
    # rule X1: how new the fact is that each part of the copy holds
    Column("card_version", Integer),
    Column("card_at", UTCDateTime()),
    Column("owner_version", Integer),
    Column("owner_at", UTCDateTime()),
    Column("terms_version", Integer),
    Column("terms_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", ID, primary_key=True),
    Column(
        "customer_id",
        REF,
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(10), nullable=False),
    Column("amount", Money(), nullable=False),
    Column("date", Date, nullable=False),
    Column("due_date", Date, index=True),
    Column("reference", String(200)),
    # rule F4: an invoice number is recorded once; a voucher credits once
    Column("invoice_number", REF, unique=True),
    Column("voucher_id", ID, unique=True),
    Column("voucher_type", String(20)),
    Column("order_no", REF),
    Column("owner", USER, index=True),
    Column("complaint_id", REF),
    Column("lines", INVOICE_LINES, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("recorded_by", USER, nullable=False),
)

# --- rule F1: what arrived of plans and returns, and the reconciliations --------------
plans = Table(
    "plans",
    metadata,
    Column("id", REF, primary_key=True),  # the plan's id
    Column("complaint_id", REF, nullable=False, index=True),
    Column("complaint_number", REF),
    Column("customer_id", REF, nullable=False),
    Column("accepted_at", UTCDateTime(), nullable=False),
    Column("actions", PLAN_ACTIONS, nullable=False),
    Column("approved", PLAN_LINES, nullable=False),
    Column("shares", SHARES, nullable=False),
)

received_returns = Table(
    "received_returns",
    metadata,
    Column("id", REF, primary_key=True),  # the return's id
    Column("number", REF),
    Column("customer_id", REF, nullable=False),
    Column("complaint_id", REF, index=True),
    Column("plan_id", REF, index=True),
    Column("request_id", REF),
    Column("lines", RETURNED_LINES, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)

# Rows the plan and return handlers lock, so that whichever event comes second sees the
# first one's commit (a complaint's id, or a plan's).
match_locks = Table("match_locks", metadata, Column("key", REF, primary_key=True))

reconciliations = Table(
    "reconciliations",
    metadata,
    Column("id", ID, primary_key=True),
    # rule F1: exactly one reconciliation per return, whichever event comes first
    Column("return_id", REF, nullable=False, unique=True),
    Column("return_number", REF),
    Column("complaint_id", REF, index=True),
    Column("plan_id", REF),
    Column("customer_id", REF, nullable=False, index=True),
    Column("status", String(20), nullable=False, index=True),
    Column("ratio", Ratio(), nullable=False),
    Column("voucher_id", ID),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("resolved_at", UTCDateTime()),
    Column("resolved_by", USER),
    Column("comment", Text),
)

reconciliation_lines = Table(
    "reconciliation_lines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "reconciliation_id",
        ID,
        ForeignKey("reconciliations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("sku", SKU, nullable=False),
    Column("unit_price", Money(), nullable=False),
    Column("approved_quantity", Integer, nullable=False),
    Column("actual_quantity", Integer, nullable=False),
    Column("accepted_quantity", Integer),
    Column("amount", Money()),
    UniqueConstraint("reconciliation_id", "sku", name="uq_reconciliation_lines_sku"),
)

# --- rule F2, rule F3: vouchers -----------------------------------------------------
vouchers = Table(
    "vouchers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("type", String(20), nullable=False),
    Column("customer_id", REF, nullable=False, index=True),
    Column("complaint_id", REF, index=True),
    Column("plan_id", REF),
    Column("action_id", REF),
    Column("return_id", REF),
    # rule F1: one credit per reconciliation
    Column("reconciliation_id", ID, unique=True),
    Column("amount", Money(), nullable=False),
    Column("status", String(10), nullable=False, index=True),
    Column("lines", JSON, nullable=False),
    Column("certificate", JSON),
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("posted_at", UTCDateTime()),
    Column("posted_by", USER),
    Column("proof_method", String(30)),
    Column("proof_reference", String(200)),
    # rule F3: one voucher per allowance or compensation action of a plan
    UniqueConstraint("plan_id", "action_id", name="uq_vouchers_action"),
)

# Readable voucher numbers, unique per year (PZ-2026-000123).
voucher_numbers = Table(
    "voucher_numbers",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last", Integer, nullable=False),
)

# --- rule F6: the complaints finance follows --------------------------------------------
tracked_complaints = Table(
    "tracked_complaints",
    metadata,
    Column("id", REF, primary_key=True),  # the complaint's id
    Column("customer_id", REF, nullable=False),
    Column("number", REF),
    Column("order_no", REF),
    Column("open", Boolean, nullable=False),
    Column("opened_at", UTCDateTime()),
    Column("ended_at", UTCDateTime()),
)
Index("ix_tracked_complaints_open", tracked_complaints.c.customer_id, tracked_complaints.c.open)

# --- rule P12, rule F7: losses ----------------------------------------------------------
loss_cases = Table(
    "loss_cases",
    metadata,
    Column("id", ID, primary_key=True),
    Column("plan_id", REF, nullable=False, unique=True),  # one per accepted plan
    Column("complaint_id", REF, nullable=False, index=True),
    Column("complaint_number", REF),
    Column("customer_id", REF, nullable=False),
    Column("shares", SHARES, nullable=False),
    Column("fixed", JSON, nullable=False),
    Column("goods", JSON, nullable=False),
    Column("return_id", REF, unique=True),
    Column("received_at", UTCDateTime()),
    Column("received_on", Date),
    Column("window_ends_on", Date),
    Column("status", String(10), nullable=False),
    Column("due_at", UTCDateTime()),
    Column("loss", Money()),
    Column("breakdown", JSON),
    Column("computed_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
)
Index("ix_loss_cases_due", loss_cases.c.status, loss_cases.c.due_at)


def _case_fk() -> Column:
    return Column(
        "loss_case_id",
        ID,
        ForeignKey("loss_cases.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


resales = Table(
    "resales",
    metadata,
    Column("id", ID, primary_key=True),
    _case_fk(),
    Column("return_id", REF, nullable=False, index=True),
    Column("sku", SKU, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money(), nullable=False),
    Column("date", Date, nullable=False),
    Column("within_window", Boolean, nullable=False),
    Column("recorded_by", USER, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
)

loss_entries = Table(
    "loss_entries",
    metadata,
    Column("id", ID, primary_key=True),
    _case_fk(),
    Column("complaint_id", REF, nullable=False, index=True),
    Column("complaint_number", REF),
    Column("plan_id", REF, nullable=False),
    Column("customer_id", REF, nullable=False),
    Column("department", String(100), nullable=False, index=True),
    Column("person", USER, index=True),
    Column("share", Ratio(), nullable=False),
    Column("amount", Money(), nullable=False),
    Column("computed_at", UTCDateTime(), nullable=False),
    Column("position", Integer, nullable=False),
)

target_metadata = [metadata, kit_metadata]


@once
def start_mappers() -> None:
    """Map the domain classes (imperative mapping keeps the domain pure)."""
    mapper_registry.map_imperatively(LedgerEntry, ledger_entries)
    mapper_registry.map_imperatively(
        Account,
        accounts,
        properties={
            "entries": children(LedgerEntry, [ledger_entries.c.recorded_at, ledger_entries.c.id])
        },
    )
    mapper_registry.map_imperatively(Plan, plans)
    mapper_registry.map_imperatively(ReceivedReturn, received_returns)
    mapper_registry.map_imperatively(ReconciliationLine, reconciliation_lines)
    mapper_registry.map_imperatively(
        Reconciliation,
        reconciliations,
        properties={"lines": children(ReconciliationLine, [reconciliation_lines.c.sku])},
    )
    mapper_registry.map_imperatively(Voucher, vouchers)
    mapper_registry.map_imperatively(TrackedComplaint, tracked_complaints)
    mapper_registry.map_imperatively(Resale, resales)
    mapper_registry.map_imperatively(LossEntry, loss_entries)
    mapper_registry.map_imperatively(
        LossCase,
        loss_cases,
        properties={
            "resales": children(Resale, [resales.c.recorded_at, resales.c.id]),
            "parts": children(LossEntry, [loss_entries.c.position]),
        },
    )
