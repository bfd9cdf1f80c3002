"""The returns domain at its edges: values read afresh (not interned), counts beyond the
small integers, prices in either order, and value objects that stay as recorded."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from returns.commands import (
    DecideReturnRequest,
    FileReturnRequest,
    InspectionLine,
    PostReceipt,
    RecordInspection,
    ReturnLine,
    ScanLine,
    ShipReplenishment,
)
from returns.domain import (
    AuthorizedLine,
    ReceivedLine,
    Replenishment,
    ReturnAuthorization,
    SalesReturnRequest,
    ShipmentLine,
)
from servicekit.contracts.returns_vocabulary import ReturnNotReceived
from servicekit.errors import Invalid

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fresh(text: str) -> str:
    """An equal string that is another object, as one read from a request would be."""
    return "".join(list(text))


def test_one_sku_at_a_lower_second_price_is_refused_too():
    # rule R1
    lines = [ReturnLine("A-1", 1, Decimal("2.00")), ReturnLine("A-1", 1, Decimal("1.00"))]
    with pytest.raises(Invalid):
        ReturnAuthorization(number="RA-1", customer_id="c", lines=lines, by="x", now=NOW)


def test_aggregates_and_lines_take_keywords_only():
    # rule R1
    with pytest.raises(TypeError):
        ReturnAuthorization("RA-1", "c", [ReturnLine("A", 1, Decimal(1))], "x", NOW)
    with pytest.raises(TypeError):
        Replenishment("case-1", "c", [ShipmentLine("A", 1)], "x", NOW)
    with pytest.raises(TypeError):
        AuthorizedLine("A", 1, Decimal(1))


def test_two_lines_alike_are_still_two_lines():
    # rule R1
    one = AuthorizedLine(sku="A", authorized_quantity=1, unit_price=Decimal(1))
    other = AuthorizedLine(sku="A", authorized_quantity=1, unit_price=Decimal(1))
    assert one != other


@pytest.mark.parametrize(
    "value",
    [
        ReceivedLine("A", 1),
        ShipmentLine("A", 1),
    ],
)
def test_what_was_recorded_stays_as_recorded(value):
    # rule R2, rule R5: the lines of a scan or a shipment are values. (Receipts, movements
    # and scrap records are ORM-mapped rows, which SQLAlchemy cannot map frozen,
    # sqlalchemy#9197; the test below checks no later step changes them.)
    field = dataclasses.fields(value)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, field, "changed")


def test_large_splits_that_add_up_are_taken():
    # rule R3
    ra = ReturnAuthorization(
        number="RA-1", customer_id="c", lines=[ReturnLine("A", 1000, Decimal(1))], by="x", now=NOW
    )
    ra.receive(PostReceipt("s1", "g", (ScanLine("A", 600),)), "wh", NOW)
    ra.receive(PostReceipt("s2", "g", (ScanLine("A", 400),)), "wh", NOW)
    ra.sign_off("wh", NOW)
    ra.inspect(RecordInspection("clerk", (InspectionLine("A", 600, 300, 100),)), "qa", NOW)
    assert ra.status == "inspected"


def test_an_approval_read_afresh_approves():
    # rule R1
    request = SalesReturnRequest(
        FileReturnRequest("c", "no_reason", "basis", (ReturnLine("A", 1, Decimal(1)),)), "cl", NOW
    )
    ra = request.decide(DecideReturnRequest(fresh("approve")), "RA-1", "mm", NOW)
    assert ra is not None and request.status == "approved"


def test_a_rejection_read_afresh_rejects():
    # rule R1
    request = SalesReturnRequest(
        FileReturnRequest("c", "no_reason", "basis", (ReturnLine("A", 1, Decimal(1)),)), "cl", NOW
    )
    assert request.decide(DecideReturnRequest(fresh("reject"), "no"), "RA-1", "mm", NOW) is None
    assert request.status == "rejected"


def test_a_shipment_ships_with_the_values_it_was_given():
    # rule R5
    shipment = Replenishment(
        complaint_id="case-1", customer_id="c", lines=[ShipmentLine("A", 1)], by="x", now=NOW
    )
    shipment.ship(ShipReplenishment(fresh("SF"), fresh("T-1")), "wh", NOW)
    assert (shipment.status, shipment.carrier) == ("shipped", "SF")


def test_later_steps_leave_earlier_receipts_movements_and_scrap_as_recorded():
    # rule R2, rule R4: a later scan, a resent scan or a second inspection attempt
    # changes no receipt, movement or scrap record already written.
    ra = ReturnAuthorization(
        number="RA-1", customer_id="c", lines=[ReturnLine("A", 3, Decimal(1))], by="x", now=NOW
    )
    first, _ = ra.receive(PostReceipt("s1", "g", (ScanLine("A", 2),)), "wh", NOW)
    before = dataclasses.asdict(first)
    ra.receive(PostReceipt("s2", "g", (ScanLine("A", 1),)), "wh2", NOW)
    ra.receive(PostReceipt("s1", "g", (ScanLine("A", 9),)), "wh3", NOW)
    assert dataclasses.asdict(first) == before
    ra.sign_off("wh", NOW)
    ra.inspect(RecordInspection("clerk", (InspectionLine("A", 1, 1, 1),)), "qa", NOW)
    recorded = [dataclasses.asdict(m) for m in ra.movements + ra.scrapped]
    with pytest.raises(ReturnNotReceived):  # inspected once
        ra.inspect(RecordInspection("clerk", (InspectionLine("A", 0, 0, 3),)), "qa2", NOW)
    assert [dataclasses.asdict(m) for m in ra.movements + ra.scrapped] == recorded
    assert [r.received_by for r in ra.receipts] == ["wh", "wh2"]
