"""read audit retention rule C11: an index on customer_reads.at for the prune

Revision ID: a3f9c2d14e57
Revises: 19815fdd1c17
Create Date: 2026-12-02 10:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a3f9c2d14e57"
down_revision: str | Sequence[str] | None = "19815fdd1c17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("customer_reads", schema=None) as batch_op:
        batch_op.create_index("ix_customer_reads_at", ["at"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("customer_reads", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_reads_at")
