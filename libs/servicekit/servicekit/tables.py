"""Tables every service has besides its own: outbox, inbox, history, leases.

They live in their own MetaData; each service's alembic environment migrates
them together with the service's tables.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from servicekit.types import UTCDateTime

kit_metadata = MetaData()

# BigInteger ids autoincrement on PostgreSQL; SQLite needs INTEGER for rowid aliasing.
BigId = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    kit_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    # A relay instance leases unsent rows until claimed_until, then marks them sent.
    Column("claimed_by", String(64)),
    Column("claimed_until", UTCDateTime()),
    Column("sent_at", UTCDateTime()),
    Column("attempts", Integer, nullable=False, default=0),
)
Index("ix_outbox_unsent", outbox.c.sent_at, outbox.c.id)

inbox = Table(
    "inbox",
    kit_metadata,
    Column("event_id", String(64), primary_key=True),
    Column("handler", String(150), primary_key=True),
    Column("processed_at", UTCDateTime(), nullable=False),
)

inbox_failures = Table(
    "inbox_failures",
    kit_metadata,
    Column("event_id", String(64), primary_key=True),
    Column("handler", String(150), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("parked_at", UTCDateTime()),
)

history = Table(
    "history",
    kit_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("entity_type", String(50), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(150), nullable=False),
    Column("action", String(100), nullable=False),
    Column("changes", JSON, nullable=False),
    Column("request_id", String(64)),
)
Index("ix_history_entity", history.c.entity_type, history.c.entity_id, history.c.id)

# Named leases let one instance among several do a timer's job (rule: timers claim work).
leases = Table(
    "leases",
    kit_metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("until", UTCDateTime(), nullable=False),
)
