"""Who listens to which event (CONTRACT "Between services"), by handler name.

This table is the broker's topology: every service declares these queues when it
starts and when it migrates (``servicekit.topology``), so an event published while
its consumer is down or not yet deployed waits in the consumer's queue. A consumer's
``@handle_event`` methods must all be listed here (tests/contract checks it); a
listed handler that is not written yet simply collects its events until it is.
Events nobody subscribes to are published without ``mandatory`` (audit only).
"""

from __future__ import annotations

from typing import NamedTuple


class Subscription(NamedTuple):
    source: str  # the publishing service
    event_type: str
    consumer: str  # the consuming service
    handler: str  # its @handle_event method

    @property
    def queue(self) -> str:
        """nameko's queue name for a SERVICE_POOL event handler."""
        return f"evt-{self.source}-{self.event_type}--{self.consumer}.{self.handler}"


def _s(source: str, event_type: str, consumer: str) -> Subscription:
    return Subscription(source, event_type, consumer, f"handle_{event_type}")


SUBSCRIPTIONS: tuple[Subscription, ...] = (
    # finance keeps its own copy of customers' terms and owner (rule X1)
    _s("customer", "customer_approved", "finance"),
    _s("customer", "terms_changed", "finance"),
    _s("customer", "owner_changed", "finance"),
    _s("customer", "status_changed", "finance"),  # whether the customer may order (rule F5)
    # customer summarises complaints; finance leaves complaint-tied receivables out
    _s("complaints", "complaint_registered", "customer"),
    _s("complaints", "complaint_registered", "finance"),
    _s("complaints", "complaint_closed", "customer"),
    _s("complaints", "complaint_closed", "finance"),
    _s("complaints", "complaint_rejected", "customer"),  # no longer a dispute (rule C8)
    _s("complaints", "complaint_rejected", "finance"),  # a rejected case ties nothing (rule F6)
    # an accepted plan becomes returns and replenishments, and vouchers (rule P8)
    _s("complaints", "plan_accepted", "returns"),
    _s("complaints", "plan_accepted", "finance"),
    # returns report back to the case (rule P8); finance reconciles what arrived
    _s("returns", "return_authorized", "complaints"),
    _s("returns", "return_received", "complaints"),
    _s("returns", "return_received", "finance"),
    _s("returns", "return_inspected", "complaints"),
    _s("returns", "replenishment_shipped", "complaints"),
    # finance reports back to the case (rule P8, rule P10) and feeds customer's summaries
    _s("finance", "voucher_issued", "complaints"),
    _s("finance", "reconciliation_exception", "complaints"),
    _s("finance", "invoice_recorded", "customer"),
    _s("finance", "ledger_changed", "customer"),
)


def subscribers(source: str, event_type: str) -> list[Subscription]:
    return [s for s in SUBSCRIPTIONS if s.source == source and s.event_type == event_type]
