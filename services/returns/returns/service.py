"""Nameko entrypoints of the returns service (skeleton: only ``health`` so far)."""

from nameko.rpc import rpc


class ReturnsService:
    name = "returns"

    @rpc
    def health(self) -> dict:
        """Liveness for the gateway's /health/ready.

        Example: ``health()`` -> ``{"service": "returns", "status": "ok"}``
        """
        return {"service": self.name, "status": "ok"}
