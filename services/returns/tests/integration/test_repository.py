"""The returns tables and mappings on the real databases (SQLite and PostgreSQL, the root
conftest's ``db_url``): aggregates go in and come back whole, a plan's work is done once
(rule R1), and the database itself counts a scan_id once (rule R2)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

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
from returns.domain import ReceivedLine, ReturnAuthorization
from returns.models import receipts, replenishments, return_authorizations, start_mappers
from returns.repository import REPOSITORIES
from returns.testing import CLERK, MARKET, QUALITY, WAREHOUSE, plan
from returns.testing import scan as shared_scan
from servicekit.db import UnitOfWork
from servicekit.tables import outbox
from servicekit.testing import count, migrated_database

PLAN = plan(
    PlanAction(
        "act-1",
        "return",
        (
            ReturnLine("A-1", 10, Decimal("12.50"), description="A-1 spec"),
            ReturnLine("B-2", 4, Decimal("3.00")),
        ),
    ),
    PlanAction("act-2", "replenishment", (ReturnLine("D-4", 5, Decimal("1.00")),)),
)


def scan(scan_id, *lines):
    return shared_scan(scan_id, *lines, lot="L1")


@pytest.fixture
def database(db_url):
    with migrated_database("returns", db_url, start_mappers) as database:
        yield database


def new_uow(database) -> UnitOfWork:
    return UnitOfWork(database, repositories=REPOSITORIES)


def test_an_authorization_goes_through_its_life_and_comes_back_whole(database):
    authorization = handlers.handle_plan_accepted(new_uow(database), PLAN)
    return_id = authorization.id
    handlers.post_receipt(new_uow(database), return_id, scan("s-1", ("A-1", 6)), WAREHOUSE)
    handlers.post_receipt(
        new_uow(database), return_id, scan("s-2", ("A-1", 3), ("B-2", 4)), WAREHOUSE
    )
    handlers.sign_off(new_uow(database), return_id, WAREHOUSE)
    split = RecordInspection(
        "li.na", (InspectionLine("A-1", 6, 1, 2), InspectionLine("B-2", 4, 0, 0))
    )
    handlers.inspect(new_uow(database), return_id, split, QUALITY)

    stored = handlers.get_return(new_uow(database), return_id)
    assert stored.number.endswith("-000001") and stored.status == "inspected"
    assert [(x.sku, x.authorized_quantity, x.received_quantity) for x in stored.lines] == [
        ("A-1", 10, 9),
        ("B-2", 4, 4),
    ]
    assert stored.line("A-1").unit_price == Decimal("12.50")
    assert [r.scan_id for r in stored.receipts] == ["s-1", "s-2"]
    assert stored.receipts[1].lines == (ReceivedLine("A-1", 3, "L1"), ReceivedLine("B-2", 4, "L1"))
    assert stored.receipts[0].received_at.tzinfo is not None
    # rule R2: the difference is charged to the case's sales clerk
    assert stored.differences == [
        {
            "sku": "A-1",
            "authorized_quantity": 10,
            "received_quantity": 9,
            "difference": -1,
            "charged_to": "li.na",
        }
    ]
    # rule R3, rule R4
    assert [(m.sku, m.kind, m.quantity, m.by) for m in stored.movements] == [
        ("A-1", "returned_to_stock", 6, "zhou.jie"),
        ("A-1", "scrapped", -2, "zhou.jie"),
        ("B-2", "returned_to_stock", 4, "zhou.jie"),
    ]
    assert [(s.sku, s.spec, s.quantity) for s in stored.scrapped] == [("A-1", "A-1 spec", 2)]
    # rule X2, rule X3: the events in the outbox, the history in its table
    with database.engine.connect() as conn:
        types = conn.execute(select(outbox.c.event_type).order_by(outbox.c.created_at)).scalars()
        assert sorted(types) == ["return_authorized", "return_inspected", "return_received"]
    with new_uow(database) as uow:
        actions = [h["action"] for h in uow.returns.history(return_id)]
    assert actions == [
        "authorized",
        "receipt_posted",
        "receipt_posted",
        "signed_off",
        "posted",
        "inspected",
    ]


def test_the_same_plan_twice_leaves_one_authorization_and_one_shipment(database):
    # rule R1, rule R5
    first = handlers.handle_plan_accepted(new_uow(database), PLAN)
    again = handlers.handle_plan_accepted(new_uow(database), PLAN)
    assert again.id == first.id
    assert count(database, return_authorizations) == 1
    assert count(database, replenishments) == 1
    with new_uow(database) as uow:
        (shipment,) = uow.replenishments.for_plan("plan-1")
    handlers.ship_replenishment(
        new_uow(database), shipment.id, ShipReplenishment("SF", "SF123"), WAREHOUSE
    )
    with new_uow(database) as uow:
        stored = uow.replenishments.get(shipment.id)
    assert (stored.status, stored.tracking_no) == ("shipped", "SF123")
    assert [line.payload() for line in stored.lines] == [{"sku": "D-4", "quantity": 5}]


def test_the_database_keeps_one_plan_one_authorization(database):
    # rule R1: even a second authorization that got past the look-up is refused
    handlers.handle_plan_accepted(new_uow(database), PLAN)
    uow = new_uow(database)
    with uow, pytest.raises(IntegrityError):
        twin = ReturnAuthorization.for_plan(PLAN, "RA-2026-000099", "returns", datetime.now(UTC))
        uow.returns.add(twin)
        uow.commit()
    assert count(database, return_authorizations) == 1


def test_two_inserts_of_the_same_scan_id_leave_one_receipt(database):
    # rule R2: the unique (return, scan_id) constraint, not a check before the insert
    return_id = handlers.handle_plan_accepted(new_uow(database), PLAN).id
    row = {
        "return_id": return_id,
        "scan_id": "s-1",
        "scanner_id": "gun-1",
        "lines": [],
        "received_by": "wang.fang",
        "received_at": datetime.now(UTC),
    }
    with database.engine.begin() as conn:
        conn.execute(insert(receipts).values(**row))
    with pytest.raises(IntegrityError), database.engine.begin() as conn:
        conn.execute(insert(receipts), row)
    assert count(database, receipts, receipts.c.scan_id == "s-1") == 1


def test_a_scan_its_twin_committed_meanwhile_answers_the_twins_receipt(database, monkeypatch):
    # rule R2: the twin committed after this request read the return (a stale read); the
    # constraint refuses the second row and the handler answers the first receipt.
    return_id = handlers.handle_plan_accepted(new_uow(database), PLAN).id
    first, created = handlers.post_receipt(
        new_uow(database), return_id, scan("s-1", ("A-1", 4)), WAREHOUSE
    )
    assert created
    real = ReturnAuthorization.receipt
    calls = []

    def stale_once(self, scan_id):
        calls.append(scan_id)
        return None if len(calls) == 1 else real(self, scan_id)

    monkeypatch.setattr(ReturnAuthorization, "receipt", stale_once)
    answer, created = handlers.post_receipt(
        new_uow(database), return_id, scan("s-1", ("A-1", 4)), WAREHOUSE
    )
    monkeypatch.undo()
    assert not created and answer.scan_id == "s-1" and answer.received_at == first.received_at
    assert count(database, receipts) == 1
    assert handlers.get_return(new_uow(database), return_id).line("A-1").received_quantity == 4


def test_an_approved_request_is_stored_with_its_lines_and_authorization(database):
    request = handlers.file_return_request(
        new_uow(database),
        FileReturnRequest(
            "cust-1", "no_reason", "合同第5条", (ReturnLine("A-1", 3, Decimal("2.5")),)
        ),
        CLERK,
    )
    _, authorization = handlers.decide_return_request(
        new_uow(database), request.id, DecideReturnRequest("approve"), MARKET
    )
    with new_uow(database) as uow:
        stored = uow.requests.get(request.id)
        assert stored.status == "approved" and stored.return_id == authorization.id
        assert stored.lines[0].unit_price == Decimal("2.5") and stored.basis == "合同第5条"
        assert uow.returns.get(authorization.id).request_id == request.id


def test_the_same_scan_id_from_many_threads_at_once_counts_once(database):
    # rule R2: twenty copies of one scan at the same instant -> one receipt, exact quantity
    return_id = handlers.handle_plan_accepted(new_uow(database), PLAN).id
    start = threading.Barrier(20)

    def post():
        start.wait()
        return handlers.post_receipt(
            new_uow(database), return_id, scan("s-1", ("A-1", 3)), WAREHOUSE
        )

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: post(), range(20)))
    assert sum(created for _, created in answers) == 1
    assert {(r.scan_id, r.received_at) for r, _ in answers} == {("s-1", answers[0][0].received_at)}
    assert count(database, receipts) == 1
    assert handlers.get_return(new_uow(database), return_id).line("A-1").received_quantity == 3


def test_the_same_plan_from_many_threads_at_once_is_done_once(database):
    # rule R1, rule R5: copies of the event racing past the look-up
    start = threading.Barrier(8)

    def accept():
        start.wait()
        return handlers.handle_plan_accepted(new_uow(database), PLAN)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: accept(), range(8)))
    assert {a.id for a in answers} == {answers[0].id}
    assert count(database, return_authorizations) == 1
    assert count(database, replenishments) == 1
    assert count(database, outbox, outbox.c.event_type == "return_authorized") == 1


def test_the_batch_posts_each_signed_off_return_once(database):
    # rule R6: two batch runs at once (two instances) post it once
    return_id = handlers.handle_plan_accepted(new_uow(database), PLAN).id
    handlers.post_receipt(new_uow(database), return_id, scan("s-1", ("A-1", 10)), WAREHOUSE)
    handlers.sign_off(new_uow(database), return_id, WAREHOUSE, post_at_once=False)
    start = threading.Barrier(2)

    def batch():
        start.wait()
        return handlers.post_signed_off(new_uow(database))

    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(lambda _: batch(), range(2))) == [0, 1]
    assert count(database, outbox, outbox.c.event_type == "return_received") == 1


def test_the_days_batch_runs_once_however_many_instances_try(database):
    # rule R6: four instances' timers fire at once; one batch row, one posting
    from returns.domain import ReturnsSettings
    from returns.models import posting_batches

    return_id = handlers.handle_plan_accepted(new_uow(database), PLAN).id
    handlers.post_receipt(new_uow(database), return_id, scan("s-1", ("A-1", 10)), WAREHOUSE)
    handlers.sign_off(new_uow(database), return_id, WAREHOUSE, post_at_once=False)
    settings = ReturnsSettings(post_at_once=False)
    tomorrow = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    start = threading.Barrier(4)

    def batch():
        start.wait()
        return handlers.run_posting_batch(new_uow(database), settings, tomorrow)

    with ThreadPoolExecutor(4) as pool:
        ran = list(pool.map(lambda _: batch(), range(4)))
    assert sorted(ran, key=str) == [1, None, None, None]
    assert count(database, posting_batches) == 1
    assert count(database, outbox, outbox.c.event_type == "return_received") == 1
    assert handlers.run_posting_batch(new_uow(database), settings, tomorrow) is None
