"""Tables of grading, key accounts, risk and warnings (rule C5, rule C6, rule C7, rule C8)
and of the summaries they read (rule X1), on the customer service's metadata; mapped by
``map_grading`` (called from ``customer.models.start_mappers``).

Once-only facts are held by primary keys: an invoice and a complaint by their producer's
ids; a warning once per customer and cause (``key``).
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
    String,
    Table,
    Text,
    UniqueConstraint,
)

from customer.domain.grading import GradeChange, GradeRecord, RegradeRun
from customer.domain.key_accounts import KeyAccount
from customer.domain.risk import RiskRecord
from customer.domain.summaries import ComplaintRecord, CustomerSummary, Purchase, PurchaseLine
from customer.domain.warnings import CustomerWarning
from customer.models import mapper_registry, metadata
from servicekit.mappers import children
from servicekit.types import JsonValues, Money, UTCDateTime

REF = String(64)  # a customer's, an invoice's or a complaint's id
USER = String(150)


def _line_json(line: PurchaseLine) -> dict:
    return {"sku": line.sku, "quantity": line.quantity, "amount": str(line.amount)}


def _line(data: dict) -> PurchaseLine:
    return PurchaseLine(data["sku"], data["quantity"], Decimal(data["amount"]))


PURCHASE_LINES = JsonValues(_line_json, _line, as_tuple=True)

# --- rule X1: the summaries of finance's and complaints' events ----------------------
customer_summaries = Table(
    "customer_summaries",
    metadata,
    Column("id", REF, primary_key=True),  # the customer's id
    Column("balance", Money(), nullable=False),
    Column("overdue", Money(), nullable=False),
    Column("ageing", JSON, nullable=False),
    Column("ledger_as_of", Date),
    Column("ledger_at", UTCDateTime()),  # when finance announced the balance kept
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

summary_invoices = Table(
    "summary_invoices",
    metadata,
    Column("id", REF, primary_key=True),  # the invoice's id: kept once
    Column(
        "customer_id",
        REF,
        ForeignKey("customer_summaries.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("number", REF, nullable=False),
    Column("date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("amount", Money(), nullable=False),
    Column("lines", PURCHASE_LINES, nullable=False),
    Column("recorded_at", UTCDateTime()),
)
Index("ix_summary_invoices_customer_date", summary_invoices.c.customer_id, summary_invoices.c.date)

summary_complaints = Table(
    "summary_complaints",
    metadata,
    Column("id", REF, primary_key=True),  # the complaint's id: kept once
    Column(
        "customer_id",
        REF,
        ForeignKey("customer_summaries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("number", REF),
    Column("status", String(10), nullable=False),  # open | closed | rejected
    Column("registered_at", UTCDateTime()),
    Column("closed_at", UTCDateTime()),
    Column("rejected_at", UTCDateTime()),
    Column("satisfied", Boolean),
    Column("satisfaction", Integer),
)

# --- rule C5, rule C6: the grade and its history ---------------------------------------
customer_grades = Table(
    "customer_grades",
    metadata,
    Column("id", REF, primary_key=True),  # the customer's id
    Column("grade", String(1)),
    Column("score", Money()),  # points 0..100, two places
    Column("components", JSON, nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("scale", String(10)),
    Column("history_band", String(10)),
    Column("trigger", String(20)),
    Column("reason", Text),
    Column("graded_at", UTCDateTime(), index=True),
    Column("graded_by", USER),
    Column("created_at", UTCDateTime(), nullable=False),
)

grade_changes = Table(
    "grade_changes",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("customer_id", REF, nullable=False, index=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("by", USER, nullable=False),
    Column("trigger", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("grade", String(1), nullable=False),
    Column("previous_grade", String(1)),
    Column("score", Money(), nullable=False),
    Column("previous_score", Money()),
    Column("components", JSON, nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("scale", String(10), nullable=False),
    Column("history_band", String(10), nullable=False),
)

# rule C6: runs re-grading every customer, in batches; ``running_slot`` is unique and set
# while a run is unfinished (NULLs do not clash), so one run at a time across instances.
regrade_runs = Table(
    "regrade_runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("status", String(10), nullable=False),  # running | failed | done
    Column("running_slot", String(10)),
    Column("requested_by", USER, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    Column("total", Integer, nullable=False),
    Column("graded", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("batches", Integer, nullable=False),
    Column("resumed", Integer, nullable=False),
    Column("error", Text),
    Column("after_created_at", UTCDateTime()),  # the cursor: the last customer graded
    Column("after_id", REF),
    Column("holder", String(120)),
    Column("lease_until", UTCDateTime()),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("running_slot", name="uq_regrade_runs_running_slot"),
)

# --- rule C8: the risk level ---------------------------------------------------------
customer_risks = Table(
    "customer_risks",
    metadata,
    Column("id", REF, primary_key=True),  # the customer's id
    Column("level", String(10)),
    Column("points", Integer, nullable=False),
    Column("factors", JSON, nullable=False),
    Column("assessed_at", UTCDateTime(), index=True),
    Column("raised_at", UTCDateTime()),
    Column("guarantee_required", Boolean, nullable=False),
    Column("change_request_id", String(32)),
    Column("created_at", UTCDateTime(), nullable=False),
)

# --- rule C7: key accounts ---------------------------------------------------------
key_accounts = Table(
    "key_accounts",
    metadata,
    Column("id", REF, primary_key=True),  # the customer's id
    Column("key_account", Boolean, nullable=False, index=True),
    Column("source", String(10), nullable=False),  # auto | manager
    Column("plan", JSON),  # {"how", "who", "budget"}
    Column("owner", USER),
    Column("set_by", USER),
    Column("set_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# --- rule C7, rule C8: warnings ----------------------------------------------------
customer_warnings = Table(
    "customer_warnings",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("customer_id", REF, nullable=False),
    Column("customer_name", String(200)),
    Column("type", String(10), nullable=False),  # churn | risk
    Column("key", String(120), nullable=False),
    Column("reason", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Column("owner", USER, index=True),
    Column("status", String(10), nullable=False, index=True),
    Column("raised_at", UTCDateTime(), nullable=False),
    Column("action", Text),
    Column("handled_by", USER),
    Column("handled_at", UTCDateTime()),
    UniqueConstraint("customer_id", "key", name="uq_customer_warnings_customer_key"),
)


def map_grading() -> None:
    """Map the domain classes of grading, key accounts, risk and warnings."""
    mapper_registry.map_imperatively(Purchase, summary_invoices)
    mapper_registry.map_imperatively(ComplaintRecord, summary_complaints)
    mapper_registry.map_imperatively(
        CustomerSummary,
        customer_summaries,
        properties={
            "invoices": children(Purchase, [summary_invoices.c.date, summary_invoices.c.id]),
            "complaints": children(ComplaintRecord, [summary_complaints.c.id]),
        },
    )
    mapper_registry.map_imperatively(GradeRecord, customer_grades)
    mapper_registry.map_imperatively(GradeChange, grade_changes)
    mapper_registry.map_imperatively(RegradeRun, regrade_runs)
    mapper_registry.map_imperatively(RiskRecord, customer_risks)
    mapper_registry.map_imperatively(KeyAccount, key_accounts)
    mapper_registry.map_imperatively(CustomerWarning, customer_warnings)
