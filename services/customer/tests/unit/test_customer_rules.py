"""Customer rules on the domain objects alone: no broker, no database."""

from decimal import Decimal

import pytest

from customer.domain import ChangeRequest, Customer, CustomerSettings
from servicekit.contracts.customer import (
    AlreadyDecided,
    ChangeRequestClosed,
    ChangeRequestRequired,
    DiscountBelowFloor,
    IllegalStatusChange,
    NotADecider,
    TermsNotInEffect,
)
from servicekit.errors import Invalid

SETTINGS = CustomerSettings()


def new_customer(**overrides) -> Customer:
    data = {
        "name": "华东机电有限公司",
        "nature": "distributor",
        "region": "华东",
        "discount": Decimal("0.85"),
        "settlement_terms": "net_30",
        "credit_limit": Decimal("200000.00"),
        "over_acceptance_ratio": Decimal("0.05"),
    }
    data.update(overrides)
    return Customer(**data, created_by="clerk1", settings=SETTINGS)


def active_customer() -> Customer:
    customer = new_customer()
    customer.approve("manager1")
    customer.pull_events()
    return customer


# --- rule C1, rule C3 -------------------------------------------------------
def test_new_customer_waits_for_approval_and_is_owned_by_its_creator():
    customer = new_customer()
    assert customer.status == "pending_approval"
    assert customer.owner == "clerk1"
    assert [h.action for h in customer.pull_history()] == ["created"]


def test_lead_is_submitted_then_approved_and_approval_announces_terms():  # rule C3
    customer = new_customer(status="lead")
    customer.submit("clerk1")
    customer.approve("manager1")
    assert customer.status == "active"
    assert customer.approved_by == "manager1"
    events = customer.pull_events()
    assert [e.event_type for e in events] == ["customer_approved"]
    assert events[0].payload["credit_limit"] == "200000.00"
    assert events[0].payload["settlement_terms"] == "net_30"


def test_a_new_customer_cannot_start_active():
    with pytest.raises(IllegalStatusChange):
        new_customer(status="active")


@pytest.mark.parametrize(
    "path",
    [
        ["dormant"],
        ["dormant", "lost"],
        ["lost"],
        ["lost", "active"],  # win-back
        ["dormant", "active"],
    ],
)
def test_legal_lifecycle_paths_from_active(path):  # rule C3
    customer = active_customer()
    for status in path:
        customer.change_status(status, "manager1", "reason")
    assert customer.status == path[-1]


@pytest.mark.parametrize(
    "start, target",
    [
        ("lead", "active"),
        ("pending_approval", "active"),
        ("pending_approval", "dormant"),
        ("lead", "lost"),
    ],
)
def test_illegal_moves_are_conflicts(start, target):  # rule C3
    customer = new_customer(status=start)
    with pytest.raises(IllegalStatusChange):
        customer.change_status(target, "manager1", None)
    assert customer.status == start


def test_approving_an_active_customer_is_a_conflict():
    customer = active_customer()
    with pytest.raises(IllegalStatusChange):
        customer.approve("manager1")


def test_lost_to_dormant_is_not_a_move():
    customer = active_customer()
    customer.change_status("lost", "manager1", "went to a competitor")
    with pytest.raises(IllegalStatusChange):
        customer.change_status("dormant", "manager1", None)


# --- rule C4: direct changes are audited; terms only by change request ------
def test_direct_change_is_audited_with_old_and_new():
    customer = new_customer(address="上海市浦东新区")
    customer.pull_history()
    customer.update_card({"address": "苏州工业园区", "region": "华东"}, "clerk2")
    (entry,) = customer.pull_history()
    assert entry.actor == "clerk2"
    assert entry.changes == {"address": {"old": "上海市浦东新区", "new": "苏州工业园区"}}


@pytest.mark.parametrize(
    "field", ["discount", "settlement_terms", "credit_limit", "over_acceptance_ratio"]
)
def test_terms_in_effect_cannot_be_changed_directly(field):  # rule C4
    customer = active_customer()
    before = customer.terms()
    with pytest.raises(ChangeRequestRequired) as info:
        customer.update_card({field: Decimal("0.9")}, "clerk1")
    assert field in info.value.details
    assert customer.terms() == before


def test_a_new_cards_proposed_terms_can_be_corrected_before_approval():  # rule C3
    customer = new_customer()
    customer.pull_history()
    customer.update_card(
        {"credit_limit": Decimal("150000.00"), "address": "苏州"}, "clerk1", settings=SETTINGS
    )
    assert customer.credit_limit is None  # still not in effect
    assert customer.proposed_terms["credit_limit"] == "150000.00"
    assert [h.action for h in customer.pull_history()] == ["proposal_updated", "updated"]
    customer.approve("manager1")
    assert customer.credit_limit == Decimal("150000.00")


