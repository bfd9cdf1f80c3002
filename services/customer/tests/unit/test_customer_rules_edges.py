"""Edges of rule C3 and rule C4 that mutation testing found untested (issue 8.9, docs/mutation.md):
the time a lifecycle move is stamped with, who may decide a change request, and values
as they arrive from JSON (equal to the literals in the code, but not the same object)."""

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from customer.domain import ChangeRequest, Customer, CustomerSettings
from servicekit.contracts.customer import AlreadyDecided, IllegalStatusChange, NotADecider
from servicekit.errors import Invalid

SETTINGS = CustomerSettings()
THEN = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


def fresh(text: str) -> str:
    """An equal string that is not the interned literal, as JSON decoding gives it."""
    return json.loads(json.dumps(text))


def new_customer(status: str = "pending_approval", **overrides) -> Customer:
    data = {
        "name": "华东机电有限公司",
        "nature": "distributor",
        "discount": Decimal("0.85"),
        "settlement_terms": "net_30",
        "credit_limit": Decimal("200000.00"),
        "over_acceptance_ratio": Decimal("0.05"),
        "status": status,
        "now": THEN,
    }
    data.update(overrides)
    return Customer(**data, created_by="clerk1", settings=SETTINGS)


def active_customer() -> Customer:
    customer = new_customer()
    customer.approve("manager1", now=THEN)
    customer.pull_events()
    customer.pull_history()
    return customer


def request_on(customer: Customer, **changes) -> ChangeRequest:
    return ChangeRequest(
        customer, changes or {"discount": Decimal("0.80")}, "volume", "c1", SETTINGS, now=THEN
    )


# --- settings and the new card -------------------------------------------------
def test_company_settings_cannot_be_changed_in_passing():  # rule C4
    with pytest.raises(dataclasses.FrozenInstanceError):
        SETTINGS.discount_floor = Decimal("0.10")


def test_a_card_is_built_from_named_fields_only():
    with pytest.raises(TypeError):
        Customer("甲", "agent", "clerk1", SETTINGS)


def test_a_new_card_is_delivered_and_not_a_key_account():  # rule C2
    customer = new_customer()
    assert customer.pickup is False
    assert customer.key_account is False


# --- rule C3: the time passed in to lifecycle moves ----------------------------
def test_submitting_a_lead_is_stamped_with_the_time_given():  # rule C3
    customer = new_customer(status="lead")
    later = THEN + timedelta(days=2)
    customer.submit("clerk1", now=later)
    assert customer.status == "pending_approval"
    assert customer.updated_at == later
    assert customer.pull_history()[-1].at == later


def test_a_status_change_is_stamped_with_the_time_given():  # rule C3
    customer = active_customer()
    later = THEN + timedelta(days=90)
    customer.change_status("dormant", "sales1", None, now=later)
    assert customer.updated_at == later
    assert customer.pull_history()[-1].at == later


def test_a_status_change_keeps_its_reason_and_only_when_given():  # rule C3
    customer = active_customer()
    customer.change_status("dormant", "sales1", None, now=THEN)
    customer.change_status("lost", "sales1", "went to a competitor", now=THEN)
    dormant, lost = customer.pull_history()
    assert "reason" not in dormant.changes
    assert lost.changes["reason"] == "went to a competitor"


def test_a_new_card_asked_to_become_lost_is_told_it_cannot_become_lost():  # rule C3
    with pytest.raises(IllegalStatusChange) as refused:
        new_customer().change_status("lost", "sales1", None, now=THEN)
    assert "cannot become lost" in refused.value.message


def test_a_new_card_becomes_active_only_by_approval_whatever_string_asks():  # rule C3
    with pytest.raises(IllegalStatusChange) as refused:
        new_customer().change_status(fresh("active"), "sales1", None, now=THEN)
    assert "only by approval" in refused.value.message


# --- rule C3: correcting a proposal before approval ----------------------------
def test_correcting_a_proposal_is_stamped_with_the_time_given():  # rule C3
    customer = new_customer()
    later = THEN + timedelta(hours=3)
    customer.update_card({"credit_limit": Decimal("150000.00")}, "clerk1", now=later)
    assert customer.updated_at == later


def test_a_corrected_proposal_keeps_the_terms_not_corrected():  # rule C3
    customer = new_customer()
    customer.update_card({"discount": Decimal("0.90")}, "clerk1", now=THEN, settings=SETTINGS)
    assert customer.proposed_terms == {
        "discount": "0.90",
        "settlement_terms": "net_30",
        "credit_limit": "200000.00",
        "over_acceptance_ratio": "0.05",
    }


def test_raising_and_lowering_a_proposed_discount_are_both_recorded():  # rule C3
    customer = new_customer()
    customer.pull_history()
    customer.update_card({"discount": Decimal("0.90")}, "clerk1", now=THEN)
    customer.update_card({"discount": Decimal("0.80")}, "clerk1", now=THEN)
    raised, lowered = customer.pull_history()
    assert raised.changes == {"discount": {"old": "0.85", "new": "0.90"}}
    assert lowered.changes == {"discount": {"old": "0.90", "new": "0.80"}}


