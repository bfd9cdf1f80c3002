"""The migration that makes a new card's terms a proposal (rule C3) carries existing
cards over, on SQLite and PostgreSQL: cards not approved yet keep what they asked for
as proposed terms and have none in effect; approved cards keep theirs."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from servicekit.db import normalize_url
from servicekit.migrations import alembic_config, upgrade
from servicekit.types import Money, Ratio, UTCDateTime

REVISION = "5d3c0e9b7a12"
NOW = datetime(2026, 11, 1, tzinfo=UTC)

customers = sa.table(
    "customers",
    *(sa.column(name, sa.String) for name in ("id", "name", "nature", "status")),
    *(sa.column(name, sa.String) for name in ("payment_method", "settlement_terms")),
    sa.column("contacts", sa.JSON),
    sa.column("discount", Ratio()),
    sa.column("credit_limit", Money()),
    sa.column("over_acceptance_ratio", Ratio()),
    sa.column("pickup", sa.Boolean),
    sa.column("key_account", sa.Boolean),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


def card(customer_id: str, status: str) -> dict:
    return {
        "id": customer_id,
        "name": customer_id,
        "nature": "agent",
        "status": status,
        "payment_method": "bank_transfer",
        "settlement_terms": "net_30",
        "contacts": [],
        "discount": Decimal("0.85"),
        "credit_limit": Decimal("200000.00"),
        "over_acceptance_ratio": Decimal("0.05"),
        "pickup": False,
        "key_account": False,
        "created_at": NOW,
        "updated_at": NOW,
    }


def test_pending_cards_keep_their_terms_as_a_proposal(db_url):  # rule C3
    config = alembic_config("customer", db_url)
    before = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    upgrade("customer", db_url, before)
    engine = sa.create_engine(normalize_url(db_url))
    try:
        with engine.begin() as conn:
            conn.execute(
                customers.insert(),
                [card("pending", "pending_approval"), card("lead", "lead"), card("on", "active")],
            )
        upgrade("customer", db_url, REVISION)
        terms = "discount, settlement_terms, credit_limit, over_acceptance_ratio, proposed_terms"
        with engine.connect() as conn:
            rows = {r.id: r for r in conn.execute(sa.text(f"SELECT id, {terms} FROM customers"))}
        proposal = {
            "discount": "0.8500",
            "settlement_terms": "net_30",
            "credit_limit": "200000.00",
            "over_acceptance_ratio": "0.0500",
        }
        for customer_id in ("pending", "lead"):
            row = rows[customer_id]
            assert (row.discount, row.credit_limit, row.over_acceptance_ratio) == (None,) * 3
            assert row.settlement_terms is None
            proposed = row.proposed_terms
            assert (json.loads(proposed) if isinstance(proposed, str) else proposed) == proposal
        assert rows["on"].proposed_terms is None
        assert Decimal(str(rows["on"].credit_limit)) == Decimal("200000.00")

        command.downgrade(config, before)  # and back: the proposal is in the columns again
        with engine.connect() as conn:
            pending = conn.execute(
                sa.select(customers.c.credit_limit, customers.c.status).where(
                    customers.c.id == "pending"
                )
            ).one()
        assert pending.credit_limit == Decimal("200000.00")
    finally:
        engine.dispose()
