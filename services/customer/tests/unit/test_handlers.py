"""Every customer handler through the fake unit of work (servicekit.testing): the use
case loads, refuses and commits as the service does, with no broker and no database.
The events and history are what the unit of work would write at commit (rule X2, rule X3)."""

from decimal import Decimal

import pytest

from customer import handlers
from customer.commands import (
    ChangeStatus,
    CreateCustomer,
    DecideChangeRequest,
    RequestChange,
    UpdateCustomer,
)
from customer.domain import CustomerSettings
from customer.repository import REPOSITORIES
from servicekit.contracts.customer import (
    AlreadyDecided,
    ChangeRequestNotFound,
    ChangeRequestRequired,
    CustomerNotFound,
    DiscountBelowFloor,
    IllegalStatusChange,
    NotADecider,
    TermsNotInEffect,
)
from servicekit.domain import Actor
from servicekit.testing import FakeUnitOfWork

SETTINGS = CustomerSettings()
CLERK = Actor("li.na", ("sales_clerk",))
MANAGER = Actor("liu.yang", ("sales_manager",))
MARKET = Actor("chen.jing", ("market_manager",))
FINANCE = Actor("zhao.min", ("finance",))
CARD = CreateCustomer(
    name="华东机电有限公司",
    nature="distributor",
    region="华东",
    settlement_terms="net_30",
    discount=Decimal("0.85"),
    credit_limit=Decimal("200000.00"),
)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(REPOSITORIES)


def created(uow: FakeUnitOfWork, card: CreateCustomer = CARD) -> str:
    return handlers.create_customer(uow, card, CLERK, SETTINGS).id


def approved(uow: FakeUnitOfWork) -> str:
    customer_id = created(uow)
    handlers.approve_customer(uow, customer_id, MANAGER)
    return customer_id


def requested(uow: FakeUnitOfWork, customer_id: str, **terms) -> str:
    change = RequestChange("annual volume agreement", terms or {"discount": Decimal("0.80")})
    return handlers.request_change(uow, customer_id, change, CLERK, SETTINGS).id


def actions(uow: FakeUnitOfWork, entity_id: str) -> list[str]:
    return [h.action for h in uow.history if h.entity_id == entity_id]


# --- create_customer, get_customer -------------------------------------------------
def test_created_card_is_stored_pending_with_its_terms_only_proposed(uow):  # rule C3
    customer_id = created(uow)
    assert uow.committed
    customer = handlers.get_customer(uow, customer_id)
    assert (customer.status, customer.owner, customer.nature) == (
        "pending_approval",
        "li.na",
        "distributor",
    )  # rule C1, rule C2
    assert customer.discount is None and customer.proposed_terms["discount"] == "0.85"
    assert actions(uow, customer_id) == ["created"]
    assert uow.events == []


def test_card_below_the_discount_floor_is_not_created(uow):  # rule C4
    card = CreateCustomer(name="低价客户", nature="agent", discount=Decimal("0.69"))
    with pytest.raises(DiscountBelowFloor):
        handlers.create_customer(uow, card, CLERK, SETTINGS)
    assert not uow.committed and uow.customers.all() == []


def test_getting_an_unknown_customer_is_customer_not_found(uow):
    with pytest.raises(CustomerNotFound) as raised:
        handlers.get_customer(uow, "nope")
    assert raised.value.details == {"customer_id": "nope"}


# --- submit_customer, approve_customer, change_status (rule C3) ----------------------
def test_lead_is_submitted_then_approved_and_approval_announces_the_terms(uow):  # rule C3
    customer_id = created(uow, CreateCustomer(name="线索客户", nature="agent", status="lead"))
    assert handlers.submit_customer(uow, customer_id, CLERK).status == "pending_approval"
    customer = handlers.approve_customer(uow, customer_id, MANAGER)
    assert (customer.status, customer.approved_by) == ("active", "liu.yang")
    assert customer.discount == Decimal("1.00") and customer.proposed_terms is None
    assert uow.event_types() == ["customer_approved"]
    assert uow.events[0].payload["customer_id"] == customer_id
    assert actions(uow, customer_id) == ["created", "submitted", "approved"]


def test_approving_an_active_customer_is_refused_and_changes_nothing(uow):  # rule C3
    customer_id = approved(uow)
    with pytest.raises(IllegalStatusChange):
        handlers.approve_customer(uow, customer_id, MANAGER)
    assert not uow.committed
    assert uow.event_types() == ["customer_approved"]


def test_active_customer_goes_dormant_with_its_reason_announced(uow):  # rule C3
    customer_id = approved(uow)
    change = ChangeStatus("dormant", "no orders for 6 months")
    assert handlers.change_status(uow, customer_id, change, MANAGER).status == "dormant"
    event = uow.events[-1]
    assert (event.event_type, event.payload["action"]) == ("status_changed", "went_dormant")
    assert uow.history[-1].changes["reason"] == "no orders for 6 months"


def test_new_customer_cannot_be_made_active_by_a_status_change(uow):  # rule C3
    customer_id = created(uow)
    with pytest.raises(IllegalStatusChange):
        handlers.change_status(uow, customer_id, ChangeStatus("active"), MANAGER)
    assert handlers.get_customer(uow, customer_id).status == "pending_approval"


