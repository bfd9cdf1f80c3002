"""Every returns handler through the fake unit of work (servicekit.testing): the use case
loads, refuses and commits as the service will, with no broker and no database. The
events and history are what the unit of work would write at commit (rule X2, rule X3)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from returns import handlers
from returns.commands import (
    DecideReturnRequest,
    FileReturnRequest,
    InspectionLine,
    PlanAction,
    RecordInspection,
    ReturnLine,
    ShipReplenishment,
)
from returns.testing import CLERK, FAKE_REPOSITORIES, MARKET, QUALITY, WAREHOUSE, plan, scan
from servicekit.contracts.returns_vocabulary import (
    AlreadyShipped,
    InspectionMismatch,
    ReplenishmentNotFound,
    RequestDecided,
    ReturnNotFound,
    ReturnNotReceived,
    ReturnRequestNotFound,
    ReturnSignedOff,
    SkuNotAuthorized,
)
from servicekit.testing import FakeUnitOfWork


def line(sku="A-1", quantity=10, price="12.50"):
    return ReturnLine(sku, quantity, Decimal(price), description=f"{sku} spec")


RETURN = PlanAction("act-1", "return", (line("A-1", 10), line("B-2", 4, "3.00")))
EXCHANGE = PlanAction("act-2", "exchange", (line("C-3", 2),))
REPLENISH = PlanAction("act-3", "replenishment", (line("D-4", 5),))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(FAKE_REPOSITORIES)


def authorized(uow, *actions) -> str:
    return handlers.handle_plan_accepted(uow, plan(*(actions or (RETURN,)))).id


def event_types(uow) -> list[str]:
    return [e.event_type for e in uow.events]


# --- handle_plan_accepted -------------------------------------------------------------


def test_an_accepted_plan_gets_one_numbered_authorization_and_its_shipments(uow):
    authorization = handlers.handle_plan_accepted(uow, plan(RETURN, EXCHANGE, REPLENISH))
    # rule R1: the return and exchange lines on one authorization with a readable number
    stored = uow.returns.get(authorization.id)
    assert stored.number.startswith("RA-") and stored.number.endswith("-000001")
    assert [(x.sku, x.authorized_quantity) for x in stored.lines] == [
        ("A-1", 10),
        ("B-2", 4),
        ("C-3", 2),
    ]
    assert stored.plan_id == "plan-1" and stored.owner == "li.na"
    # rule R5: the replenishment and the exchange's replacement each ship
    shipments = uow.replenishments.for_plan("plan-1")
    assert sorted(s.action_id for s in shipments) == ["act-2", "act-3"]
    assert event_types(uow) == ["return_authorized"]
    assert uow.commits == 1


def test_the_same_plan_again_creates_nothing_more(uow):
    # rule R1: a second event for the plan (another event id) finds the work done
    first = handlers.handle_plan_accepted(uow, plan(RETURN, REPLENISH))
    again = handlers.handle_plan_accepted(uow, plan(RETURN, REPLENISH))
    assert again.id == first.id
    assert len(uow.returns.all()) == 1
    assert len(uow.replenishments.all()) == 1
    assert event_types(uow) == ["return_authorized"]
    assert uow.returns.last_numbers == {first.created_at.year: 1}


def test_a_plan_with_only_replenishment_ships_without_an_authorization(uow):
    # rule R1: nothing comes back, so no authorization; rule R5: the shipment still goes
    assert handlers.handle_plan_accepted(uow, plan(REPLENISH)) is None
    assert uow.returns.all() == [] and uow.returns.last_numbers == {}
    assert len(uow.replenishments.all()) == 1
    # and again: the shipment is not made twice
    assert handlers.handle_plan_accepted(uow, plan(REPLENISH)) is None
    assert len(uow.replenishments.all()) == 1


def test_two_plans_get_two_consecutive_numbers(uow):
    first = handlers.handle_plan_accepted(uow, plan(RETURN, plan_id="plan-1"))
    second = handlers.handle_plan_accepted(uow, plan(RETURN, plan_id="plan-2"))
    assert first.number.endswith("-000001") and second.number.endswith("-000002")


# --- post_receipt ---------------------------------------------------------------------


def test_partial_receipts_add_up_over_several_scans(uow):
    return_id = authorized(uow)
    _, created = handlers.post_receipt(uow, return_id, scan("s-1", ("A-1", 4)), WAREHOUSE)
    assert created
    handlers.post_receipt(uow, return_id, scan("s-2", ("A-1", 3), ("B-2", 4)), WAREHOUSE)
    stored = uow.returns.get(return_id)
    assert {x.sku: x.received_quantity for x in stored.lines} == {"A-1": 7, "B-2": 4}
    assert stored.status == "receiving"
    assert [r.scan_id for r in stored.receipts] == ["s-1", "s-2"]


def test_the_same_scan_id_again_answers_the_same_receipt_and_counts_nothing(uow):
    # rule R2
    return_id = authorized(uow)
    first, _ = handlers.post_receipt(uow, return_id, scan("s-1", ("A-1", 4)), WAREHOUSE)
    commits = uow.commits
    again, created = handlers.post_receipt(uow, return_id, scan("s-1", ("A-1", 4)), WAREHOUSE)
    assert not created and again == first
    assert uow.commits == commits  # nothing written
    assert uow.returns.get(return_id).line("A-1").received_quantity == 4


def test_a_sku_not_on_the_authorization_is_refused_and_nothing_counted(uow):
    # rule R2
    return_id = authorized(uow)
    with pytest.raises(SkuNotAuthorized):
        handlers.post_receipt(uow, return_id, scan("s-1", ("A-1", 1), ("Z-9", 1)), WAREHOUSE)
    stored = uow.returns.get(return_id)
    assert stored.receipts == [] and stored.line("A-1").received_quantity == 0


def test_more_than_authorized_is_taken_and_recorded(uow):
    # rule R2: finance decides on the excess (rule F1)
    return_id = authorized(uow)
    handlers.post_receipt(uow, return_id, scan("s-1", ("A-1", 12)), WAREHOUSE)
    assert uow.returns.get(return_id).line("A-1").received_quantity == 12


def test_a_receipt_on_an_unknown_return_is_not_found(uow):
    with pytest.raises(ReturnNotFound) as refused:
        handlers.post_receipt(uow, "nope", scan("s-1", ("A-1", 1)), WAREHOUSE)
    assert refused.value.details == {"return_id": "nope"}


# --- sign_off -------------------------------------------------------------------------


def test_sign_off_posts_at_once_and_charges_the_difference_to_the_owner(uow):
    # rule R2, rule R6
    return_id = authorized(uow)
    handlers.post_receipt(uow, return_id, scan("s-1", ("A-1", 9), ("B-2", 4)), WAREHOUSE)
    signed = handlers.sign_off(uow, return_id, WAREHOUSE)
    stored = uow.returns.get(return_id)
    assert stored.status == "received" and stored.posted_at is not None
    assert signed.differences == [
        {
            "sku": "A-1",
            "authorized_quantity": 10,
            "received_quantity": 9,
            "difference": -1,
            "charged_to": "li.na",
        }
    ]
    received = [e for e in uow.events if e.event_type == "return_received"]
    assert len(received) == 1
    assert {x["sku"]: x["received_quantity"] for x in received[0].payload["lines"]} == {
        "A-1": 9,
        "B-2": 4,
    }


def test_sign_off_left_for_the_batch_announces_nothing_yet(uow):
    # rule R6: the daily batch posts it
    return_id = authorized(uow)
    handlers.post_receipt(uow, return_id, scan("s-1", ("A-1", 10)), WAREHOUSE)
    handlers.sign_off(uow, return_id, WAREHOUSE, post_at_once=False)
    stored = uow.returns.get(return_id)
    assert stored.status == "received" and stored.posted_at is None
    assert "return_received" not in event_types(uow)


def test_the_batch_posts_what_was_signed_off_once(uow):
    # rule R6
    waiting = authorized(uow, RETURN)
    handlers.post_receipt(uow, waiting, scan("s-1", ("A-1", 10)), WAREHOUSE)
    handlers.sign_off(uow, waiting, WAREHOUSE, post_at_once=False)
    still_receiving = handlers.handle_plan_accepted(uow, plan(RETURN, plan_id="plan-2")).id
    handlers.post_receipt(uow, still_receiving, scan("s-2", ("A-1", 1)), WAREHOUSE)
    assert handlers.post_signed_off(uow) == 1
    assert handlers.post_signed_off(uow) == 0
    assert uow.returns.get(waiting).posted_at is not None
    assert uow.returns.get(still_receiving).posted_at is None
    received = [e.payload["return_id"] for e in uow.events if e.event_type == "return_received"]
    assert received == [waiting]


def test_after_sign_off_a_new_scan_is_refused_but_a_resent_one_answers(uow):
    # rule R2
    return_id = authorized(uow)
    first, _ = handlers.post_receipt(uow, return_id, scan("s-1", ("A-1", 10)), WAREHOUSE)
    handlers.sign_off(uow, return_id, WAREHOUSE)
    with pytest.raises(ReturnSignedOff):
        handlers.post_receipt(uow, return_id, scan("s-2", ("A-1", 1)), WAREHOUSE)
    again, created = handlers.post_receipt(uow, return_id, scan("s-1", ("A-1", 10)), WAREHOUSE)
    assert (again.payload(), created) == (first.payload(), False)
    with pytest.raises(ReturnSignedOff):
        handlers.sign_off(uow, return_id, WAREHOUSE)


# --- inspect --------------------------------------------------------------------------


def received(uow) -> str:
    return_id = authorized(uow)
    handlers.post_receipt(uow, return_id, scan("s-1", ("A-1", 10), ("B-2", 4)), WAREHOUSE)
    handlers.sign_off(uow, return_id, WAREHOUSE)
    return return_id


def test_inspection_moves_good_to_stock_and_records_scrap(uow):
    # rule R3, rule R4
    return_id = received(uow)
    split = RecordInspection(
        "li.na", (InspectionLine("A-1", 7, 1, 2), InspectionLine("B-2", 4, 0, 0))
    )
    handlers.inspect(uow, return_id, split, QUALITY)
    stored = uow.returns.get(return_id)
    assert stored.status == "inspected"
    assert (stored.inspected_by, stored.witness) == ("zhou.jie", "li.na")
    assert sorted((m.sku, m.kind, m.quantity) for m in stored.movements) == [
        ("A-1", "returned_to_stock", 7),
        ("A-1", "scrapped", -2),
        ("B-2", "returned_to_stock", 4),
    ]
    assert [(s.sku, s.spec, s.quantity) for s in stored.scrapped] == [("A-1", "A-1 spec", 2)]
    assert event_types(uow)[-1] == "return_inspected"


def test_an_inspection_that_does_not_add_up_is_refused(uow):
    # rule R3
    return_id = received(uow)
    short = RecordInspection(
        "li.na", (InspectionLine("A-1", 7, 1, 1), InspectionLine("B-2", 4, 0, 0))
    )
    with pytest.raises(InspectionMismatch):
        handlers.inspect(uow, return_id, short, QUALITY)
    stored = uow.returns.get(return_id)
    assert stored.status == "received" and stored.movements == []


def test_inspection_before_sign_off_is_refused(uow):
    # rule R2 before rule R3
    return_id = authorized(uow)
    with pytest.raises(ReturnNotReceived):
        handlers.inspect(
            uow, return_id, RecordInspection("li.na", (InspectionLine("A-1", 0, 0, 0),)), QUALITY
        )


# --- ship_replenishment ---------------------------------------------------------------


def test_a_replenishment_ships_once_with_carrier_and_tracking_number(uow):
    # rule R5
    handlers.handle_plan_accepted(uow, plan(REPLENISH))
    (shipment,) = uow.replenishments.for_plan("plan-1")
    handlers.ship_replenishment(uow, shipment.id, ShipReplenishment("SF", "SF123"), WAREHOUSE)
    stored = uow.replenishments.get(shipment.id)
    assert (stored.status, stored.carrier, stored.tracking_no) == ("shipped", "SF", "SF123")
    shipped = [e for e in uow.events if e.event_type == "replenishment_shipped"]
    assert [e.payload["complaint_id"] for e in shipped] == ["case-1"]
    with pytest.raises(AlreadyShipped):
        handlers.ship_replenishment(uow, shipment.id, ShipReplenishment("SF", "X"), WAREHOUSE)
    assert uow.replenishments.get(shipment.id).tracking_no == "SF123"


def test_shipping_an_unknown_shipment_is_not_found(uow):
    with pytest.raises(ReplenishmentNotFound) as refused:
        handlers.ship_replenishment(uow, "nope", ShipReplenishment("SF", "1"), WAREHOUSE)
    assert refused.value.details == {"shipment_id": "nope"}


# --- file_return_request / decide_return_request --------------------------------------

REQUEST = FileReturnRequest("cust-1", "no_reason", "合同第5条", (line("A-1", 3),))


def test_an_approved_request_yields_an_authorization_owned_by_its_clerk(uow):
    # rule R1: no complaint; rule R2: differences go to the clerk who filed it
    request = handlers.file_return_request(uow, REQUEST, CLERK)
    decided, authorization = handlers.decide_return_request(
        uow, request.id, DecideReturnRequest("approve"), MARKET
    )
    assert decided.status == "approved" and decided.return_id == authorization.id
    stored = uow.returns.get(authorization.id)
    assert stored.complaint_id is None and stored.request_id == request.id
    assert stored.owner == "li.na" and stored.number.endswith("-000001")
    assert event_types(uow) == ["return_authorized"]


def test_a_rejected_request_yields_nothing_and_is_decided_once(uow):
    request = handlers.file_return_request(uow, REQUEST, CLERK)
    decided, authorization = handlers.decide_return_request(
        uow, request.id, DecideReturnRequest("reject", "no basis"), MARKET
    )
    assert authorization is None and decided.status == "rejected"
    assert uow.returns.all() == []
    with pytest.raises(RequestDecided):
        handlers.decide_return_request(uow, request.id, DecideReturnRequest("approve"), MARKET)
    assert uow.returns.all() == [] and uow.requests.get(request.id).status == "rejected"


def test_deciding_an_unknown_request_is_not_found(uow):
    with pytest.raises(ReturnRequestNotFound):
        handlers.decide_return_request(uow, "nope", DecideReturnRequest("approve"), MARKET)