def test_a_corrected_proposal_keeps_the_discount_floor():  # rule C4
    customer = new_customer()
    customer.pull_history()
    with pytest.raises(DiscountBelowFloor):
        customer.update_card(
            {"discount": Decimal("0.50"), "address": "苏州"}, "clerk1", settings=SETTINGS
        )
    assert customer.proposed_terms["discount"] == "0.85"
    assert customer.address is None and customer.pull_history() == []


def test_a_clerk_cannot_patch_finances_tolerance_among_card_fields():  # rule C4
    """The defect: over_acceptance_ratio (rule C1) was a direct field a sales clerk could PATCH."""
    customer = active_customer()
    customer.pull_history()
    with pytest.raises(ChangeRequestRequired):
        customer.update_card(
            {"address": "苏州", "over_acceptance_ratio": Decimal("0.50")}, "clerk1"
        )
    assert customer.over_acceptance_ratio == Decimal("0.05")
    assert customer.address is None  # a rejected request changes nothing
    assert customer.pull_history() == []


def test_discount_floor_on_creation_is_inclusive():
    assert new_customer(discount=Decimal("0.70")).proposed_terms["discount"] == "0.70"
    with pytest.raises(DiscountBelowFloor):
        new_customer(discount=Decimal("0.6999"))


# --- rule C3: a new card's terms take effect with its approval ----------------
def test_a_new_cards_terms_are_proposed_not_in_effect():  # rule C3
    """The defect: a clerk's credit limit was in effect from creation, skipping rule C4."""
    customer = new_customer(credit_limit=Decimal("9999999.00"))
    assert customer.terms() == dict.fromkeys(
        ("discount", "settlement_terms", "credit_limit", "over_acceptance_ratio")
    )
    assert customer.proposed_terms == {
        "discount": "0.85",
        "settlement_terms": "net_30",
        "credit_limit": "9999999.00",
        "over_acceptance_ratio": "0.05",
    }
    assert not customer.terms_in_effect
    assert customer.pull_events() == []


def test_approval_puts_the_proposed_terms_in_effect_and_records_who_and_which():  # rule C3
    customer = new_customer()
    customer.pull_history()
    customer.approve("manager1")
    assert customer.terms() == {
        "discount": Decimal("0.85"),
        "settlement_terms": "net_30",
        "credit_limit": Decimal("200000.00"),
        "over_acceptance_ratio": Decimal("0.05"),
    }
    assert customer.proposed_terms is None
    (entry,) = customer.pull_history()
    assert (entry.actor, entry.action) == ("manager1", "approved")
    assert entry.changes["credit_limit"] == {"old": None, "new": "200000.00"}
    assert entry.changes["over_acceptance_ratio"] == {"old": None, "new": "0.05"}
    assert entry.changes["settlement_terms"] == {"old": None, "new": "net_30"}
    (event,) = customer.pull_events()
    assert event.event_type == "customer_approved"
    assert event.payload["credit_limit"] == "200000.00"
    assert event.payload["over_acceptance_ratio"] == "0.05"
    assert event.payload["discount"] == "0.85"


def test_a_card_without_a_ratio_gets_the_company_default_on_approval():  # rule C3
    customer = new_customer(over_acceptance_ratio=None)
    customer.approve("manager1")
    assert customer.over_acceptance_ratio is None
    assert customer.pull_events()[0].payload["over_acceptance_ratio"] is None


@pytest.mark.parametrize("status", ["lead", "pending_approval"])
def test_change_request_before_approval_is_a_conflict(status):  # rule C3
    customer = new_customer(status=status)
    with pytest.raises(TermsNotInEffect) as info:
        ChangeRequest(customer, {"credit_limit": Decimal("1")}, "r", "clerk1", SETTINGS)
    assert info.value.http_status == 409


# --- rule X1: the owner goes out as an event finance can keep -----------------
def test_owner_change_is_announced_for_finance():  # rule X1
    customer = active_customer()
    customer.update_card({"owner": "wang.sales", "address": "苏州"}, "manager1")
    (event,) = customer.pull_events()
    assert event.event_type == "owner_changed"
    assert event.payload == {
        "customer_id": customer.id,
        "name": "华东机电有限公司",
        "status": "active",
        "owner": "wang.sales",
        "previous_owner": "clerk1",
        "changed_by": "manager1",
        "version": 2,  # after customer_approved's 1
    }


def test_no_owner_event_when_the_owner_stays():
    customer = active_customer()
    customer.update_card({"owner": "clerk1", "address": "苏州"}, "clerk1")
    assert customer.pull_events() == []


def test_change_request_below_floor_is_refused():
    with pytest.raises(DiscountBelowFloor):
        ChangeRequest(active_customer(), {"discount": Decimal("0.69")}, "promo", "clerk1", SETTINGS)


