"""Tables every service has besides its own: outbox, inbox, parked messages,
history, leases.

They live in their own MetaData; each service's alembic environment migrates
them together with the service's tables.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
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
    # A command's answer, so that a retried or redelivered request gets it again.
    Column("result", JSON),
)

# Messages a consumer could not use: undecodable at once, failing ones after their
# retry budget. Kept with their reason until an operator replays or drops them
# (python -m servicekit.parked).
parked_messages = Table(
    "parked_messages",
    kit_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("queue", String(255), nullable=False),
    Column("handler", String(150), nullable=False),
    Column("reason", String(50), nullable=False),
    Column("error", Text, nullable=False),
    Column("event_id", String(64)),
    # Where a replay publishes the message: an event goes straight back to its
    # consumer's queue (default exchange), an RPC request to the RPC exchange.
    Column("exchange", String(255), nullable=False),
    Column("routing_key", String(255), nullable=False),
    Column("headers", JSON, nullable=False),
    Column("content_type", String(100)),
    Column("content_encoding", String(50)),
    Column("body", LargeBinary, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("parked_at", UTCDateTime(), nullable=False),
)
Index("ix_parked_messages_queue", parked_messages.c.queue, parked_messages.c.id)

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
