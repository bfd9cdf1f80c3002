"""The customer service under nameko on the real broker, on SQLite and PostgreSQL."""

import pytest
from nameko.events import event_handler
from nameko.standalone.rpc import ServiceRpcProxy

from customer.service import CustomerService
from servicekit.contracts.customer import (
    ChangeRequestRequired,
    CustomerNotFound,
    IllegalStatusChange,
)
from servicekit.errors import Invalid
from servicekit.migrations import upgrade
from servicekit.testing import wait_for

CLERK = {"username": "clerk1", "roles": ["sales_clerk"]}
MANAGER = {"username": "sm1", "roles": ["sales_manager"]}
MARKET = {"username": "mm1", "roles": ["market_manager"]}
FINANCE = {"username": "fin1", "roles": ["finance"]}

received: list[tuple[str, dict]] = []


class FinanceListener:
    """Stands in for a consumer of customer events."""

    name = "customer_events_listener"

    @event_handler("customer", "customer_approved")
    def on_approved(self, payload):
        received.append(("customer_approved", payload))

    @event_handler("customer", "terms_changed")
    def on_terms(self, payload):
        received.append(("terms_changed", payload))


@pytest.fixture
def customer_rpc(db_url, rabbit_config, container_factory):
    upgrade("customer", db_url)
    config = {**rabbit_config, "DATABASE_URL": db_url, "OUTBOX_POLL_SECONDS": 0.2}
    container_factory(FinanceListener, rabbit_config).start()
    container_factory(CustomerService, config).start()
    received.clear()
    with ServiceRpcProxy("customer", rabbit_config, timeout=10) as proxy:
        yield proxy


def test_customer_is_created_approved_and_announced(customer_rpc):
    created = customer_rpc.create_customer(
        {"name": "华东机电有限公司", "nature": "distributor", "credit_limit": "50000.00"}, CLERK
    )
    assert created["status"] == "pending_approval"
    assert created["name"] == "华东机电有限公司"

    approved = customer_rpc.approve_customer(created["id"], MANAGER)
    assert approved["status"] == "active"
    assert customer_rpc.get_customer(created["id"])["approved_by"] == "sm1"

    wait_for(lambda: [p for t, p in received if t == "customer_approved"])
    (payload,) = [p for t, p in received if t == "customer_approved"]
    assert payload["customer_id"] == created["id"]
    assert payload["credit_limit"] == "50000.00"
    assert payload["event_id"]


def test_typed_errors_cross_the_broker(customer_rpc):
    with pytest.raises(CustomerNotFound):
        customer_rpc.get_customer("nope")
    with pytest.raises(Invalid) as info:
        customer_rpc.create_customer({"name": "", "nature": "alien"}, CLERK)
    assert set(info.value.details) == {"name", "nature"}
    created = customer_rpc.create_customer({"name": "甲", "nature": "agent"}, CLERK)
    with pytest.raises(IllegalStatusChange):
        customer_rpc.change_status(created["id"], {"status": "dormant"}, MANAGER)
    with pytest.raises(ChangeRequestRequired):
        customer_rpc.update_customer(created["id"], {"discount": "0.9"}, CLERK)


def test_two_party_change_request_applies_and_is_announced(customer_rpc):
    created = customer_rpc.create_customer({"name": "乙公司", "nature": "end_user"}, CLERK)
    customer_rpc.approve_customer(created["id"], MANAGER)
    request = customer_rpc.request_change(
        created["id"], {"discount": "0.80", "reason": "annual volume"}, CLERK
    )
    assert request["status"] == "pending"
    assert (
        customer_rpc.decide_change_request(request["id"], {"decision": "approve"}, MARKET)["status"]
        == "partially_approved"
    )
    assert customer_rpc.get_customer(created["id"])["discount"] == "1.0000"
    done = customer_rpc.decide_change_request(request["id"], {"decision": "approve"}, FINANCE)
    assert done["status"] == "applied"
    assert customer_rpc.get_customer(created["id"])["discount"] == "0.8000"
    wait_for(lambda: [p for t, p in received if t == "terms_changed"])

    audit = customer_rpc.get_audit(created["id"])
    actions = [e["action"] for e in audit]
    assert actions[0] == "created"
    assert "terms_changed" in actions
    assert {e["who"] for e in audit} >= {"clerk1", "sm1", "mm1", "fin1"}


def test_direct_changes_are_audited_and_listed(customer_rpc):
    created = customer_rpc.create_customer(
        {"name": "丙公司", "nature": "agent", "address": "北京"}, CLERK
    )
    customer_rpc.update_customer(created["id"], {"address": "天津"}, CLERK)
    last = customer_rpc.get_audit(created["id"])[-1]
    assert last["changes"] == {"address": {"old": "北京", "new": "天津"}}
    page = customer_rpc.list_customers({"q": "丙"}, 1, 10)
    assert page["total"] == 1 and page["items"][0]["id"] == created["id"]
