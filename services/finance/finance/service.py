"""Nameko entrypoints of the finance service (skeleton: only ``health`` so far)."""

from servicekit.nameko_ext import RequestContext, UnitOfWorkProvider, query


class FinanceService:
    name = "finance"

    uow = UnitOfWorkProvider()  # its database also keeps parked messages
    context = RequestContext()

    @query
    def health(self) -> dict:
        """Liveness for the gateway's /health/ready.

        Example: ``health()`` -> ``{"service": "finance", "status": "ok"}``
        """
        return {"service": self.name, "status": "ok"}
