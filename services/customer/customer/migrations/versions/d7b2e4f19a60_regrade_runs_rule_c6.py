"""regrade runs rule C6: re-grading every customer in batches, one run at a time

Revision ID: d7b2e4f19a60
Revises: a3f9c2d14e57
Create Date: 2026-11-27 19:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.types

# revision identifiers, used by Alembic.
revision: str = "d7b2e4f19a60"
down_revision: str | Sequence[str] | None = "a3f9c2d14e57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "regrade_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("running_slot", sa.String(length=10), nullable=True),
        sa.Column("requested_by", sa.String(length=150), nullable=False),
        sa.Column("started_at", servicekit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", servicekit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("graded", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("resumed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("after_created_at", servicekit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("after_id", sa.String(length=64), nullable=True),
        sa.Column("holder", sa.String(length=120), nullable=True),
        sa.Column("lease_until", servicekit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", servicekit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("running_slot", name="uq_regrade_runs_running_slot"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("regrade_runs")
