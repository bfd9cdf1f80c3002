"""The gateway's own database: who may call the suite."""

from sqlalchemy import JSON, Boolean, Column, Index, Integer, MetaData, String, Table, false

from servicekit.types import UTCDateTime

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    # Unique: several workers bootstrapping ``admin`` at once create it once.
    Column("username", String(150), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("department", String(100)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(150)),
    # A disabled user's tokens are refused from the next request (access.authenticate).
    Column("disabled", Boolean, nullable=False, default=False, server_default=false()),
    # Tokens carry the version they were issued at; disabling the user or changing the
    # password moves it on, so no older token works again (not even after re-enabling).
    Column("token_version", Integer, nullable=False, default=0, server_default="0"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    # SHA-256 of the key; the key itself is shown once and never stored.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("roles", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("created_by", String(150)),
    Column("revoked_at", UTCDateTime()),
)

# One row per failed login, counted per (username, client address) and per client
# address over a window (gateway.auth.login); in the database so that every
# gunicorn worker sees the same count.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(150), nullable=False),
    Column("client_address", String(100), nullable=False),
    Column("failed_at", UTCDateTime(), nullable=False),
    Index("ix_login_failures_username_address", "username", "client_address", "failed_at"),
    Index("ix_login_failures_address", "client_address", "failed_at"),
    Index("ix_login_failures_failed_at", "failed_at"),
)