def test_change_request_needs_a_reason_and_a_change():
    customer = active_customer()
    with pytest.raises(Invalid):
        ChangeRequest(customer, {"discount": Decimal("0.80")}, " ", "clerk1", SETTINGS)
    with pytest.raises(Invalid):
        ChangeRequest(customer, {"discount": Decimal("0.85")}, "same", "clerk1", SETTINGS)


def test_terms_apply_only_after_both_market_manager_and_finance_approve():
    customer = active_customer()
    request = ChangeRequest(
        customer,
        {"discount": Decimal("0.80"), "credit_limit": Decimal("300000")},
        "volume",
        "c1",
        SETTINGS,
    )
    request.decide(customer, "approve", "mm1", ["market_manager"])
    assert request.status == "partially_approved"
    assert customer.discount == Decimal("0.85")
    assert customer.pull_events() == []

    request.decide(customer, "approve", "fin1", ["finance"])
    assert request.status == "applied"
    assert customer.discount == Decimal("0.80")
    assert customer.credit_limit == Decimal("300000")
    (event,) = customer.pull_events()
    assert event.event_type == "terms_changed"
    assert event.payload["discount"] == "0.80"


def test_over_acceptance_ratio_changes_only_with_both_approvals():  # rule C4
    customer = active_customer()
    request = ChangeRequest(
        customer, {"over_acceptance_ratio": Decimal("0.10")}, "bulk goods", "c1", SETTINGS
    )
    assert request.changes == {"over_acceptance_ratio": {"old": "0.05", "new": "0.10"}}
    request.decide(customer, "approve", "mm1", ["market_manager"])
    assert customer.over_acceptance_ratio == Decimal("0.05")
    assert customer.pull_events() == []
    request.decide(customer, "approve", "fin1", ["finance"])
    assert request.status == "applied"
    assert customer.over_acceptance_ratio == Decimal("0.10")
    (event,) = customer.pull_events()
    assert event.event_type == "terms_changed"
    assert event.payload["over_acceptance_ratio"] == "0.10"


def test_over_acceptance_ratio_can_go_back_to_the_company_default():  # rule C4
    customer = active_customer()
    request = ChangeRequest(customer, {"over_acceptance_ratio": None}, "default", "c1", SETTINGS)
    request.decide(customer, "approve", "mm1", ["market_manager"])
    request.decide(customer, "approve", "fin1", ["finance"])
    assert customer.over_acceptance_ratio is None


def test_order_of_the_two_approvals_does_not_matter():
    customer = active_customer()
    request = ChangeRequest(customer, {"settlement_terms": "net_60"}, "r", "c1", SETTINGS)
    request.decide(customer, "approve", "fin1", ["finance"])
    request.decide(customer, "approve", "mm1", ["market_manager"])
    assert customer.settlement_terms == "net_60"


def test_one_rejection_ends_the_request_and_nothing_changes():
    customer = active_customer()
    request = ChangeRequest(customer, {"discount": Decimal("0.75")}, "r", "c1", SETTINGS)
    request.decide(customer, "approve", "mm1", ["market_manager"])
    request.decide(customer, "reject", "fin1", ["finance"], "too low")
    assert request.status == "rejected"
    assert customer.discount == Decimal("0.85")
    with pytest.raises(ChangeRequestClosed):
        request.decide(customer, "approve", "fin2", ["finance"])


def test_the_same_side_cannot_decide_twice():
    customer = active_customer()
    request = ChangeRequest(customer, {"discount": Decimal("0.75")}, "r", "c1", SETTINGS)
    request.decide(customer, "approve", "mm1", ["market_manager"])
    with pytest.raises(AlreadyDecided):
        request.decide(customer, "approve", "mm2", ["market_manager"])


def test_one_person_holding_both_roles_cannot_approve_both_sides():
    customer = active_customer()
    request = ChangeRequest(customer, {"discount": Decimal("0.75")}, "r", "c1", SETTINGS)
    both = ["market_manager", "finance"]
    request.decide(customer, "approve", "boss", both)
    with pytest.raises(AlreadyDecided):
        request.decide(customer, "approve", "boss", both)
    assert customer.discount == Decimal("0.85")


def test_other_roles_cannot_decide():
    customer = active_customer()
    request = ChangeRequest(customer, {"discount": Decimal("0.75")}, "r", "c1", SETTINGS)
    with pytest.raises(NotADecider):
        request.decide(customer, "approve", "s1", ["sales_manager"])


def test_history_is_stamped_with_the_time_of_the_change():  # rule X3
    from datetime import UTC, datetime

    then = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)
    customer = Customer(name="甲", nature="agent", created_by="c1", settings=SETTINGS, now=then)
    customer.approve("m1", now=then.replace(hour=9))
    assert [h.at for h in customer.pull_history()] == [then, then.replace(hour=9)]
