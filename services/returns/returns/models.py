"""Tables of the returns service and their mapping onto the domain classes.

Receipts, stock movements and scrap records are written once and get rows of their own;
the lines inside a receipt, a shipment or a request never change after they are written,
so they are JSON on their row.
"""

from decimal import Decimal

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import registry, relationship

from returns.commands import ReturnLine
from returns.domain import (
    AuthorizedLine,
    Receipt,
    ReceivedLine,
    Replenishment,
    ReturnAuthorization,
    SalesReturnRequest,
    ScrapRecord,
    ShipmentLine,
    StockMovement,
)
from servicekit.mappers import once
from servicekit.tables import kit_metadata
from servicekit.types import JsonValues, Money, UTCDateTime

metadata = MetaData()
mapper_registry = registry(metadata=metadata)

ID = String(32)
USER = String(150)


def _request_line_json(line: ReturnLine) -> dict:
    return {
        "sku": line.sku,
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "description": line.description,
        "reason": line.reason,
        "handling": line.handling,
    }


def _request_line(data: dict) -> ReturnLine:
    return ReturnLine(**{**data, "unit_price": Decimal(data["unit_price"])})


# The row's own lines, written once: a receipt's lines are a tuple, the others lists.
RECEIVED_LINES = JsonValues(ReceivedLine.payload, lambda data: ReceivedLine(**data), as_tuple=True)
SHIPMENT_LINES = JsonValues(ShipmentLine.payload, lambda data: ShipmentLine(**data))
REQUEST_LINES = JsonValues(_request_line_json, _request_line)


return_authorizations = Table(
    "return_authorizations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("complaint_id", ID, index=True),
    # rule R1: one authorization per accepted plan, whatever event brings it.
    Column("plan_id", ID, unique=True),
    Column("request_id", ID, unique=True),
    Column("customer_id", ID, nullable=False, index=True),
    Column("owner", USER),
    Column("status", String(20), nullable=False, index=True),
    Column("differences", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("received_at", UTCDateTime()),
    Column("received_by", USER),
    Column("posted_at", UTCDateTime()),
    Column("inspected_at", UTCDateTime()),
    Column("inspected_by", USER),
    Column("witness", USER),
)


def _return_fk() -> Column:
    return Column(
        "return_id",
        ID,
        ForeignKey("return_authorizations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


return_lines = Table(
    "return_lines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _return_fk(),
    Column("sku", String(64), nullable=False),
    Column("authorized_quantity", Integer, nullable=False),
    Column("unit_price", Money(), nullable=False),
    Column("description", Text),
    Column("reason", Text),
    Column("handling", String(50)),
    Column("received_quantity", Integer, nullable=False),
    Column("good", Integer),
    Column("rework", Integer),
    Column("scrap", Integer),
    UniqueConstraint("return_id", "sku", name="uq_return_lines_sku"),
)

receipts = Table(
    "receipts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _return_fk(),
    Column("scan_id", String(100), nullable=False),
    Column("scanner_id", String(100), nullable=False),
    Column("lines", RECEIVED_LINES, nullable=False),
    Column("received_by", USER, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    # rule R2: a scan counts once, also when two copies arrive at the same instant; the
    # database refuses the second row (no check-then-insert race).
    UniqueConstraint("return_id", "scan_id", name="uq_receipts_scan"),
)

stock_movements = Table(
    "stock_movements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _return_fk(),
    Column("sku", String(64), nullable=False, index=True),
    Column("kind", String(30), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("moved_at", UTCDateTime(), nullable=False, index=True),
    Column("moved_by", USER, nullable=False),
)

scrap = Table(
    "scrap",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _return_fk(),
    Column("sku", String(64), nullable=False, index=True),
    Column("spec", Text),
    Column("quantity", Integer, nullable=False),
    Column("scrapped_at", UTCDateTime(), nullable=False, index=True),
    Column("scrapped_by", USER, nullable=False),
)

replenishments = Table(
    "replenishments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("complaint_id", ID, nullable=False, index=True),  # rule R5: none without its case
    Column("plan_id", ID),
    Column("action_id", ID),
    Column("customer_id", ID, nullable=False),
    Column("lines", SHIPMENT_LINES, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("carrier", String(100)),
    Column("tracking_no", String(100)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("shipped_at", UTCDateTime()),
    Column("shipped_by", USER),
    # rule R5: one shipment per replenishment action (rule R1's once, on the plan's side).
    UniqueConstraint("plan_id", "action_id", name="uq_replenishments_action"),
)

return_requests = Table(
    "return_requests",
    metadata,
    Column("id", ID, primary_key=True),
    Column("customer_id", ID, nullable=False, index=True),
    Column("request_class", String(40), nullable=False),
    Column("basis", Text, nullable=False),
    Column("lines", REQUEST_LINES, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("filed_by", USER, nullable=False),
    Column("filed_at", UTCDateTime(), nullable=False),
    Column("decided_by", USER),
    Column("decided_at", UTCDateTime()),
    Column("comment", Text),
    Column("return_id", ID),
)

# rule R1: readable authorization numbers, unique per year (RA-2026-000123).
return_numbers = Table(
    "return_numbers",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last", Integer, nullable=False),
)

# rule R6: one row per business day whose posting batch ran; the key makes the batch run
# once a day however many instances' timers fire.
posting_batches = Table(
    "posting_batches",
    metadata,
    Column("day", Date, primary_key=True),
    Column("cutoff", UTCDateTime(), nullable=False),
    Column("ran_at", UTCDateTime(), nullable=False),
    Column("posted", Integer, nullable=False),
)

target_metadata = [metadata, kit_metadata]


def _children(cls, table):
    return relationship(
        cls,
        order_by=table.c.id,  # in the order they were written
        cascade="all, delete-orphan",
        lazy="selectin",  # the aggregate is loaded whole; it is read after its session closes
    )


@once
def start_mappers() -> None:
    """Map the domain classes (imperative mapping keeps the domain pure)."""
    mapper_registry.map_imperatively(AuthorizedLine, return_lines)
    mapper_registry.map_imperatively(Receipt, receipts)
    mapper_registry.map_imperatively(
        StockMovement,
        stock_movements,
        properties={"at": stock_movements.c.moved_at, "by": stock_movements.c.moved_by},
    )
    mapper_registry.map_imperatively(
        ScrapRecord,
        scrap,
        properties={"at": scrap.c.scrapped_at, "by": scrap.c.scrapped_by},
    )
    mapper_registry.map_imperatively(
        ReturnAuthorization,
        return_authorizations,
        properties={
            "lines": _children(AuthorizedLine, return_lines),
            "receipts": _children(Receipt, receipts),
            "movements": _children(StockMovement, stock_movements),
            "scrapped": _children(ScrapRecord, scrap),
        },
    )
    mapper_registry.map_imperatively(Replenishment, replenishments)
    mapper_registry.map_imperatively(SalesReturnRequest, return_requests)
