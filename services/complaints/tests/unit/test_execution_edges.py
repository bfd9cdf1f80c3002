"""Edges of the execution facts (rule P8) that mutation testing found untested (issue 8.9,
docs/mutation.md): which department an open action waits on, which actions a fact
moves along (in progress only, the one named, the one of the voucher's amount, one per
voucher or shipment), the references a fact leaves on its actions and in the history,
and facts whose strings arrive decoded from JSON (events) or loaded from the database,
equal to the code's literals but not the same objects."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from complaints.domain import Action, Complaint
from complaints.testing import T0, CaseBuilder, allowance, executing_case, line, return_action


def at(hours: float):
    return T0 + timedelta(hours=hours)


def loaded(value):
    """``value`` as an event or the database hands it over: equal, not the same object."""
    return json.loads(json.dumps(value))


def executing(*actions) -> Complaint:
    return executing_case(list(actions)).build()


def action(type_: str, **facts) -> Action:
    """An action of an accepted plan, with the facts already reported."""
    return Action(
        complaint_id="c",
        plan_id="p",
        type=type_,
        amount=Decimal("1.00"),
        state=facts.pop("state", "in_progress"),
        **{name: T0 for name in facts},
    )


# --- an action is a part of the case, built by name --------------------------------------
def test_actions_are_built_by_name_and_compare_by_identity():  # rule P8
    # The ORM keeps a plan's actions in identity sets: two equal actions are two actions.
    first, twin = action("return"), action("return")
    twin.id = first.id
    assert first != twin
    assert len({first, twin}) == 2
    with pytest.raises(TypeError):
        Action("c", "p", "return", Decimal("1.00"))


# --- who an open action waits on ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_", "facts", "waiting"),
    [
        ("return", {}, ("warehouse",)),
        ("return", {"received_at"}, ("finance",)),
        ("return", {"received_at", "voucher_issued_at"}, ()),
        ("exchange", {}, ("warehouse",)),
        ("exchange", {"received_at"}, ("finance", "warehouse")),
        ("exchange", {"received_at", "voucher_issued_at"}, ("warehouse",)),
        ("exchange", {"received_at", "voucher_issued_at", "shipped_at"}, ()),
        ("rework", {}, ("warehouse",)),
        ("rework", {"received_at"}, ("quality",)),
        ("rework", {"received_at", "inspected_at"}, ()),
        ("replenishment", {}, ("warehouse",)),
        ("replenishment", {"shipped_at"}, ()),
        ("allowance", {}, ("finance",)),
        ("allowance", {"voucher_issued_at"}, ()),
        ("compensation", {}, ("finance",)),
    ],
)
def test_an_open_action_waits_on_the_departments_whose_work_is_missing(
    type_, facts, waiting
):  # rule P8
    assert action(type_, **dict.fromkeys(facts)).waiting_on() == waiting
    # The same, with its type as the database hands it over.
    assert action(loaded(type_), **dict.fromkeys(facts)).waiting_on() == waiting


@pytest.mark.parametrize("state", ["proposed", "done", "dropped"])
def test_an_action_not_in_progress_waits_on_no_one(state):  # rule P8
    assert action("return", state=state).waiting_on() == ()
    assert action("allowance", state=state).waiting_on() == ()


def test_an_action_in_progress_loaded_from_storage_still_waits():  # rule P8
    assert action("return", state=loaded("in_progress")).waiting_on() == ("warehouse",)


# --- when an action is done --------------------------------------------------------------------
def test_a_rework_is_done_by_its_inspection_not_by_the_receipt():  # rule P8
    complaint = executing(return_action(type="rework"))
    (rework,) = complaint.actions
    complaint.return_received("RA-1", at(24))
    assert (rework.state, complaint.status) == ("in_progress", "executing")
    complaint.return_inspected("RA-1", at(26))
    assert (rework.state, complaint.status) == ("done", "resolved")


def test_an_exchange_credited_and_inspected_waits_for_its_replacement():  # rule P8
    complaint = executing(return_action(line(), type=loaded("exchange")))
    (exchange,) = complaint.actions
    complaint.return_received("RA-1", at(24))
    complaint.return_inspected("RA-1", at(25))
    complaint.voucher_issued("V-1", "return_credit", at(26))
    assert (exchange.state, complaint.status) == ("in_progress", "executing")
    complaint.replenishment_shipped("SH-1", at(27))
    assert (exchange.state, complaint.status) == ("done", "resolved")


def test_a_replenishment_typed_as_decoded_is_done_when_shipped():  # rule P8
    complaint = executing(return_action(line(), type=loaded("replenishment")))
    complaint.replenishment_shipped("SH-1", at(24))
    assert complaint.status == "resolved"


def test_a_case_resolves_when_its_last_action_is_done_after_a_reload():  # rule P8
    complaint = executing(allowance("10.00"), allowance("20.00"))
    first, second = complaint.actions
    complaint.voucher_issued("V-1", "allowance", at(10), action_id=first.id)
    first.state = loaded(first.state)  # as the next fact's handler loads the case
    complaint.voucher_issued("V-2", "allowance", at(11), action_id=second.id)
    assert complaint.status == "resolved"


def test_a_case_loaded_from_storage_as_executing_resolves_on_its_last_fact():  # rule P8
    complaint = executing(allowance("10.00"))
    complaint.status = loaded(complaint.status)  # as the fact's handler loads the case
    complaint.voucher_issued("V-1", "allowance", at(10))
    assert complaint.status == "resolved"


# --- which actions a fact moves along ----------------------------------------------------------
def test_facts_move_only_actions_in_progress_not_a_declined_plans():  # rule P8
    builder = CaseBuilder().accept().investigate().plan().approve().customer_declines()
    builder.plan().approve().customer_accepts()
    dropped, current = builder.build().actions
    assert builder.build().return_received("RA-1", at(24)) == [current]
    assert dropped.received_at is None


def test_facts_for_the_next_rounds_proposed_plan_change_nothing():  # rule P8
    builder = executing_case().settle().follow_up(satisfied=False, score=2, hour=30)
    builder.plan(hour=31)
    complaint = builder.build()
    proposed = complaint.actions[-1]
    assert complaint.return_received("RA-2", at(32)) == []
    assert proposed.received_at is None


def test_facts_reach_an_action_in_progress_loaded_from_storage():  # rule P8
    complaint = executing(return_action())
    (action_,) = complaint.actions
    action_.state = loaded("in_progress")
    assert complaint.return_received("RA-1", at(24)) == [action_]


def test_a_voucher_naming_an_action_settles_that_action_alone():  # rule P8
    complaint = executing(allowance("10.00"), allowance("10.00"))
    first, second = complaint.actions
    # Ids are opaque: the named one may sort before the other.
    first.id, second.id = "f" * 32, "0" * 32
    assert complaint.voucher_issued("V-1", "allowance", at(10), action_id=loaded(second.id)) == [
        second
    ]
    assert first.state == "in_progress"


@pytest.mark.parametrize(
    ("amounts", "paid"),
    [(("50.00", "80.00"), "80"), (("80.00", "50.00"), "50")],
)
def test_a_voucher_without_an_action_settles_the_one_of_its_amount(amounts, paid):  # rule P8
    complaint = executing(*(allowance(a) for a in amounts))
    (settled,) = complaint.voucher_issued("V-1", "allowance", at(10), amount=Decimal(paid))
    assert settled is complaint.actions[1]
    assert complaint.actions[0].state == "in_progress"


def test_one_voucher_settles_one_action_however_often_it_is_reported():  # rule P8
    complaint = executing(allowance("10.00"), allowance("10.00"))
    first, second = complaint.actions
    assert complaint.voucher_issued("V-1", "allowance", at(10)) == [first]
    assert complaint.voucher_issued(loaded("V-1"), "allowance", at(11)) == []
    assert second.voucher_issued_at is None


def test_a_return_credit_reported_by_finance_credits_the_return():  # rule P8
    complaint = executing(return_action())
    complaint.return_received("RA-1", at(24))
    complaint.voucher_issued("V-1", loaded("return_credit"), at(25))
    assert complaint.status == "resolved"


def test_a_voucher_of_a_type_complaints_does_not_know_changes_nothing():  # rule P8
    complaint = executing(return_action())
    complaint.return_received("RA-1", at(24))
    assert complaint.voucher_issued("V-1", "write_off", at(25)) == []
    assert complaint.status == "executing"


def test_one_shipment_ships_one_action_however_often_it_is_reported():  # rule P8
    complaint = executing(return_action(type="replenishment"), return_action(type="replenishment"))
    first, second = complaint.actions
    assert complaint.replenishment_shipped("SH-1", at(10)) == [first]
    assert complaint.replenishment_shipped(loaded("SH-1"), at(11)) == []
    assert second.shipped_at is None


def test_a_shipment_without_an_action_goes_to_a_replenishment_before_an_exchange():  # rule P8
    complaint = executing(
        return_action(line(), type=loaded("exchange")),
        return_action(line(), type=loaded("replenishment")),
    )
    exchange, replenishment = complaint.actions
    assert complaint.replenishment_shipped("SH-1", at(10)) == [replenishment]
    assert exchange.shipped_at is None


# --- what a fact leaves behind ----------------------------------------------------------------
def test_a_fact_leaves_its_reference_on_the_actions_and_in_the_history():  # rule P8
    complaint = executing(allowance("10.00"), return_action(type="replenishment"))
    paid, shipped = complaint.actions
    complaint.pull_history()
    complaint.voucher_issued("V-1", "allowance", at(10))
    complaint.replenishment_shipped("SH-1", at(11))
    assert (paid.voucher_id, shipped.shipment_id) == ("V-1", "SH-1")
    voucher, shipment = complaint.pull_history()[:2]
    assert (voucher.action, voucher.changes) == (
        "voucher_issued",
        {"voucher_id": "V-1", "actions": [paid.id], "done": [paid.id]},
    )
    assert shipment.changes == {
        "shipment_id": "SH-1",
        "actions": [shipped.id],
        "done": [shipped.id],
    }


def test_a_receipt_without_an_authorization_still_names_the_return():  # rule P8
    complaint = executing(return_action())
    (return_,) = complaint.actions
    complaint.return_received("RA-7", at(24))
    assert return_.return_id == "RA-7"


def test_the_return_authorization_is_kept_on_the_goods_back_actions_once():  # rule P8
    complaint = executing(return_action(), allowance("10.00"))
    return_, paid = complaint.actions
    complaint.pull_history()
    complaint.return_authorized("RA-1", at(6))
    complaint.return_authorized("RA-2", at(7))
    assert (return_.return_id, paid.return_id) == ("RA-1", None)
    (noted,) = complaint.pull_history()
    assert (noted.action, noted.changes, noted.at) == (
        "return_authorized",
        {"return_id": "RA-1"},
        at(6),
    )
    assert complaint.updated_at == at(6)