def test_status_change_of_an_unknown_customer_is_customer_not_found(uow):
    with pytest.raises(CustomerNotFound):
        handlers.change_status(uow, "nope", ChangeStatus("lost"), MANAGER)


# --- update_customer (rule C4: direct fields audited, terms by change request) -------
def test_direct_fields_change_at_once_and_are_audited(uow):  # rule C4
    customer_id = approved(uow)
    update = UpdateCustomer({"address": "苏州工业园区", "owner": "wang.qiang"})
    customer = handlers.update_customer(uow, customer_id, update, CLERK, SETTINGS)
    assert (customer.address, customer.owner) == ("苏州工业园区", "wang.qiang")
    assert uow.history[-1].action == "updated" and uow.history[-1].actor == "li.na"
    owner_changed = uow.events[-1]  # rule X1: finance keeps the owner
    assert owner_changed.event_type == "owner_changed"
    assert owner_changed.payload["previous_owner"] == "li.na"


def test_terms_in_effect_are_not_changed_by_update(uow):  # rule C4
    customer_id = approved(uow)
    update = UpdateCustomer({"discount": Decimal("0.75"), "address": "苏州"})
    with pytest.raises(ChangeRequestRequired):
        handlers.update_customer(uow, customer_id, update, CLERK, SETTINGS)
    customer = handlers.get_customer(uow, customer_id)
    assert customer.discount == Decimal("0.85") and customer.address is None


def test_proposed_terms_of_a_pending_card_are_corrected_within_the_floor(uow):  # rule C3
    customer_id = created(uow)
    update = UpdateCustomer({"credit_limit": Decimal("150000.00")})
    customer = handlers.update_customer(uow, customer_id, update, CLERK, SETTINGS)
    assert customer.proposed_terms["credit_limit"] == "150000.00"
    assert actions(uow, customer_id)[-1] == "proposal_updated"
    with pytest.raises(DiscountBelowFloor):  # rule C4
        handlers.update_customer(
            uow, customer_id, UpdateCustomer({"discount": Decimal("0.5")}), CLERK, SETTINGS
        )


# --- request_change, decide_change_request, get_change_request (rule C4) -------------
def test_change_request_waits_for_both_parties_before_the_terms_change(uow):  # rule C4
    customer_id = approved(uow)
    request_id = requested(uow, customer_id)
    decision = DecideChangeRequest("approve", "ok")
    request = handlers.decide_change_request(uow, request_id, decision, MARKET)
    assert request.status == "partially_approved"
    assert handlers.get_customer(uow, customer_id).discount == Decimal("0.85")
    request = handlers.decide_change_request(uow, request_id, decision, FINANCE)
    assert request.status == "applied"
    assert handlers.get_customer(uow, customer_id).discount == Decimal("0.80")
    terms_changed = uow.events[-1]
    assert terms_changed.event_type == "terms_changed"
    assert terms_changed.payload["change_request_id"] == request_id
    assert terms_changed.payload["discount"] == "0.80"
    assert actions(uow, request_id) == ["requested", "approved", "applied"]


def test_one_rejection_ends_the_change_request_and_keeps_the_terms(uow):  # rule C4
    customer_id = approved(uow)
    request_id = requested(uow, customer_id, credit_limit=Decimal("300000.00"))
    handlers.decide_change_request(uow, request_id, DecideChangeRequest("reject"), FINANCE)
    request = handlers.get_change_request(uow, request_id)
    assert request.status == "rejected"
    assert handlers.get_customer(uow, customer_id).credit_limit == Decimal("200000.00")
    assert uow.event_types() == ["customer_approved"]


def test_only_market_manager_and_finance_decide(uow):  # rule C4
    customer_id = approved(uow)
    request_id = requested(uow, customer_id)
    with pytest.raises(NotADecider):
        handlers.decide_change_request(uow, request_id, DecideChangeRequest("approve"), MANAGER)
    assert handlers.get_change_request(uow, request_id).decisions == []


def test_one_side_decides_once(uow):  # rule C4
    customer_id = approved(uow)
    request_id = requested(uow, customer_id)
    handlers.decide_change_request(uow, request_id, DecideChangeRequest("approve"), MARKET)
    with pytest.raises(AlreadyDecided):
        handlers.decide_change_request(uow, request_id, DecideChangeRequest("reject"), MARKET)
    assert handlers.get_change_request(uow, request_id).status == "partially_approved"


def test_change_request_below_the_discount_floor_is_refused(uow):  # rule C4
    customer_id = approved(uow)
    with pytest.raises(DiscountBelowFloor):
        requested(uow, customer_id, discount=Decimal("0.69"))
    assert uow.change_requests.all() == []


def test_change_request_on_a_card_not_yet_approved_is_refused(uow):  # rule C3
    customer_id = created(uow)
    with pytest.raises(TermsNotInEffect):
        requested(uow, customer_id)
    assert uow.change_requests.all() == []


def test_change_request_for_an_unknown_customer_is_customer_not_found(uow):
    with pytest.raises(CustomerNotFound):
        requested(uow, "nope")


def test_unknown_change_request_is_change_request_not_found(uow):
    with pytest.raises(ChangeRequestNotFound) as raised:
        handlers.decide_change_request(uow, "nope", DecideChangeRequest("approve"), MARKET)
    assert raised.value.details == {"change_request_id": "nope"}
    with pytest.raises(ChangeRequestNotFound):
        handlers.get_change_request(uow, "nope")
