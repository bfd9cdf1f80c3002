"""The customer service under nameko on the real broker, on SQLite and PostgreSQL."""

import pytest
from nameko.events import event_handler
from nameko.standalone.rpc import ServiceRpcProxy

from customer.service import CustomerService
from servicekit.contracts.customer import (
    ChangeRequestRequired,
    CustomerNotFound,
    IllegalStatusChange,
    TermsNotInEffect,
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

    @event_handler("customer", "owner_changed")
    def on_owner(self, payload):
        received.append(("owner_changed", payload))


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
        {
            "name": "华东机电有限公司",
            "nature": "distributor",
            "credit_limit": "50000.00",
            "over_acceptance_ratio": "0.08",
        },
        CLERK,
    )
    assert created["status"] == "pending_approval"
    assert created["name"] == "华东机电有限公司"
    # rule C3: what the clerk asked for is a proposal, nothing is in effect yet
    assert created["credit_limit"] is None and created["over_acceptance_ratio"] is None
    assert created["proposed_terms"]["credit_limit"] == "50000.00"
    assert created["proposed_terms"]["over_acceptance_ratio"] == "0.08"
    assert customer_rpc.get_customer(created["id"])["proposed_terms"] == created["proposed_terms"]

    approved = customer_rpc.approve_customer(created["id"], MANAGER)
    assert approved["status"] == "active"
    assert approved["proposed_terms"] is None
    card = customer_rpc.get_customer(created["id"])
    assert card["approved_by"] == "sm1"
    assert (card["credit_limit"], card["over_acceptance_ratio"]) == ("50000.00", "0.0800")

    wait_for(lambda: [p for t, p in received if t == "customer_approved"])
    (payload,) = [p for t, p in received if t == "customer_approved"]
    assert payload["customer_id"] == created["id"]
    assert payload["credit_limit"] == "50000.00"
    assert payload["over_acceptance_ratio"] == "0.08"
    assert payload["event_id"]

    (approval,) = [e for e in customer_rpc.get_audit(created["id"]) if e["action"] == "approved"]
    assert approval["who"] == "sm1"
    assert approval["changes"]["credit_limit"] == {"old": None, "new": "50000.00"}


def test_over_acceptance_ratio_changes_only_by_two_party_request(customer_rpc):  # rule C4
    created = customer_rpc.create_customer(
        {"name": "丁公司", "nature": "agent", "over_acceptance_ratio": "0.05"}, CLERK
    )
    with pytest.raises(TermsNotInEffect):  # rule C3: approve the card first
        customer_rpc.request_change(
            created["id"], {"over_acceptance_ratio": "0.10", "reason": "r"}, CLERK
        )
    customer_rpc.approve_customer(created["id"], MANAGER)
    with pytest.raises(ChangeRequestRequired) as info:
        customer_rpc.update_customer(created["id"], {"over_acceptance_ratio": "0.50"}, CLERK)
    assert "over_acceptance_ratio" in info.value.details
    assert customer_rpc.get_customer(created["id"])["over_acceptance_ratio"] == "0.0500"

    request = customer_rpc.request_change(
        created["id"], {"over_acceptance_ratio": "0.10", "reason": "散装货物"}, CLERK
    )
    customer_rpc.decide_change_request(request["id"], {"decision": "approve"}, MARKET)
    assert customer_rpc.get_customer(created["id"])["over_acceptance_ratio"] == "0.0500"
    done = customer_rpc.decide_change_request(request["id"], {"decision": "approve"}, FINANCE)
    assert done["status"] == "applied"
    assert customer_rpc.get_customer(created["id"])["over_acceptance_ratio"] == "0.1000"
    wait_for(lambda: [p for t, p in received if t == "terms_changed"])
    (payload,) = [p for t, p in received if t == "terms_changed"]
    assert payload["over_acceptance_ratio"] == "0.10"


def test_an_owner_change_is_announced(customer_rpc):  # rule X1
    created = customer_rpc.create_customer({"name": "戊公司", "nature": "agent"}, CLERK)
    customer_rpc.update_customer(created["id"], {"owner": "wang.sales"}, MANAGER)
    wait_for(lambda: [p for t, p in received if t == "owner_changed"])
    (payload,) = [p for t, p in received if t == "owner_changed"]
    assert payload["customer_id"] == created["id"]
    assert (payload["owner"], payload["previous_owner"]) == ("wang.sales", "clerk1")
    assert payload["changed_by"] == "sm1" and payload["event_id"]


