"""users can be disabled and carry a token version; failed logins per client address;
idempotency keys

Revision ID: 0002_access_and_idempotency
Revises: 0001_identity
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.types

revision: str = "0002_access_and_idempotency"
down_revision: str | Sequence[str] | None = "0001_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _login_failures(*columns: sa.Column) -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        *columns,
        sa.Column("failed_at", servicekit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("token_version", sa.Integer(), server_default="0", nullable=False)
        )

    # Failures are only counted over minutes: the table is made again with the client
    # address rather than altered (its old rows have no address to give).
    op.drop_table("login_failures")
    _login_failures(sa.Column("client_address", sa.String(length=100), nullable=False))
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_failed_at", ["failed_at"], unique=False)
        batch_op.create_index(
            "ix_login_failures_address", ["client_address", "failed_at"], unique=False
        )
        batch_op.create_index(
            "ix_login_failures_username_address",
            ["username", "client_address", "failed_at"],
            unique=False,
        )

    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", servicekit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", servicekit.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("principal", "key", name="uq_idempotency_keys_principal_key"),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_keys_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotency_keys_created_at")
    op.drop_table("idempotency_keys")

    op.drop_table("login_failures")
    _login_failures()
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_failed_at", ["failed_at"], unique=False)
        batch_op.create_index(
            "ix_login_failures_username_failed_at", ["username", "failed_at"], unique=False
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("token_version")
        batch_op.drop_column("disabled")
