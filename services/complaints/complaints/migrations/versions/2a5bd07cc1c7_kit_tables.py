"""kit tables

Revision ID: 2a5bd07cc1c7
Revises:
Create Date: 2026-11-23 02:57:26.352209

"""

from collections.abc import Sequence

from servicekit import kit_migrations

# revision identifiers, used by Alembic.
revision: str = "2a5bd07cc1c7"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    kit_migrations.upgrade_v1()


def downgrade() -> None:
    kit_migrations.downgrade_v1()
