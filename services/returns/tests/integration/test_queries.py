"""The returns lists (CONTRACT "Lists") on the real databases (SQLite and PostgreSQL, the
root conftest's ``db_url``): each filter CONTRACT names narrows its list, pages hold the
newest first, and the stock movements and scrap records are rows of plain values."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from returns import handlers, queries
from returns.commands import (
    AcceptedPlan,
    DecideReturnRequest,
    FileReturnRequest,
    InspectionLine,
    PlanAction,
    RecordInspection,
    ReturnLine,
    ShipReplenishment,
)
from returns.models import start_mappers
from returns.repository import REPOSITORIES
from returns.testing import CLERK, MARKET, QUALITY, WAREHOUSE, plan, scan
from servicekit.db import UnitOfWork
from servicekit.testing import migrated_database

RETURN = PlanAction(
    "a-1",
    "return",
    (
        ReturnLine("P-1", 8, Decimal("20.00"), description="控制柜外壳"),
        ReturnLine("P-2", 2, Decimal("1.00")),
    ),
)
REPLENISHMENT = PlanAction("a-2", "replenishment", (ReturnLine("R-1", 1, Decimal("5.00")),))


def accepted(n: int) -> AcceptedPlan:
    """Plan ``n`` of case-``n`` for cust-``n``: a return of P-1 and P-2, a replenishment."""
    accepted = plan(RETURN, REPLENISHMENT, plan_id=f"plan-{n}")
    return replace(accepted, complaint_id=f"case-{n}", customer_id=f"cust-{n}")


@pytest.fixture
def database(db_url):
    with migrated_database("returns", db_url, start_mappers) as database:
        yield database


@pytest.fixture
def uow(database):
    """A new unit of work each call: ``uow()``."""
    return lambda: UnitOfWork(database, repositories=REPOSITORIES)


@pytest.fixture
def stored(uow):
    """Case 1 received, inspected (P-1: 5 good, 1 rework, 2 scrap) and its replenishment
    shipped; case 2 authorized only; two return requests, one approved."""
    first = handlers.handle_plan_accepted(uow(), accepted(1))
    handlers.post_receipt(uow(), first.id, scan("s-1", ("P-1", 8), ("P-2", 2)), WAREHOUSE)
    handlers.sign_off(uow(), first.id, WAREHOUSE)
    split = RecordInspection(
        "li.na", (InspectionLine("P-1", 5, 1, 2), InspectionLine("P-2", 2, 0, 0))
    )
    handlers.inspect(uow(), first.id, split, QUALITY)
    with uow() as unit:
        (shipment,) = unit.replenishments.for_plan("plan-1")
    handlers.ship_replenishment(uow(), shipment.id, ShipReplenishment("SF", "SF1"), WAREHOUSE)
    second = handlers.handle_plan_accepted(uow(), accepted(2))
    line = (ReturnLine("P-1", 3, Decimal("20.00")),)
    pending = handlers.file_return_request(
        uow(), FileReturnRequest("cust-1", "no_reason", "合同第5条", line), CLERK
    )
    approved = handlers.file_return_request(
        uow(), FileReturnRequest("cust-2", "no_reason", "合同第5条", line), CLERK
    )
    handlers.decide_return_request(uow(), approved.id, DecideReturnRequest("approve"), MARKET)
    return {"first": first.id, "second": second.id, "pending": pending.id}


def ids(listed: dict) -> list[str]:
    return [item.id for item in listed["items"]]


def test_returns_newest_first_filtered_and_paged(uow, stored):
    everything = queries.list_returns(uow(), {}, 1, 50)
    assert everything["total"] == 3  # the two plans' and the approved request's
    created = [item.created_at for item in everything["items"]]
    assert created == sorted(created, reverse=True)
    assert ids(queries.list_returns(uow(), {"complaint_id": "case-2"}, 1, 50)) == [stored["second"]]
    assert ids(queries.list_returns(uow(), {"customer_id": "cust-1", "status": None}, 1, 50)) == [
        stored["first"]
    ]
    assert ids(queries.list_returns(uow(), {"status": "inspected"}, 1, 50)) == [stored["first"]]
    assert queries.list_returns(uow(), {"status": "receiving"}, 1, 50)["items"] == []
    second_page = queries.list_returns(uow(), {}, 2, 2)
    assert (second_page["total"], second_page["page"], second_page["per_page"]) == (3, 2, 2)
    assert ids(second_page) == ids(everything)[2:]


def test_replenishments_filter_by_complaint_and_status(uow, stored):
    everything = queries.list_replenishments(uow(), {}, 1, 50)
    assert [item.plan_id for item in everything["items"]] == ["plan-2", "plan-1"]
    shipped = queries.list_replenishments(uow(), {"status": "shipped"}, 1, 50)
    assert [(item.plan_id, item.tracking_no) for item in shipped["items"]] == [("plan-1", "SF1")]
    case_2 = queries.list_replenishments(uow(), {"complaint_id": "case-2"}, 1, 50)
    assert [item.plan_id for item in case_2["items"]] == ["plan-2"]
    assert queries.list_replenishments(uow(), {}, 2, 1)["items"][0].plan_id == "plan-1"


def test_return_requests_filter_by_customer_and_status(uow, stored):
    everything = queries.list_return_requests(uow(), {}, 1, 50)
    assert [item.customer_id for item in everything["items"]] == ["cust-2", "cust-1"]
    pending = queries.list_return_requests(uow(), {"status": "pending"}, 1, 50)
    assert ids(pending) == [stored["pending"]]
    of_cust_2 = queries.list_return_requests(uow(), {"customer_id": "cust-2"}, 1, 50)
    assert [item.status for item in of_cust_2["items"]] == ["approved"]


def test_stock_movements_are_rows_newest_first(uow, stored):  # rule R3, rule R4
    everything = queries.list_stock_movements(uow(), {}, 1, 50)
    assert everything["total"] == 3
    assert sorted((row["sku"], row["kind"], row["quantity"]) for row in everything["items"]) == [
        ("P-1", "returned_to_stock", 5),
        ("P-1", "scrapped", -2),
        ("P-2", "returned_to_stock", 2),
    ]
    row = everything["items"][0]
    assert set(row) == {"return_id", "sku", "kind", "quantity", "at", "by"}
    assert (row["return_id"], row["by"]) == (stored["first"], "zhou.jie")
    times = [row["at"] for row in everything["items"]]
    assert times == sorted(times, reverse=True)
    scrapped = queries.list_stock_movements(uow(), {"kind": "scrapped"}, 1, 50)
    assert [(r["sku"], r["quantity"]) for r in scrapped["items"]] == [("P-1", -2)]
    b_2 = queries.list_stock_movements(uow(), {"sku": "P-2", "return_id": stored["first"]}, 1, 50)
    assert [r["kind"] for r in b_2["items"]] == ["returned_to_stock"]
    assert queries.list_stock_movements(uow(), {"return_id": stored["second"]}, 1, 50)["total"] == 0
    assert len(queries.list_stock_movements(uow(), {}, 2, 2)["items"]) == 1


def test_scrap_records_are_rows_with_their_spec(uow, stored):  # rule R4
    listed = queries.list_scrap(uow(), {"sku": "P-1"}, 1, 50)
    assert listed["total"] == 1
    (row,) = listed["items"]
    assert {k: row[k] for k in ("return_id", "sku", "spec", "quantity", "by")} == {
        "return_id": stored["first"],
        "sku": "P-1",
        "spec": "控制柜外壳",
        "quantity": 2,
        "by": "zhou.jie",
    }
    assert row["at"] is not None
    assert queries.list_scrap(uow(), {"sku": "P-2"}, 1, 50)["items"] == []
    assert queries.list_scrap(uow(), {"return_id": stored["second"]}, 1, 50)["total"] == 0
