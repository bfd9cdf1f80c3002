"""Nameko entrypoints of the finance service (skeleton: only ``health`` so far)."""

from servicekit.nameko_ext import HealthRpc, RequestContext, UnitOfWorkProvider


class FinanceService(HealthRpc):
    name = "finance"

    uow = UnitOfWorkProvider()  # its database also keeps parked messages
    context = RequestContext()
