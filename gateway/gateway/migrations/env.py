"""Alembic environment of the gateway's identity database."""

from gateway.auth.tables import metadata
from servicekit.migrations import run_env

run_env(metadata)
