"""Nameko entrypoints of the returns service (skeleton: only ``health`` so far)."""

from servicekit.nameko_ext import HealthRpc, RequestContext, UnitOfWorkProvider


class ReturnsService(HealthRpc):
    name = "returns"

    uow = UnitOfWorkProvider()  # its database also keeps parked messages
    context = RequestContext()
