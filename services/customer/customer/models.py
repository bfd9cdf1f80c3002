"""Tables of the customer service and their mapping onto the domain classes."""

from sqlalchemy import JSON, Boolean, Column, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.orm import registry

from customer.domain import ChangeRequest, Customer
from customer.security_keys import encrypted_json, encrypted_text
from servicekit.mappers import once
from servicekit.tables import kit_metadata
from servicekit.types import Money, Ratio, UTCDateTime

metadata = MetaData()
mapper_registry = registry(metadata=metadata)

customers = Table(
    "customers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    # rule X1: the number of the latest event announced about the customer.
    Column("version", Integer, nullable=False, server_default="0"),
    Column("nature", String(20), nullable=False),
    Column("region", String(100)),
    Column("industry", String(100)),
    Column("address", Text),
    # rule C11: personal data, encrypted at rest (customer.security_keys); found by the
    # keyed hashes of customer_lookups (customer.security_models), never by decrypting.
    Column("contacts", encrypted_json(), nullable=False),
    Column("license_no", encrypted_text()),
    Column("tax_no", encrypted_text()),
    Column("payment_method", String(30), nullable=False),
    # rule C3: the terms in effect are null until the card is approved; a new card's
    # asked-for terms wait in proposed_terms (decimal strings) until then.
    Column("settlement_terms", String(30)),
    Column("discount", Ratio()),
    Column("credit_limit", Money()),
    Column("over_acceptance_ratio", Ratio()),
    Column("proposed_terms", JSON),
    Column("owner", String(150)),
    # seed 003: the card's business fields (issue 11.7)
    Column("legal_representative", String(100)),
    Column("business_scope", Text),
    Column("purchase_needs", Text),
    Column("purchase_frequency", String(100)),
    Column("pickup", Boolean, nullable=False),
    Column("status", String(20), nullable=False),
    Column("grade", String(1)),
    Column("risk", String(10)),
    Column("key_account", Boolean, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("approved_at", UTCDateTime()),
    Column("approved_by", String(150)),
)
Index("ix_customers_status", customers.c.status)
Index("ix_customers_name", customers.c.name)
Index("ix_customers_region", customers.c.region)

change_requests = Table(
    "change_requests",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("customer_id", String(32), nullable=False, index=True),
    Column("changes", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("requested_by", String(150), nullable=False),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("decisions", JSON, nullable=False),
    Column("decided_at", UTCDateTime()),
)

# Alembic migrates the service's tables and servicekit's (outbox, inbox, history) together.
target_metadata = [metadata, kit_metadata]


@once
def start_mappers() -> None:
    """Map the domain classes (imperative mapping keeps domain.py pure)."""
    mapper_registry.map_imperatively(Customer, customers)
    mapper_registry.map_imperatively(ChangeRequest, change_requests)
    customer.security_models.map_security()  # issue 11: information security (rule C11)
    customer.grading_models.map_grading()  # issue 11: grading, key accounts, risk, warnings
    customer.interactions_models.map_interactions()  # issue 11: interactions (rule C9)


import customer.grading_models  # noqa: E402  (its tables join metadata; issue 11)
import customer.interactions_models  # noqa: E402  (its table joins metadata; rule C9)
import customer.security_models  # noqa: E402  (its tables join metadata; rule C11)
