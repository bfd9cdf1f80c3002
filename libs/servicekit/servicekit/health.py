"""The ``health`` RPC every service answers (the gateway's /health/ready asks it)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from servicekit.commands import query
from servicekit.db import UnitOfWork


class HealthRpc:
    """Mixin for a nameko service class with ``name`` and a ``UnitOfWorkProvider`` as
    ``uow``: ``health()`` answers once the service reads its database."""

    name: str
    uow: Callable[[], UnitOfWork]

    @query
    def health(self) -> dict:
        """Liveness for the gateway's /health/ready: the service answers and its
        database does.

        Example: ``health()`` -> ``{"service": "customer", "status": "ok"}``
        """
        with self.uow() as uow:
            uow.session.execute(text("SELECT 1"))
        return {"service": self.name, "status": "ok"}
