"""Nameko entrypoints of the finance service (skeleton: only ``health`` so far)."""

from nameko.rpc import rpc


class FinanceService:
    name = "finance"

    @rpc
    def health(self) -> dict:
        """Liveness for the gateway's /health/ready.

        Example: ``health()`` -> ``{"service": "finance", "status": "ok"}``
        """
        return {"service": self.name, "status": "ok"}
