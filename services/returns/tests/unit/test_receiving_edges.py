"""Receipts and sign-off at their edges (rule R2): which line and which receipt a scan
names, and counts beyond the small integers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from returns.commands import PostReceipt, ReturnLine, ScanLine
from returns.domain import ReturnAuthorization

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def fresh(text: str) -> str:
    """An equal string that is another object, as one read from a request would be."""
    return "".join(list(text))


def authorization(*lines: tuple[str, int]) -> ReturnAuthorization:
    return ReturnAuthorization(
        number="RA-2026-000001",
        customer_id="cust-1",
        lines=[ReturnLine(sku, q, Decimal("1.00")) for sku, q in lines],
        by="returns",
        now=NOW,
        owner="clerk",
    )


def scan(scan_id: str, sku: str, quantity: int) -> PostReceipt:
    return PostReceipt(scan_id, "gun-1", (ScanLine(sku, quantity),))


def test_a_scan_fills_the_line_of_its_own_sku_whatever_the_order_of_lines():
    # rule R2
    ra = authorization(("B-2", 5), ("A-1", 5))
    ra.receive(scan("s1", fresh("A-1"), 2), "wh", NOW)
    assert [(x.sku, x.received_quantity) for x in ra.lines] == [("B-2", 0), ("A-1", 2)]


def test_a_new_scan_id_ordered_before_a_known_one_is_a_new_receipt():
    # rule R2
    ra = authorization(("A-1", 10))
    ra.receive(scan("s5", "A-1", 2), "wh", NOW)
    _, created = ra.receive(scan("s3", "A-1", 3), "wh", NOW)
    assert created is True
    assert ra.lines[0].received_quantity == 5


def test_a_resent_scan_id_read_afresh_is_still_the_same_receipt():
    # rule R2
    ra = authorization(("A-1", 10))
    first, _ = ra.receive(scan("scan-0001", "A-1", 2), "wh", NOW)
    again, created = ra.receive(scan(fresh("scan-0001"), fresh("A-1"), 2), "wh", NOW)
    assert (again, created) == (first, False)
    assert ra.lines[0].received_quantity == 2


def test_large_quantities_that_match_make_no_difference():
    # rule R2
    ra = authorization(("A-1", 1000))
    ra.receive(scan("s1", "A-1", 600), "wh", NOW)
    ra.receive(scan("s2", "A-1", 400), "wh", NOW)
    ra.sign_off("wh", NOW)
    assert ra.differences == []


def test_only_the_first_scan_moves_the_status():
    # rule R2
    ra = authorization(("A-1", 10))
    ra.pull_history()
    ra.receive(scan("s1", "A-1", 1), "wh", NOW)
    ra.receive(scan("s2", "A-1", 1), "wh", NOW)
    first, second = ra.pull_history()
    assert first.changes["status"] == {"old": "authorized", "new": "receiving"}
    assert "status" not in second.changes
