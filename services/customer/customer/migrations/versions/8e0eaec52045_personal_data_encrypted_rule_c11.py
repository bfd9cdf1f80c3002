"""personal data encrypted at rest, lookup hashes, card reads (rule C11)

The card's contacts, licence and tax numbers become Fernet tokens (text columns), and so
do the old and new values of those fields in the customer's history; every card gets
its keyed lookup hashes (customer_lookups); reads of cards are kept (customer_reads).
The data step uses the service's keys (``customer.security_keys``: CUSTOMER_DATA_KEYS and
CUSTOMER_INDEX_KEY, or the key files under $AFTERSALES_DATA_DIR, generated when there are
none) and runs only when there are rows to convert. The downgrade decrypts them again.

Revision ID: 8e0eaec52045
Revises: 4943c58c3e19
Create Date: 2026-11-27 17:05:00.000000

"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import servicekit.types  # noqa: F401  (custom column types)
from servicekit.tables import BigId

# revision identifiers, used by Alembic.
revision: str = "8e0eaec52045"
down_revision: str | Sequence[str] | None = "4943c58c3e19"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERSONAL = ("contacts", "license_no", "tax_no")


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "customer_lookups",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("kind", "digest", "customer_id"),
    )
    op.create_index("ix_customer_lookups_customer", "customer_lookups", ["customer_id"])
    op.create_table(
        "customer_reads",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=32), nullable=False),
        sa.Column("at", servicekit.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=150), nullable=False),
        sa.Column("roles", sa.String(length=300), nullable=False),
        sa.Column("view", sa.String(length=20), nullable=False),
        sa.Column("masked", sa.Boolean(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_customer_reads_customer", "customer_reads", ["customer_id", "id"])
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.alter_column(
            "contacts",
            existing_type=sa.JSON(),
            type_=sa.Text(),
            existing_nullable=False,
            postgresql_using="contacts::text",
        )
        for column in ("license_no", "tax_no"):
            batch_op.alter_column(column, existing_type=sa.String(length=64), type_=sa.Text())
    _encrypt_rows()


def downgrade() -> None:
    _decrypt_rows()
    with op.batch_alter_table("customers", schema=None) as batch_op:
        for column in ("license_no", "tax_no"):
            batch_op.alter_column(
                column,
                existing_type=sa.Text(),
                type_=sa.String(length=64),
                postgresql_using=f"{column}::varchar(64)",
            )
        batch_op.alter_column(
            "contacts",
            existing_type=sa.Text(),
            type_=sa.JSON(),
            existing_nullable=False,
            postgresql_using="contacts::json",
        )
    op.drop_index("ix_customer_reads_customer", table_name="customer_reads")
    op.drop_table("customer_reads")
    op.drop_index("ix_customer_lookups_customer", table_name="customer_lookups")
    op.drop_table("customer_lookups")


# --- data -----------------------------------------------------------------------------
customers = sa.table(
    "customers",
    sa.column("id", sa.String),
    sa.column("contacts", sa.Text),
    sa.column("license_no", sa.Text),
    sa.column("tax_no", sa.Text),
)
history = sa.table(
    "history",
    sa.column("id", sa.Integer),
    sa.column("entity_type", sa.String),
    sa.column("changes", sa.JSON),
)
lookups = sa.table(
    "customer_lookups",
    sa.column("kind", sa.String),
    sa.column("digest", sa.String),
    sa.column("customer_id", sa.String),
)


def _customer_history(bind) -> list:
    return bind.execute(
        sa.select(history.c.id, history.c.changes).where(history.c.entity_type == "customer")
    ).all()


def _encrypt_rows() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(customers)).all()
    entries = [e for e in _customer_history(bind) if set(PERSONAL) & set(e.changes or {})]
    if not rows and not entries:
        return  # a new database: no key is needed (nor generated) yet
    from customer.security_keys import KEYS, digests, seal_changes

    ring = KEYS.data()
    for row in rows:
        contacts = json.loads(row.contacts) if row.contacts else []
        bind.execute(
            sa.update(customers)
            .where(customers.c.id == row.id)
            .values(
                contacts=ring.encrypt(json.dumps(contacts, ensure_ascii=False)),
                license_no=None if row.license_no is None else ring.encrypt(row.license_no),
                tax_no=None if row.tax_no is None else ring.encrypt(row.tax_no),
            )
        )
        found = digests(contacts, row.license_no, row.tax_no)
        if found:
            bind.execute(
                sa.insert(lookups),
                [{"kind": k, "digest": d, "customer_id": row.id} for k, d in sorted(found)],
            )
    for entry in entries:
        bind.execute(
            sa.update(history)
            .where(history.c.id == entry.id)
            .values(changes=seal_changes(entry.changes, ring))
        )


def _decrypt_rows() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(customers)).all()
    entries = [e for e in _customer_history(bind) if set(PERSONAL) & set(e.changes or {})]
    if not rows and not entries:
        return
    from customer.security_keys import KEYS, open_changes

    ring = KEYS.data()
    for row in rows:
        bind.execute(
            sa.update(customers)
            .where(customers.c.id == row.id)
            .values(
                contacts=ring.decrypt(row.contacts),
                license_no=None if row.license_no is None else ring.decrypt(row.license_no),
                tax_no=None if row.tax_no is None else ring.decrypt(row.tax_no),
            )
        )
    for entry in entries:
        bind.execute(
            sa.update(history)
            .where(history.c.id == entry.id)
            .values(changes=open_changes(entry.changes, ring))
        )
