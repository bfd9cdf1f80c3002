"""Tables of the complaints service and their mapping onto the domain classes.

List order matters to the API (lines, actions, steps, notices are shown oldest
first), so each child table has a ``position`` kept by ``ordering_list``.
"""

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
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import registry, relationship

from complaints.domain import (
    Action,
    ActionLine,
    Complaint,
    ComplaintLine,
    FollowUp,
    Investigation,
    Notice,
    Plan,
    Responsibility,
    Step,
)
from complaints.domain.compilation import Confirmation, MonthlyReport
from servicekit.mappers import once
from servicekit.tables import kit_metadata
from servicekit.types import Money, Ratio, UTCDateTime

metadata = MetaData()
mapper_registry = registry(metadata=metadata)

ID = String(32)


def _fk(table: str, **kwargs) -> Column:
    return Column(f"{table[:-1]}_id", ID, ForeignKey(f"{table}.id", ondelete="CASCADE"), **kwargs)


complaints = Table(
    "complaints",
    metadata,
    Column("id", ID, primary_key=True),
    Column("number", String(20), nullable=False, unique=True),
    Column("customer_id", ID, nullable=False, index=True),
    Column("owner", String(150)),
    Column("channel", String(20), nullable=False),
    Column("order_no", String(64), nullable=False),
    Column("ship_date", Date, nullable=False),
    Column("description", Text, nullable=False),
    Column("request", String(20), nullable=False),
    Column("registered_by", String(150), nullable=False),
    Column("registered_at", UTCDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("round", Integer, nullable=False),
    Column("promised_days", Integer),
    Column("due_at", UTCDateTime()),
    Column("accepted_by", String(150)),
    Column("accepted_at", UTCDateTime()),
    Column("rejected_reason", Text),
    Column("rejected_at", UTCDateTime()),
    Column("resolved_at", UTCDateTime()),
    Column("closed_at", UTCDateTime()),
    Column("current_step", String(20)),
    Column("step_due_at", UTCDateTime()),
    Column("timely_acceptance", Boolean),
    Column("on_time_closure", Boolean),
    Column("satisfaction", Integer),
    Column("updated_at", UTCDateTime(), nullable=False),
    # When the notice timer should look at this case next (rule P10); None: nothing pending.
    Column("notice_check_at", UTCDateTime()),
)
Index("ix_complaints_status", complaints.c.status, complaints.c.registered_at)
# rule P11: the monthly report reads closed cases by closing time.
Index("ix_complaints_closed", complaints.c.status, complaints.c.closed_at)
Index("ix_complaints_notice_check", complaints.c.notice_check_at)

complaint_lines = Table(
    "complaint_lines",
    metadata,
    Column("id", ID, primary_key=True),
    _fk("complaints", nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("description", Text),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money(), nullable=False),
)

investigations = Table(
    "investigations",
    metadata,
    Column("id", ID, primary_key=True),
    _fk("complaints", nullable=False, unique=True),
    Column("findings", Text, nullable=False),
    Column("cause", Text, nullable=False),
    Column("cause_category", String(20), nullable=False),
    Column("investigated_by", String(150), nullable=False),
    Column("investigated_at", UTCDateTime(), nullable=False),
    Column("improvement", Text),
)

responsibilities = Table(
    "responsibilities",
    metadata,
    Column("id", ID, primary_key=True),
    _fk("investigations", nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("department", String(100), nullable=False),
    Column("person", String(150)),
    Column("share", Ratio(), nullable=False),
)

plans = Table(
    "plans",
    metadata,
    Column("id", ID, primary_key=True),
    _fk("complaints", nullable=False, index=True),
    Column("round", Integer, nullable=False),
    Column("amount", Money(), nullable=False),
    Column("required_approver", String(20), nullable=False),
    Column("posted_by", String(150), nullable=False),
    Column("posted_at", UTCDateTime(), nullable=False),
    Column("previous_plan_id", ID),
    Column("status", String(20), nullable=False),
    Column("approved_by", String(150)),
    Column("approved_at", UTCDateTime()),
    Column("responded_by", String(150)),
    Column("responded_at", UTCDateTime()),
    Column("response_comment", Text),
    UniqueConstraint("complaint_id", "round", name="uq_plans_round"),
)

actions = Table(
    "actions",
    metadata,
    Column("id", ID, primary_key=True),
    _fk("complaints", nullable=False, index=True),
    _fk("plans", nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("type", String(20), nullable=False),
    Column("amount", Money(), nullable=False),
    Column("state", String(20), nullable=False),
    Column("return_id", ID),
    Column("received_at", UTCDateTime()),
    Column("inspected_at", UTCDateTime()),
    Column("voucher_id", ID),
    Column("voucher_issued_at", UTCDateTime()),
    Column("shipment_id", ID),
    Column("shipped_at", UTCDateTime()),
    Column("done_at", UTCDateTime()),
)

action_lines = Table(
    "action_lines",
    metadata,
    Column("id", ID, primary_key=True),
    _fk("actions", nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("description", Text),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money(), nullable=False),
    Column("amount", Money(), nullable=False),
)

steps = Table(
    "steps",
    metadata,
    Column("id", ID, primary_key=True),
    _fk("complaints", nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("name", String(20), nullable=False),
    Column("round", Integer, nullable=False),
    Column("department", String(100), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("done_at", UTCDateTime()),
)

follow_ups = Table(
    "follow_ups",
    metadata,
    Column("id", ID, primary_key=True),
    _fk("complaints", nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("round", Integer, nullable=False),
    Column("satisfied", Boolean, nullable=False),
    Column("score", Integer, nullable=False),
    Column("by", String(150), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("notes", Text),
)

notices = Table(
    "notices",
    metadata,
    Column("id", ID, primary_key=True),
    _fk("complaints", nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("number", String(20), nullable=False),
    Column("type", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("department", String(100), nullable=False),
    Column("step", String(20), nullable=False),
    Column("step_id", ID, nullable=False),
    Column("round", Integer, nullable=False),
    Column("issued_at", UTCDateTime(), nullable=False),
    Column("due_at", UTCDateTime()),
    # rule P10: each notice once, however many timer instances run.
    UniqueConstraint("step_id", "kind", "department", name="uq_notices_once"),
)
Index("ix_notices_type_department", notices.c.type, notices.c.department, notices.c.issued_at)

# rule P2: readable case numbers, unique per year (TS-2026-000123).
complaint_numbers = Table(
    "complaint_numbers",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)

# rule P11: the month's statistics compiled once on the 1st (the month is the key, so
# two timer instances compile it once) and each responsible department's confirmation.
monthly_reports = Table(
    "monthly_reports",
    metadata,
    Column("month", String(7), primary_key=True),
    Column("compiled_at", UTCDateTime(), nullable=False),
    Column("statistics", JSON, nullable=False),
    Column("departments", JSON, nullable=False),
    Column("notice_issued_at", UTCDateTime()),
    Column("notice_departments", JSON),
)

monthly_confirmations = Table(
    "monthly_confirmations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "month",
        String(7),
        ForeignKey("monthly_reports.month", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("department", String(100), nullable=False),
    Column("confirmed_by", String(150), nullable=False),
    Column("confirmed_at", UTCDateTime(), nullable=False),
    UniqueConstraint("month", "department", name="uq_monthly_confirmations_once"),
)

target_metadata = [metadata, kit_metadata]


def _children(cls, table, **kwargs):
    return relationship(
        cls,
        order_by=table.c.position,
        collection_class=ordering_list("position"),
        cascade="all, delete-orphan",
        lazy="selectin",  # the aggregate is loaded whole; it is read after its session closes
        **kwargs,
    )


@once
def start_mappers() -> None:
    """Map the domain classes (imperative mapping keeps the domain pure)."""
    mapper_registry.map_imperatively(ComplaintLine, complaint_lines)
    mapper_registry.map_imperatively(ActionLine, action_lines)
    mapper_registry.map_imperatively(Responsibility, responsibilities)
    mapper_registry.map_imperatively(
        Investigation,
        investigations,
        properties={"responsibility": _children(Responsibility, responsibilities)},
    )
    mapper_registry.map_imperatively(
        Action, actions, properties={"lines": _children(ActionLine, action_lines)}
    )
    mapper_registry.map_imperatively(
        Plan,
        plans,
        properties={
            "actions": relationship(
                Action,
                primaryjoin=plans.c.id == actions.c.plan_id,
                order_by=actions.c.position,
                cascade="all",
                lazy="selectin",
                overlaps="actions",
            )
        },
    )
    mapper_registry.map_imperatively(Step, steps)
    mapper_registry.map_imperatively(FollowUp, follow_ups)
    mapper_registry.map_imperatively(Notice, notices)
    mapper_registry.map_imperatively(Confirmation, monthly_confirmations)
    mapper_registry.map_imperatively(
        MonthlyReport,
        monthly_reports,
        properties={
            "confirmations": relationship(
                Confirmation,
                order_by=monthly_confirmations.c.confirmed_at,
                cascade="all, delete-orphan",
                lazy="selectin",
            )
        },
    )
    mapper_registry.map_imperatively(
        Complaint,
        complaints,
        properties={
            "lines": _children(ComplaintLine, complaint_lines),
            "investigation": relationship(
                Investigation, uselist=False, cascade="all, delete-orphan", lazy="selectin"
            ),
            "plans": relationship(
                Plan, order_by=plans.c.round, cascade="all, delete-orphan", lazy="selectin"
            ),
            "actions": _children(Action, actions, overlaps="actions"),
            "steps": _children(Step, steps),
            "follow_ups": _children(FollowUp, follow_ups),
            "notices": _children(Notice, notices),
        },
    )
