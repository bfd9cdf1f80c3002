"""Alembic environment of the gateway's own database (identity, idempotency keys)."""

import gateway.idempotency  # noqa: F401  (its table is on the same metadata)
from gateway.auth.tables import metadata
from servicekit.migrations import run_env

run_env(metadata)
