"""The subscription table (servicekit.contracts.subscriptions) is the broker topology
every service declares: it must name real events and every real consumer (issue 7)."""

import inspect
from importlib import import_module

import pytest

from servicekit.contracts import complaints as complaints_contract
from servicekit.contracts import customer, finance, returns
from servicekit.contracts.subscriptions import SUBSCRIPTIONS, Subscription
from servicekit.events import IdempotentEventHandler
from servicekit.run import service_class

EVENT_NAMES = {
    "customer": set(customer.EVENTS),
    "complaints": set(complaints_contract.EVENTS),
    "returns": {
        returns.RETURN_AUTHORIZED,
        returns.RETURN_RECEIVED,
        returns.RETURN_INSPECTED,
        returns.REPLENISHMENT_SHIPPED,
    },
    "finance": {
        finance.VOUCHER_ISSUED,
        finance.VOUCHER_POSTED,
        finance.RECONCILIATION_EXCEPTION,
        finance.INVOICE_RECORDED,
        finance.LEDGER_CHANGED,
    },
}


def event_handlers(service: str) -> set[Subscription]:
    cls = service_class(service)
    found = set()
    # inherited too: a service's entrypoints may come from mixins (customer's features)
    for name, method in inspect.getmembers(cls):
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if isinstance(entrypoint, IdempotentEventHandler):
                found.add(
                    Subscription(entrypoint.source_service, entrypoint.event_type, service, name)
                )
    return found


@pytest.mark.parametrize("subscription", SUBSCRIPTIONS, ids=lambda s: s.queue)
def test_every_subscription_names_an_event_its_source_publishes(subscription):
    assert subscription.event_type in EVENT_NAMES[subscription.source]


@pytest.mark.parametrize("service", sorted(EVENT_NAMES))
def test_every_event_handler_of_a_service_is_in_the_table(service):
    import_module(f"{service}.service")
    assert event_handlers(service) <= set(SUBSCRIPTIONS)


def test_complaints_handlers_are_found():
    """The check above must see handlers, or it proves nothing."""
    assert len(event_handlers("complaints")) >= 6


def test_handlers_inherited_from_a_mixin_are_found():
    """customer's issue 11 features declare their consumers on mixin classes."""
    import_module("customer.service")
    inherited = {s.handler for s in event_handlers("customer")}
    own = {name for name in vars(service_class("customer"))}
    assert inherited - own, "no inherited handler seen: the checks above would miss them"


@pytest.mark.parametrize("service", sorted(EVENT_NAMES))
def test_no_service_uses_nameko_rpc_directly(service):
    """All RPC entrypoints share one queue: a plain @rpc would bypass the checks."""
    from nameko.rpc import Rpc

    from servicekit.commands import SafeRpc

    cls = service_class(service)
    for name, method in inspect.getmembers(cls):
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if isinstance(entrypoint, Rpc):
                assert isinstance(entrypoint, SafeRpc), f"{service}.{name} uses nameko's @rpc"