def test_typed_errors_cross_the_broker(customer_rpc):
    with pytest.raises(CustomerNotFound):
        customer_rpc.get_customer("nope")
    with pytest.raises(Invalid) as info:
        customer_rpc.create_customer({"name": "", "nature": "alien"}, CLERK)
    assert set(info.value.details) == {"name", "nature"}
    created = customer_rpc.create_customer({"name": "甲", "nature": "agent"}, CLERK)
    with pytest.raises(IllegalStatusChange):
        customer_rpc.change_status(created["id"], {"status": "dormant"}, MANAGER)
    customer_rpc.approve_customer(created["id"], MANAGER)
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


def test_change_requests_awaiting_a_side_are_listed_with_the_customer(customer_rpc):  # rule C4
    created = customer_rpc.create_customer({"name": "丁公司", "nature": "agent"}, CLERK)
    customer_rpc.approve_customer(created["id"], MANAGER)
    request = customer_rpc.request_change(
        created["id"], {"credit_limit": "5000.00", "reason": "扩大采购"}, CLERK
    )
    customer_rpc.decide_change_request(request["id"], {"decision": "approve"}, MARKET)

    page = customer_rpc.list_all_change_requests({"awaiting": "finance"}, 1, 10)
    assert page["total"] == 1 and (page["page"], page["per_page"]) == (1, 10)
    (item,) = page["items"]
    assert item["id"] == request["id"] and item["customer_name"] == "丁公司"
    assert item["changes"] == {"credit_limit": {"old": "0.00", "new": "5000.00"}}
    assert (item["reason"], item["requested_by"], item["status"]) == (
        "扩大采购",
        "clerk1",
        "partially_approved",
    )
    assert [(d["role"], d["by"]) for d in item["decisions"]] == [("market_manager", "mm1")]
    assert customer_rpc.list_all_change_requests({"awaiting": "market_manager"})["total"] == 0
    with pytest.raises(Invalid) as info:
        customer_rpc.list_all_change_requests({"awaiting": "vp", "status": "open"}, 1, 10)
    assert set(info.value.details) == {"awaiting", "status"}


def test_direct_changes_are_audited_and_listed(customer_rpc):
    created = customer_rpc.create_customer(
        {"name": "丙公司", "nature": "agent", "address": "北京"}, CLERK
    )
    customer_rpc.update_customer(created["id"], {"address": "天津"}, CLERK)
    last = customer_rpc.get_audit(created["id"])[-1]
    assert last["changes"] == {"address": {"old": "北京", "new": "天津"}}
    page = customer_rpc.list_customers({"q": "丙"}, 1, 10)
    assert page["total"] == 1 and page["items"][0]["id"] == created["id"]


def test_a_redelivered_command_is_not_carried_out_twice(customer_rpc, rabbit_config):
    """The same RPC message twice (as when the instance that took it died before
    answering): one customer, and both deliveries answer the first result (issue 7)."""
    import json
    import uuid

    from kombu import Connection, Exchange, Queue

    amqp_uri = rabbit_config["AMQP_URI"]
    name = f"重投客户-{uuid.uuid4().hex[:6]}"
    body = {"args": [{"name": name, "nature": "agent"}, CLERK], "kwargs": {}}
    rpc_exchange = Exchange("nameko-rpc", type="topic", durable=True)
    reply_name = f"test-replies-{uuid.uuid4().hex[:6]}"
    reply_queue = Queue(reply_name, exchange=rpc_exchange, routing_key=reply_name, auto_delete=True)
    replies = []
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        reply_queue(channel).declare()
        producer = conn.Producer(channel)
        correlation_id = uuid.uuid4().hex
        for _ in range(2):
            producer.publish(
                body,
                exchange=rpc_exchange,
                routing_key="customer.create_customer",
                reply_to=reply_queue.name,
                correlation_id=correlation_id,
                serializer="json",
            )
        simple = conn.SimpleQueue(reply_queue)
        for _ in range(2):
            message = simple.get(timeout=10)
            payload = (
                message.payload if isinstance(message.payload, dict) else json.loads(message.body)
            )
            replies.append(payload)
            message.ack()
        simple.close()
    assert [r.get("error") for r in replies] == [None, None]
    assert replies[0]["result"]["name"] == name
    assert replies[1]["result"] == replies[0]["result"]
    assert customer_rpc.list_customers({"q": name}, 1, 10)["total"] == 1
