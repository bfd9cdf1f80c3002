"""The kit tables (outbox, inbox, parked messages, history, leases) as alembic
operations, versioned here once and called from each service's migrations.

A later change to ``servicekit.tables`` gets a ``upgrade_v2`` beside these, called
from a new revision of every service; a version, once released, never changes.
"""

import sqlalchemy as sa
from alembic import op

import servicekit.types


def upgrade_v1() -> None:
    """Create the kit tables (servicekit.tables as of the first release)."""
    op.create_table(
        "history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entity_type", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("at", servicekit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=150), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index("ix_history_entity", ["entity_type", "entity_id", "id"], unique=False)

    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("handler", sa.String(length=150), nullable=False),
        sa.Column("processed_at", servicekit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "handler"),
    )
    op.create_table(
        "inbox_failures",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("handler", sa.String(length=150), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("parked_at", servicekit.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("event_id", "handler"),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("until", servicekit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", servicekit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", servicekit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", servicekit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_unsent", ["sent_at", "id"], unique=False)


def downgrade_v1() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unsent")

    op.drop_table("outbox")
    op.drop_table("leases")
    op.drop_table("inbox_failures")
    op.drop_table("inbox")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index("ix_history_entity")

    op.drop_table("history")


def upgrade_v2() -> None:
    """Commands keep their answer in the inbox; parked messages move from a broker
    queue and a failure counter (inbox_failures) to a table an operator can browse."""
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result", sa.JSON(), nullable=True))
    op.drop_table("inbox_failures")
    op.create_table(
        "parked_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("queue", sa.String(length=255), nullable=False),
        sa.Column("handler", sa.String(length=150), nullable=False),
        sa.Column("reason", sa.String(length=50), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("exchange", sa.String(length=255), nullable=False),
        sa.Column("routing_key", sa.String(length=255), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("content_encoding", sa.String(length=50), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("parked_at", servicekit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("parked_messages", schema=None) as batch_op:
        batch_op.create_index("ix_parked_messages_queue", ["queue", "id"], unique=False)


def downgrade_v2() -> None:
    with op.batch_alter_table("parked_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_parked_messages_queue")
    op.drop_table("parked_messages")
    op.create_table(
        "inbox_failures",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("handler", sa.String(length=150), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("parked_at", servicekit.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("event_id", "handler"),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_column("result")
