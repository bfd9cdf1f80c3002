"""The table of interactions (rule C9) on the customer service's metadata; mapped by
``map_interactions`` (called from ``customer.models.start_mappers``). The composition
analysis (rule C10) has no table of its own: it reads grading's summary of invoices
(``summary_invoices``) and the cards."""

from sqlalchemy import Column, Index, Integer, String, Table, Text

from customer.domain.interactions import Interaction
from customer.models import mapper_registry, metadata
from servicekit.types import UTCDateTime

USER = String(150)

customer_interactions = Table(
    "customer_interactions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("customer_id", String(64), nullable=False),
    Column("type", String(20), nullable=False),
    Column("at", UTCDateTime(), nullable=False),  # when it happened
    Column("notes", Text, nullable=False),
    Column("score", Integer),  # a survey's 1..5
    Column("by", USER, nullable=False),
    Column("recorded_by", USER, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    # an enquiry's or suggestion's reply and when it was due (rule C9, seed 003)
    Column("reply_due_at", UTCDateTime()),
    Column("reply", Text),
    Column("replied_at", UTCDateTime()),
    Column("replied_by", USER),
)
Index(
    "ix_customer_interactions_customer_at",
    customer_interactions.c.customer_id,
    customer_interactions.c.at,
)
Index("ix_customer_interactions_type_at", customer_interactions.c.type, customer_interactions.c.at)
Index(
    "ix_customer_interactions_reply_due",
    customer_interactions.c.replied_at,
    customer_interactions.c.reply_due_at,
)


def map_interactions() -> None:
    mapper_registry.map_imperatively(Interaction, customer_interactions)