def test_proposing_the_same_terms_again_records_nothing():  # rule C3
    customer = new_customer()
    customer.pull_history()
    customer.update_card({"discount": Decimal("0.85"), "contacts": []}, "clerk1", now=THEN)
    assert customer.pull_history() == []


def test_patching_an_equal_field_value_records_nothing():  # rule C4: only changes audited
    customer = active_customer()
    customer.update_card({"contacts": [{"name": "李"}]}, "clerk1", now=THEN)
    customer.pull_history()
    customer.update_card({"contacts": [{"name": "李"}]}, "clerk1", now=THEN)
    assert customer.pull_history() == []


def test_a_proposal_is_checked_against_the_company_floor_given():  # rule C4
    customer = new_customer()
    lenient = CustomerSettings(discount_floor=Decimal("0.50"))
    customer.update_card({"discount": Decimal("0.60")}, "clerk1", now=THEN, settings=lenient)
    assert customer.proposed_terms["discount"] == "0.60"


# --- rule C4: change requests ---------------------------------------------------
def test_a_change_request_is_stamped_with_the_time_given():  # rule C4
    request = request_on(active_customer())
    assert request.requested_at == THEN
    assert request.pull_history()[0].at == THEN


def test_a_change_request_without_terms_names_the_terms_it_needs():  # rule C4
    with pytest.raises(Invalid) as refused:
        ChangeRequest(active_customer(), {"name": "乙"}, "r", "c1", SETTINGS, now=THEN)
    assert refused.value.message == (
        "Name at least one of discount, settlement_terms, credit_limit, over_acceptance_ratio."
    )


def test_an_admin_alone_decides_for_the_market_manager_first():  # rule C4
    customer = active_customer()
    request = request_on(customer)
    request.decide(customer, "approve", "root", ["admin"], now=THEN)
    assert request.decisions[0]["role"] == "market_manager"
    assert request.status == "partially_approved"


def test_an_admin_who_is_finance_decides_as_finance():  # rule C4
    customer = active_customer()
    request = request_on(customer)
    request.decide(customer, "approve", "fin1", ["finance", "admin"], now=THEN)
    assert request.decisions[0]["role"] == "finance"
    with pytest.raises(AlreadyDecided):
        request.decide(customer, "approve", "fin2", ["finance"], now=THEN)


def test_an_admin_cannot_take_a_side_already_decided():  # rule C4
    customer = active_customer()
    request = request_on(customer)
    request.decide(customer, "approve", "mm1", ["market_manager"], now=THEN)
    request.decide(customer, "approve", "root", ["admin"], now=THEN)
    assert [d["role"] for d in request.decisions] == ["market_manager", "finance"]
    assert request.status == "applied"


def test_a_clerk_is_not_a_decider_even_beside_an_unknown_role():  # rule C4
    customer = active_customer()
    request = request_on(customer)
    with pytest.raises(NotADecider):
        request.decide(customer, "approve", "c1", ["clerk", "auditor"], now=THEN)


def test_one_person_cannot_approve_twice_whatever_strings_arrive():  # rule C4
    customer = active_customer()
    request = request_on(customer)
    both = ["market_manager", "finance"]
    request.decide(customer, fresh("approve"), fresh("boss"), both, now=THEN)
    with pytest.raises(AlreadyDecided):
        request.decide(customer, fresh("approve"), fresh("boss"), both, now=THEN)
    assert customer.discount == Decimal("0.85")


def test_the_approver_of_one_side_may_reject_for_the_other():  # rule C4
    customer = active_customer()
    request = request_on(customer)
    both = ["market_manager", "finance"]
    request.decide(customer, "approve", "boss", both, now=THEN)
    request.decide(customer, "reject", "boss", both, "second thoughts", now=THEN)
    assert request.status == "rejected"
    assert customer.discount == Decimal("0.85")


def test_decisions_arriving_from_json_are_understood():  # rule C4
    customer = active_customer()
    request = request_on(customer)
    request.decide(customer, fresh("approve"), "mm1", ["market_manager"], now=THEN)
    assert request.status == "partially_approved"
    request.decide(customer, fresh("reject"), "fin1", ["finance"], now=THEN)
    assert request.status == "rejected"


def test_two_approvals_arriving_from_json_apply_the_terms():  # rule C4
    customer = active_customer()
    request = request_on(customer)
    request.decide(customer, fresh("approve"), "mm1", ["market_manager"], now=THEN)
    request.decide(customer, fresh("approve"), "fin1", ["finance"], now=THEN)
    assert request.status == "applied"
    assert customer.discount == Decimal("0.80")


def test_a_stored_request_applies_settlement_terms_as_text():  # rule C4
    customer = active_customer()
    request = request_on(customer, settlement_terms="net_60", credit_limit=Decimal("1000.00"))
    request.changes = json.loads(json.dumps(request.changes))  # as the database returns it
    request.decide(customer, "approve", "mm1", ["market_manager"], now=THEN)
    request.decide(customer, "approve", "fin1", ["finance"], now=THEN)
    assert customer.settlement_terms == "net_60"
    assert customer.credit_limit == Decimal("1000.00")
