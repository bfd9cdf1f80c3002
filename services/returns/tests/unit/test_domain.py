"""The returns domain on its own (rule R1 to rule R6): no broker, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from returns.commands import (
    AcceptedPlan,
    DecideReturnRequest,
    FileReturnRequest,
    InspectionLine,
    PlanAction,
    PostReceipt,
    RecordInspection,
    ReturnLine,
    ScanLine,
    ShipReplenishment,
)
from returns.domain import (
    Replenishment,
    ReturnAuthorization,
    SalesReturnRequest,
    ShipmentLine,
    return_number,
)
from servicekit.contracts.returns_vocabulary import (
    AlreadyShipped,
    CaseRequired,
    InspectionMismatch,
    NothingReceived,
    NothingToReturn,
    RequestDecided,
    ReturnNotReceived,
    ReturnSignedOff,
    SkuNotAuthorized,
)
from servicekit.errors import Invalid

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def line(sku="A-1", quantity=10, price="12.50", **more):
    return ReturnLine(sku, quantity, Decimal(price), **more)


def plan(*actions, owner="clerk"):
    return AcceptedPlan("case-1", "plan-1", "cust-1", tuple(actions), owner=owner)


def authorization(*lines, owner="clerk"):
    return ReturnAuthorization(
        number="RA-2026-000001",
        customer_id="cust-1",
        lines=lines or (line(),),
        by="returns",
        now=NOW,
        complaint_id="case-1",
        owner=owner,
    )


def scan(scan_id, *lines, scanner="gun-1"):
    return PostReceipt(scan_id, scanner, tuple(ScanLine(sku, q, "L1") for sku, q in lines))


def inspection(*splits, witness="clerk"):
    return RecordInspection(witness, tuple(InspectionLine(*s) for s in splits))


def received(quantity=10, **kw):
    ra = authorization(line(quantity=quantity, **kw))
    ra.receive(scan("s1", ("A-1", quantity)), "wh", NOW)
    ra.sign_off("wh", NOW)
    ra.pull_events()
    ra.pull_history()
    return ra


# --- rule R1: the authorization ------------------------------------------------------
def test_a_readable_number_counts_within_the_year():
    # rule R1
    assert return_number(2026, 123) == "RA-2026-000123"
    assert return_number(2027, 1_234_567) == "RA-2027-1234567"


def test_an_accepted_plan_authorizes_its_return_exchange_and_rework_lines_once():
    # rule R1
    accepted = plan(
        PlanAction("a1", "return", (line("A-1", 2),)),
        PlanAction("a2", "exchange", (line("B-2", 3, "5.00"),)),
        PlanAction("a3", "rework", (line("A-1", 1),)),
        PlanAction("a4", "replenishment", (line("C-3", 9),)),
        PlanAction("a5", "allowance"),
    )
    ra = ReturnAuthorization.for_plan(accepted, "RA-2026-000007", "returns", NOW)
    assert (ra.number, ra.complaint_id, ra.plan_id, ra.customer_id, ra.owner) == (
        "RA-2026-000007",
        "case-1",
        "plan-1",
        "cust-1",
        "clerk",
    )
    assert ra.request_id is None
    assert ra.status == "authorized"
    assert [
        (x.sku, x.authorized_quantity, x.unit_price, x.received_quantity) for x in ra.lines
    ] == [
        ("A-1", 3, Decimal("12.50"), 0),
        ("B-2", 3, Decimal("5.00"), 0),
    ]
    events = ra.pull_events()
    assert [e.event_type for e in events] == ["return_authorized"]
    payload = events[0].payload
    assert payload["return_id"] == ra.id
    assert payload["complaint_id"] == "case-1"
    assert payload["lines"][0] == {
        "sku": "A-1",
        "authorized_quantity": 3,
        "received_quantity": 0,
        "unit_price": "12.50",
        "good": None,
        "rework": None,
        "scrap": None,
    }
    assert payload["authorized_at"] == NOW.isoformat()
    (entry,) = ra.pull_history()
    assert (entry.entity_type, entry.entity_id, entry.actor, entry.action, entry.at) == (
        "return",
        ra.id,
        "returns",
        "authorized",
        NOW,
    )
    assert entry.changes["number"] == "RA-2026-000007"


def test_a_plan_sending_nothing_back_authorizes_nothing():
    # rule R1
    accepted = plan(PlanAction("a1", "replenishment", (line(),)), PlanAction("a2", "allowance"))
    assert ReturnAuthorization.for_plan(accepted, "RA-1", "returns", NOW) is None


def test_reason_handling_and_description_stay_on_the_line():
    # rule R1
    ra = authorization(line(description="pump 5 kW", reason="leaks", handling="inspect"))
    (only,) = ra.lines
    assert (only.description, only.reason, only.handling) == ("pump 5 kW", "leaks", "inspect")


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_line_below_one_unit_is_refused(quantity):
    # rule R1
    with pytest.raises(NothingToReturn):
        authorization(line(quantity=quantity))


def test_one_unit_is_enough():
    # rule R1
    assert authorization(line(quantity=1)).lines[0].authorized_quantity == 1


def test_no_lines_is_refused():
    # rule R1
    with pytest.raises(NothingToReturn):
        ReturnAuthorization(number="RA-1", customer_id="c", lines=(), by="x", now=NOW)


def test_one_sku_at_two_prices_is_refused():
    # rule R1
    with pytest.raises(Invalid) as refused:
        authorization(line("A-1", 1, "1.00"), line("A-1", 1, "2.00"))
    assert refused.value.http_status == 422


def test_a_naive_time_is_a_programming_error():
    # rule R1
    with pytest.raises(ValueError):
        ReturnAuthorization(
            number="RA-1", customer_id="c", lines=(line(),), by="x", now=datetime(2026, 1, 1)
        )


# --- rule R2: receipts ----------------------------------------------------------------
def test_partial_receipts_add_up_over_several_scans():
    # rule R2
    ra = authorization(line("A-1", 10), line("B-2", 4))
    ra.pull_history()
    receipt, created = ra.receive(scan("s1", ("A-1", 3)), "wh", NOW)
    assert created and ra.status == "receiving"
    assert (receipt.scan_id, receipt.scanner_id, receipt.received_by) == ("s1", "gun-1", "wh")
    assert receipt.received_at == NOW and receipt.return_id == ra.id
    ra.receive(scan("s2", ("A-1", 4), ("B-2", 4)), "wh", LATER)
    assert [(x.sku, x.received_quantity) for x in ra.lines] == [("A-1", 7), ("B-2", 4)]
    assert ra.status == "receiving"
    assert [e.event_type for e in ra.pull_events()] == ["return_authorized"]  # no more
    first, second = ra.pull_history()
    assert first.action == second.action == "receipt_posted"
    assert first.changes["status"] == {"old": "authorized", "new": "receiving"}
    assert "status" not in second.changes
    assert second.changes["received_quantity"] == {"A-1": 7, "B-2": 4}
    assert second.at == LATER
    assert [r.scan_id for r in ra.receipts] == ["s1", "s2"]


def test_receipts_announce_nothing_before_sign_off():
    # rule R2
    ra = authorization()
    ra.pull_events()
    ra.receive(scan("s1", ("A-1", 3)), "wh", NOW)
    assert ra.pull_events() == []


def test_the_same_scan_again_is_the_same_receipt_and_counts_nothing():
    # rule R2
    ra = authorization()
    first, _ = ra.receive(scan("s1", ("A-1", 3)), "wh", NOW)
    ra.pull_history()
    again, created = ra.receive(scan("s1", ("A-1", 3)), "wh", LATER)
    assert again is first and created is False
    assert ra.lines[0].received_quantity == 3
    assert ra.pull_history() == []


def test_a_resent_scan_after_sign_off_still_answers_its_receipt():
    # rule R2
    ra = received(10)
    again, created = ra.receive(scan("s1", ("A-1", 10)), "wh", LATER)
    assert created is False and again.scan_id == "s1"


def test_a_sku_not_on_the_authorization_is_refused_and_nothing_counted():
    # rule R2
    ra = authorization()
    with pytest.raises(SkuNotAuthorized) as refused:
        ra.receive(scan("s1", ("A-1", 2), ("Z-9", 1)), "wh", NOW)
    assert refused.value.http_status == 422
    assert refused.value.details == {"sku": ["Z-9"]}
    assert ra.lines[0].received_quantity == 0 and ra.receipts == [] and ra.status == "authorized"


@pytest.mark.parametrize("quantity", [0, -2])
def test_a_scanned_quantity_below_one_is_refused(quantity):
    # rule R2
    ra = authorization()
    with pytest.raises(Invalid):
        ra.receive(scan("s1", ("A-1", quantity)), "wh", NOW)
    assert ra.receipts == []


def test_a_scan_of_one_unit_counts():
    # rule R2
    ra = authorization()
    ra.receive(scan("s1", ("A-1", 1)), "wh", NOW)
    assert ra.lines[0].received_quantity == 1


def test_a_scan_without_lines_is_refused():
    # rule R2
    with pytest.raises(Invalid):
        authorization().receive(PostReceipt("s1", "gun", ()), "wh", NOW)


def test_more_than_authorized_is_accepted_and_recorded():
    # rule R2
    ra = authorization(line(quantity=10))
    ra.receive(scan("s1", ("A-1", 11)), "wh", NOW)
    assert ra.lines[0].received_quantity == 11


def test_a_receipt_on_a_signed_off_return_is_refused():
    # rule R2
    ra = received(10)
    with pytest.raises(ReturnSignedOff) as refused:
        ra.receive(scan("s2", ("A-1", 1)), "wh", LATER)
    assert refused.value.http_status == 409
    assert ra.lines[0].received_quantity == 10


# --- rule R2, rule R6: sign-off and posting --------------------------------------------
def test_sign_off_records_the_actual_quantities_and_posts_them_at_once():
    # rule R6
    ra = authorization(line("A-1", 10), line("B-2", 4))
    ra.receive(scan("s1", ("A-1", 10), ("B-2", 4)), "wh", NOW)
    ra.pull_events()
    ra.pull_history()
    ra.sign_off("wh", LATER)
    assert ra.status == "received"
    assert (ra.received_at, ra.received_by, ra.posted_at) == (LATER, "wh", LATER)
    assert ra.differences == []
    (event,) = ra.pull_events()
    assert event.event_type == "return_received"
    assert [(x["sku"], x["received_quantity"]) for x in event.payload["lines"]] == [
        ("A-1", 10),
        ("B-2", 4),
    ]
    assert event.payload["received_at"] == LATER.isoformat()
    signed, posted = ra.pull_history()
    assert signed.action == "signed_off"
    assert signed.changes["status"] == {"old": "receiving", "new": "received"}
    assert signed.changes["received_quantity"] == {"A-1": 10, "B-2": 4}
    assert posted.action == "posted" and posted.at == LATER


@pytest.mark.parametrize(("got", "difference"), [(9, -1), (11, 1)])
def test_a_difference_at_sign_off_is_charged_to_the_sales_clerk(got, difference):
    # rule R2
    ra = authorization(line("A-1", 10), line("B-2", 4), owner="li.clerk")
    ra.receive(scan("s1", ("A-1", got), ("B-2", 4)), "wh", NOW)
    ra.sign_off("wh", LATER)
    assert ra.differences == [
        {
            "sku": "A-1",
            "authorized_quantity": 10,
            "received_quantity": got,
            "difference": difference,
            "charged_to": "li.clerk",
        }
    ]
    signed = [h for h in ra.pull_history() if h.action == "signed_off"][0]
    assert signed.changes["differences"] == ra.differences


def test_a_sku_that_never_arrived_is_a_difference_of_all_of_it():
    # rule R2
    ra = authorization(line("A-1", 10), line("B-2", 4))
    ra.receive(scan("s1", ("A-1", 10)), "wh", NOW)
    ra.sign_off("wh", LATER)
    assert [(d["sku"], d["difference"]) for d in ra.differences] == [("B-2", -4)]


def test_sign_off_with_nothing_received_is_refused():
    # rule R2
    ra = authorization()
    with pytest.raises(NothingReceived) as refused:
        ra.sign_off("wh", NOW)
    assert refused.value.http_status == 409
    assert ra.status == "authorized"


def test_a_second_sign_off_is_refused():
    # rule R2
    ra = received()
    with pytest.raises(ReturnSignedOff):
        ra.sign_off("wh", LATER)


def test_the_daily_batch_posts_a_signed_off_return_once():
    # rule R6
    ra = authorization()
    ra.receive(scan("s1", ("A-1", 10)), "wh", NOW)
    ra.pull_events()
    ra.sign_off("wh", NOW, post=False)
    assert ra.posted_at is None and ra.pull_events() == []
    assert ra.post("batch", LATER) is True
    assert ra.posted_at == LATER
    assert [e.event_type for e in ra.pull_events()] == ["return_received"]
    assert ra.post("batch", LATER) is False
    assert ra.pull_events() == []


def test_a_return_not_signed_off_is_not_posted():
    # rule R6
    ra = authorization()
    ra.receive(scan("s1", ("A-1", 10)), "wh", NOW)
    ra.pull_events()
    assert ra.post("batch", NOW) is False
    assert ra.posted_at is None and ra.pull_events() == []


# --- rule R3, rule R4: inspection --------------------------------------------------------
def test_inspection_splits_what_was_received_and_moves_stock():
    # rule R3
    ra = received(10, description="pump 5 kW")
    ra.inspect(inspection(("A-1", 6, 3, 1), witness=" li.clerk "), "qa", LATER)
    assert ra.status == "inspected"
    assert (ra.inspected_by, ra.witness, ra.inspected_at) == ("qa", "li.clerk", LATER)
    assert (ra.lines[0].good, ra.lines[0].rework, ra.lines[0].scrap) == (6, 3, 1)
    assert [(m.sku, m.kind, m.quantity, m.at, m.by) for m in ra.movements] == [
        ("A-1", "returned_to_stock", 6, LATER, "qa"),
        ("A-1", "scrapped", -1, LATER, "qa"),
    ]
    (event,) = ra.pull_events()
    assert event.event_type == "return_inspected"
    assert event.payload["witness"] == "li.clerk"
    assert event.payload["inspected_by"] == "qa"
    assert (event.payload["lines"][0]["good"], event.payload["lines"][0]["scrap"]) == (6, 1)
    (entry,) = ra.pull_history()
    assert entry.action == "inspected" and entry.at == LATER
    assert entry.changes["witness"] == "li.clerk"
    assert entry.changes["lines"] == {"A-1": {"good": 6, "rework": 3, "scrap": 1}}
    assert entry.changes["status"] == {"old": "received", "new": "inspected"}


def test_scrap_leaves_stock_at_once_with_product_spec_and_quantity():
    # rule R4
    ra = received(5, description="pump 5 kW")
    ra.inspect(inspection(("A-1", 0, 0, 5)), "qa", LATER)
    assert [(s.return_id, s.sku, s.spec, s.quantity, s.at, s.by) for s in ra.scrapped] == [
        (ra.id, "A-1", "pump 5 kW", 5, LATER, "qa")
    ]
    assert [(m.kind, m.quantity) for m in ra.movements] == [("scrapped", -5)]


def test_rework_only_moves_no_stock():
    # rule R3
    ra = received(4)
    ra.inspect(inspection(("A-1", 0, 4, 0)), "qa", LATER)
    assert ra.movements == [] and ra.scrapped == []


@pytest.mark.parametrize("split", [(6, 3, 0), (6, 3, 2), (11, 0, 0)])
def test_a_split_not_adding_up_to_the_received_quantity_is_refused(split):
    # rule R3
    ra = received(10)
    with pytest.raises(InspectionMismatch) as refused:
        ra.inspect(inspection(("A-1", *split)), "qa", LATER)
    assert refused.value.http_status == 422
    assert ra.status == "received" and ra.movements == []


def test_a_received_sku_left_out_of_the_inspection_is_refused():
    # rule R3
    ra = authorization(line("A-1", 2), line("B-2", 2))
    ra.receive(scan("s1", ("A-1", 2), ("B-2", 1)), "wh", NOW)
    ra.sign_off("wh", NOW)
    with pytest.raises(InspectionMismatch) as refused:
        ra.inspect(inspection(("A-1", 2, 0, 0)), "qa", LATER)
    assert refused.value.details == {"lines": ["B-2: 0 inspected, 1 received"]}


def test_a_sku_that_never_arrived_may_be_left_out_and_counts_zero():
    # rule R3
    ra = authorization(line("A-1", 2), line("B-2", 2))
    ra.receive(scan("s1", ("A-1", 2)), "wh", NOW)
    ra.sign_off("wh", NOW)
    ra.inspect(inspection(("A-1", 2, 0, 0)), "qa", LATER)
    assert (ra.lines[1].good, ra.lines[1].rework, ra.lines[1].scrap) == (0, 0, 0)
    assert [m.sku for m in ra.movements] == ["A-1"]


def test_a_sku_inspected_twice_is_refused():
    # rule R3
    ra = received(10)
    with pytest.raises(InspectionMismatch):
        ra.inspect(inspection(("A-1", 5, 0, 0), ("A-1", 5, 0, 0)), "qa", LATER)


def test_an_inspected_sku_not_on_the_authorization_is_refused():
    # rule R3
    ra = received(10)
    with pytest.raises(SkuNotAuthorized):
        ra.inspect(inspection(("A-1", 10, 0, 0), ("Z-9", 0, 0, 0)), "qa", LATER)


@pytest.mark.parametrize("split", [(11, -1, 0), (11, 0, -1), (-1, 11, 0)])
def test_a_negative_part_is_refused_even_when_the_sum_fits(split):
    # rule R3
    ra = received(10)
    with pytest.raises(Invalid) as refused:
        ra.inspect(inspection(("A-1", *split)), "qa", LATER)
    assert refused.value.code == "invalid"


@pytest.mark.parametrize("witness", ["", "   ", None])
def test_inspection_needs_the_sales_clerk_as_witness(witness):
    # rule R3
    ra = received(10)
    with pytest.raises(Invalid) as refused:
        ra.inspect(inspection(("A-1", 10, 0, 0), witness=witness), "qa", LATER)
    assert refused.value.details == {"witness": ["required"]}


@pytest.mark.parametrize("stage", ["authorized", "receiving", "inspected"])
def test_inspection_only_of_a_signed_off_return_and_only_once(stage):
    # rule R3
    ra = authorization()
    if stage != "authorized":
        ra.receive(scan("s1", ("A-1", 10)), "wh", NOW)
    if stage == "inspected":
        ra.sign_off("wh", NOW)
        ra.inspect(inspection(("A-1", 10, 0, 0)), "qa", NOW)
    with pytest.raises(ReturnNotReceived) as refused:
        ra.inspect(inspection(("A-1", 10, 0, 0)), "qa", LATER)
    assert refused.value.http_status == 409


# --- rule R5: replenishment shipments -------------------------------------------------------
def test_replenishment_and_exchange_actions_yield_one_shipment_each():
    # rule R5
    accepted = plan(
        PlanAction("a1", "return", (line("A-1", 2),)),
        PlanAction("a2", "exchange", (line("B-2", 3),)),
        PlanAction("a3", "replenishment", (line("C-3", 9), line("D-4", 1))),
        PlanAction("a4", "replenishment"),
    )
    shipments = Replenishment.for_plan(accepted, "returns", NOW)
    assert [(s.action_id, s.status, s.complaint_id, s.plan_id) for s in shipments] == [
        ("a2", "pending", "case-1", "plan-1"),
        ("a3", "pending", "case-1", "plan-1"),
    ]
    assert shipments[1].payload_lines() == [
        {"sku": "C-3", "quantity": 9},
        {"sku": "D-4", "quantity": 1},
    ]
    assert shipments[0].pull_events() == []
    (entry,) = shipments[0].pull_history()
    assert (entry.entity_type, entry.action, entry.at) == ("replenishment", "created", NOW)


def test_shipping_records_carrier_and_tracking_number_and_announces_it():
    # rule R5
    (shipment,) = Replenishment.for_plan(
        plan(PlanAction("a3", "replenishment", (line("C-3", 9),))), "returns", NOW
    )
    shipment.pull_history()
    shipment.ship(ShipReplenishment(" SF Express ", "SF123"), "wh", LATER)
    assert (shipment.status, shipment.carrier, shipment.tracking_no) == (
        "shipped",
        "SF Express",
        "SF123",
    )
    assert (shipment.shipped_at, shipment.shipped_by) == (LATER, "wh")
    (event,) = shipment.pull_events()
    assert event.event_type == "replenishment_shipped"
    assert event.payload == {
        "shipment_id": shipment.id,
        "complaint_id": "case-1",
        "customer_id": "cust-1",
        "action_id": "a3",
        "lines": [{"sku": "C-3", "quantity": 9}],
        "carrier": "SF Express",
        "tracking_no": "SF123",
        "shipped_at": LATER.isoformat(),
    }
    (entry,) = shipment.pull_history()
    assert entry.action == "shipped" and entry.changes["tracking_no"] == "SF123"


def test_a_shipment_ships_once():
    # rule R5
    shipment = Replenishment(
        complaint_id="case-1", customer_id="c", lines=[ShipmentLine("A", 1)], by="r", now=NOW
    )
    shipment.ship(ShipReplenishment("SF", "1"), "wh", NOW)
    with pytest.raises(AlreadyShipped) as refused:
        shipment.ship(ShipReplenishment("SF", "2"), "wh", LATER)
    assert refused.value.http_status == 409 and shipment.tracking_no == "1"


@pytest.mark.parametrize(("carrier", "tracking_no"), [("", "1"), ("SF", " "), (None, "1")])
def test_a_shipment_needs_carrier_and_tracking_number(carrier, tracking_no):
    # rule R5
    shipment = Replenishment(
        complaint_id="case-1", customer_id="c", lines=[ShipmentLine("A", 1)], by="r", now=NOW
    )
    with pytest.raises(Invalid):
        shipment.ship(ShipReplenishment(carrier, tracking_no), "wh", LATER)
    assert shipment.status == "pending" and shipment.pull_events() == []


@pytest.mark.parametrize("complaint_id", [None, "", "  "])
def test_no_shipment_without_its_case(complaint_id):
    # rule R5
    with pytest.raises(CaseRequired) as refused:
        Replenishment(
            complaint_id=complaint_id,
            customer_id="c",
            lines=[ShipmentLine("A", 1)],
            by="r",
            now=NOW,
        )
    assert refused.value.http_status == 422


@pytest.mark.parametrize(
    "lines", [[], [ShipmentLine("A", 0)], [ShipmentLine("A", 1), ShipmentLine("B", -1)]]
)
def test_a_shipment_of_nothing_is_refused(lines):
    # rule R5
    with pytest.raises(NothingToReturn):
        Replenishment(complaint_id="case-1", customer_id="c", lines=lines, by="r", now=NOW)


# --- sales return requests (seed 002) --------------------------------------------------------
def filed(**kw):
    values = {
        "customer_id": "cust-9",
        "request_class": "short_not_replenished",
        "basis": " delivery note 88 ",
        "lines": (line("A-1", 4),),
    }
    values.update(kw)
    return SalesReturnRequest(FileReturnRequest(**values), "li.clerk", NOW)


def test_a_filed_request_is_pending_with_its_class_and_basis():
    # rule R1
    request = filed()
    assert (request.status, request.request_class, request.basis, request.filed_by) == (
        "pending",
        "short_not_replenished",
        "delivery note 88",
        "li.clerk",
    )
    (entry,) = request.pull_history()
    assert (entry.entity_type, entry.action) == ("return_request", "filed")
    assert entry.changes["lines"] == [{"sku": "A-1", "quantity": 4, "unit_price": "12.50"}]


@pytest.mark.parametrize("basis", ["", " ", None])
def test_a_request_needs_its_basis(basis):
    # rule R1
    with pytest.raises(Invalid):
        filed(basis=basis)


def test_a_request_needs_lines_of_at_least_one_unit():
    # rule R1
    with pytest.raises(NothingToReturn):
        filed(lines=())
    with pytest.raises(NothingToReturn):
        filed(lines=(line(quantity=0),))


def test_an_approved_request_yields_an_authorization_with_no_complaint():
    # rule R1
    request = filed()
    request.pull_history()
    ra = request.decide(DecideReturnRequest("approve"), "RA-2026-000002", "mm", LATER)
    assert (ra.complaint_id, ra.request_id, ra.customer_id, ra.owner, ra.number) == (
        None,
        request.id,
        "cust-9",
        "li.clerk",
        "RA-2026-000002",
    )
    assert [(x.sku, x.authorized_quantity) for x in ra.lines] == [("A-1", 4)]
    assert [e.event_type for e in ra.pull_events()] == ["return_authorized"]
    assert (request.status, request.return_id, request.decided_by, request.decided_at) == (
        "approved",
        ra.id,
        "mm",
        LATER,
    )
    (entry,) = request.pull_history()
    assert entry.action == "approved" and entry.changes["return_id"] == ra.id


def test_a_rejected_request_keeps_its_comment_and_yields_nothing():
    # rule R1
    request = filed()
    assert request.decide(DecideReturnRequest("reject", "no basis"), "RA-1", "mm", LATER) is None
    assert (request.status, request.comment, request.return_id) == ("rejected", "no basis", None)
    entry = request.pull_history()[-1]
    assert entry.changes["status"] == {"old": "pending", "new": "rejected"}


@pytest.mark.parametrize("comment", [None, "", "  "])
def test_a_rejection_needs_a_comment(comment):
    # rule R1
    request = filed()
    with pytest.raises(Invalid):
        request.decide(DecideReturnRequest("reject", comment), "RA-1", "mm", LATER)
    assert request.status == "pending"


@pytest.mark.parametrize("first", ["approve", "reject"])
def test_a_request_is_decided_once(first):
    # rule R1
    request = filed()
    request.decide(DecideReturnRequest(first, "ok"), "RA-1", "mm", NOW)
    with pytest.raises(RequestDecided) as refused:
        request.decide(DecideReturnRequest("approve"), "RA-2", "mm", LATER)
    assert refused.value.http_status == 409
