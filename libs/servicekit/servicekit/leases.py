"""Named leases: one instance among several does a timer's job (rule: timers claim work)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from servicekit.db import Database
from servicekit.domain import utcnow
from servicekit.tables import leases


def try_acquire(database: Database, name: str, holder: str, ttl: timedelta) -> bool:
    """Take or renew the lease ``name`` for ``holder``; False when another holds it."""
    now = utcnow()
    with database.engine.begin() as conn:
        taken = conn.execute(
            update(leases)
            .where(leases.c.name == name, (leases.c.until < now) | (leases.c.holder == holder))
            .values(holder=holder, until=now + ttl)
        ).rowcount
        if taken:
            return True
    try:
        with database.engine.begin() as conn:
            conn.execute(insert(leases).values(name=name, holder=holder, until=now + ttl))
        return True
    except IntegrityError:
        return False
