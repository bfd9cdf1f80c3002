"""kit tables v2: command results in the inbox, parked messages

Revision ID: e7a3b91c5d04
Revises: 95a94ece8fdd
Create Date: 2026-11-27 13:20:00.000000

"""

from collections.abc import Sequence

from servicekit import kit_migrations

# revision identifiers, used by Alembic.
revision: str = "e7a3b91c5d04"
down_revision: str | Sequence[str] | None = "95a94ece8fdd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    kit_migrations.upgrade_v2()


def downgrade() -> None:
    kit_migrations.downgrade_v2()
