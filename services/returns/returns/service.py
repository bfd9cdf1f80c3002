"""Nameko entrypoints of the returns service (skeleton: only ``health`` so far)."""

from servicekit.nameko_ext import RequestContext, UnitOfWorkProvider, query


class ReturnsService:
    name = "returns"

    uow = UnitOfWorkProvider()  # its database also keeps parked messages
    context = RequestContext()

    @query
    def health(self) -> dict:
        """Liveness for the gateway's /health/ready.

        Example: ``health()`` -> ``{"service": "returns", "status": "ok"}``
        """
        return {"service": self.name, "status": "ok"}
