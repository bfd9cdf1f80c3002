"""Nameko entrypoints of the complaints service (skeleton: only ``health`` so far)."""

from nameko.rpc import rpc


class ComplaintsService:
    name = "complaints"

    @rpc
    def health(self) -> dict:
        """Liveness for the gateway's /health/ready.

        Example: ``health()`` -> ``{"service": "complaints", "status": "ok"}``
        """
        return {"service": self.name, "status": "ok"}
