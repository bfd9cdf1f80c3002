"""Alembic, per service, run at start under a lock so that several instances
starting together migrate once.

Each service has ``<service>/migrations/`` whose ``env.py`` calls ``run_env``.
Developers make a revision with ``python -m servicekit.migrations <service> revision -m "..."``.
"""

from __future__ import annotations

import contextlib
import fcntl
import sys
import zlib
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool, text

from servicekit.config import database_url
from servicekit.db import normalize_url

# One env.py and one revision template (script.py.mako) for every package.
TEMPLATE = Path(__file__).parent / "migration_template"


def script_location(service: str) -> str:
    """The package's migrations folder: its env.py (which names its tables) and versions/."""
    package = import_module(service)
    return str(Path(package.__file__).parent / "migrations")


def alembic_config(service: str, url: str) -> Config:
    migrations = Path(script_location(service))
    cfg = Config()
    cfg.set_main_option("script_location", str(TEMPLATE).replace("%", "%%"))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(migrations / "versions").replace("%", "%%"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["service"] = service
    cfg.attributes["package_env"] = str(migrations / "env.py")
    return cfg


@contextlib.contextmanager
def _migration_lock(service: str, url: str) -> Iterator[None]:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[-1])
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{path}.migrate-lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
        return
    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    key = zlib.crc32(f"migrate:{service}".encode())
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    engine.dispose()


def upgrade(service: str, url: str | None = None, revision: str = "head") -> None:
    url = normalize_url(url or database_url(service))
    with _migration_lock(service, url):
        command.upgrade(alembic_config(service, url), revision)


def run_env(target_metadata) -> None:
    """Body of every service's ``migrations/env.py``."""
    from alembic import context

    url = normalize_url(context.config.get_main_option("sqlalchemy.url"))
    connectable = create_engine(url, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()


def main(argv: list[str]) -> None:
    """``python -m servicekit.migrations <service> <alembic command> [args]``."""
    from alembic.config import CommandLine

    service, *rest = argv
    cli = CommandLine(prog=f"migrations {service}")
    options = cli.parser.parse_args(rest)
    cfg = alembic_config(service, database_url(service))
    cfg.cmd_opts = options
    url = database_url(service)
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
    cli.run_cmd(cfg, options)
    if rest and rest[0] == "upgrade":
        _declare_event_queues()


def _declare_event_queues() -> None:
    """A migrated service's events must find their subscribers' queues, even before
    those subscribers first start (servicekit.topology)."""
    import os

    from servicekit.config import DEFAULT_AMQP_URI
    from servicekit.topology import declare_subscriber_queues

    try:
        declare_subscriber_queues(os.environ.get("AMQP_URI", DEFAULT_AMQP_URI))
    except Exception as exc:  # the broker may come later; the service declares them at start
        print(f"event queues not declared (broker unreachable: {exc})", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
