"""a new card's terms are proposed until its approval (rule C3)

Revision ID: 5d3c0e9b7a12
Revises: c4e1a7b20f31
Create Date: 2026-11-27 14:00:00.000000

Cards not approved yet (lead, pending_approval) keep the terms they asked for in
``proposed_terms``; their terms in effect become null until a manager approves them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from servicekit.types import Money, Ratio

# revision identifiers, used by Alembic.
revision: str = "5d3c0e9b7a12"
down_revision: str | Sequence[str] | None = "c4e1a7b20f31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_STATUSES = ("lead", "pending_approval")
TERMS = ("discount", "settlement_terms", "credit_limit", "over_acceptance_ratio")
DEFAULTS = {"discount": "1.00", "settlement_terms": "cash_on_delivery", "credit_limit": "0.00"}

customers = sa.table(
    "customers",
    sa.column("id", sa.String),
    sa.column("status", sa.String),
    sa.column("discount", Ratio()),
    sa.column("settlement_terms", sa.String),
    sa.column("credit_limit", Money()),
    sa.column("over_acceptance_ratio", Ratio()),
    sa.column("proposed_terms", sa.JSON),
)


def _text(value):
    return None if value is None else str(value)


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposed_terms", sa.JSON(), nullable=True))
        batch_op.alter_column("settlement_terms", existing_type=sa.String(30), nullable=True)
        batch_op.alter_column("discount", existing_type=Ratio(), nullable=True)
        batch_op.alter_column("credit_limit", existing_type=Money(), nullable=True)

    bind = op.get_bind()
    rows = bind.execute(
        sa.select(customers.c.id, *(customers.c[f] for f in TERMS)).where(
            customers.c.status.in_(NEW_STATUSES)
        )
    ).all()
    for row in rows:
        proposal = {f: _text(getattr(row, f)) for f in TERMS}
        bind.execute(
            customers.update()
            .where(customers.c.id == row.id)
            .values(proposed_terms=proposal, **dict.fromkeys(TERMS))
        )


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(customers.c.id, customers.c.proposed_terms).where(
            customers.c.proposed_terms.is_not(None)
        )
    ).all()
    for row in rows:
        proposal = {**DEFAULTS, **{k: v for k, v in row.proposed_terms.items() if v is not None}}
        bind.execute(
            customers.update()
            .where(customers.c.id == row.id)
            .values(**{f: proposal.get(f) for f in TERMS})
        )

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.alter_column("credit_limit", existing_type=Money(), nullable=False)
        batch_op.alter_column("discount", existing_type=Ratio(), nullable=False)
        batch_op.alter_column("settlement_terms", existing_type=sa.String(30), nullable=False)
        batch_op.drop_column("proposed_terms")
