"""rule C6: re-grading every customer runs in batches, each its own transaction, after
the command has answered; one run at a time across instances (a unique slot and a
lease), and a run interrupted half-way is taken over and grades the rest. Under nameko on
the real broker, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from nameko.events import event_handler
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import update

from customer import grading_handlers
from customer.domain import CustomerSettings
from customer.domain.grading import RegradeRun
from customer.grading_models import regrade_runs
from customer.repository import REPOSITORIES
from customer.service import CustomerService
from servicekit.contracts.customer_grading import RegradeRunning, RegradeRunNotFound
from servicekit.db import Database, UnitOfWork
from servicekit.domain import Actor
from servicekit.migrations import upgrade
from servicekit.testing import wait_for

CLERK = {"username": "li.na", "roles": ["sales_clerk"]}
MANAGER = {"username": "liu.sm", "roles": ["sales_manager"]}
MARKET = {"username": "chen.mm", "roles": ["market_manager"]}
BATCH = 2
SETTINGS = replace(CustomerSettings(), regrade_batch_size=BATCH)
heard: list[dict] = []


class GradeListener:
    """Stands in for a consumer of ``customer.grade_changed``."""

    name = "regrade_listener"

    @event_handler("customer", "grade_changed")
    def on_grade(self, payload):
        heard.append(payload)


@pytest.fixture
def suite(db_url, rabbit_config, container_factory):
    upgrade("customer", db_url)
    config = {
        **rabbit_config,
        "DATABASE_URL": db_url,
        "OUTBOX_POLL_SECONDS": 0.2,
        "CUSTOMER_REGRADE_BATCH_SIZE": BATCH,
    }
    container_factory(GradeListener, rabbit_config).start()
    container_factory(CustomerService, config).start()
    heard.clear()
    database = Database(db_url)
    with ServiceRpcProxy("customer", rabbit_config, timeout=15) as rpc:
        yield rpc, database
    database.dispose()


def approved(rpc, count: int) -> list[str]:
    ids = []
    for n in range(count):
        body = {"name": f"华东机电{n}号", "nature": "distributor", "settlement_terms": "net_60",
                "credit_limit": "200000.00"}  # fmt: skip
        created = rpc.create_customer(body, CLERK)
        rpc.approve_customer(created["id"], MANAGER)
        ids.append(created["id"])
    return ids


def finished(rpc, run_id: str) -> dict:
    return wait_for(
        lambda: (run := rpc.get_regrade_run(run_id))["status"] == "done" and run, timeout=30
    )


def test_regrading_every_customer_answers_at_once_and_grades_in_batches(suite):  # rule C6
    rpc, _ = suite
    customers = approved(rpc, 5)
    started = rpc.regrade_all(MARKET)
    assert started["status"] in ("running", "done") and started["total"] == 5
    assert started["requested_by"] == "chen.mm"
    run = finished(rpc, started["id"])
    assert (run["graded"], run["changed"], run["batches"], run["resumed"]) == (5, 5, 3, 0)
    assert run["finished_at"] is not None and run["error"] is None
    for customer_id in customers:
        grade = rpc.get_grade(customer_id)
        assert (grade["trigger"], grade["reason"]) == (
            "manual",
            "re-graded at the request of chen.mm",
        )
    # each batch's events went out through the outbox
    wait_for(lambda: {p["customer_id"] for p in heard} == set(customers), timeout=20)
    # a second run finds nothing changed
    again = finished(rpc, rpc.regrade_all(MARKET)["id"])
    assert (again["graded"], again["changed"]) == (5, 0)
    with pytest.raises(RegradeRunNotFound):
        rpc.get_regrade_run("no-such-run")


def test_one_run_at_a_time_and_an_interrupted_run_grades_the_rest(suite):  # rule C6
    rpc, database = suite
    customers = approved(rpc, 5)
    elsewhere = UnitOfWork(database, repositories=REPOSITORIES)
    actor = Actor("chen.mm", ("market_manager",))
    run = grading_handlers.start_regrade(elsewhere, SETTINGS, actor, "another-instance")

    def killed():
        raise SystemExit("the other instance is killed after its first batch")

    with pytest.raises(SystemExit):
        grading_handlers.run_regrade(
            elsewhere, SETTINGS, run.id, "another-instance", between_batches=killed
        )
    # its lease still runs: a second request is refused with the running run's id
    with pytest.raises(RegradeRunning) as refused:
        rpc.regrade_all(MARKET)
    assert refused.value.args and run.id in str(refused.value.args)
    assert rpc.get_regrade_run(run.id)["graded"] == BATCH
    graded_first = [c for c in customers if rpc.get_grade(c)["graded_at"] is not None]
    first_times = {c: rpc.get_grade(c)["graded_at"] for c in graded_first}
    assert len(graded_first) == BATCH

    with database.engine.begin() as conn:  # the lease ran out
        past = datetime.now(UTC) - timedelta(seconds=1)
        conn.execute(update(regrade_runs).values(lease_until=past))
    taken = rpc.regrade_all(MARKET)
    assert (taken["id"], taken["resumed"]) == (run.id, 1)
    done = finished(rpc, run.id)
    assert (done["graded"], done["batches"]) == (5, 3)
    # the first batch was not graded again in this run
    assert {c: rpc.get_grade(c)["graded_at"] for c in graded_first} == first_times


def test_the_database_keeps_one_unfinished_run(db_url):  # rule C6
    upgrade("customer", db_url)
    database = Database(db_url)
    try:
        uow = UnitOfWork(database, repositories=REPOSITORIES)
        now = datetime.now(UTC)
        lease = timedelta(minutes=2)
        with uow:
            first = RegradeRun("run-1", "chen.mm", "instance-a", now, lease, 0)
            assert uow.regrade_runs.add_unfinished(first) is first
            uow.commit()
        with uow:
            second = RegradeRun("run-2", "chen.mm", "instance-b", now, lease, 0)
            assert uow.regrade_runs.add_unfinished(second).id == "run-1"
            uow.commit()
        with uow:
            kept = uow.regrade_runs.get("run-1", for_update=True)
            kept.finish(now)
            uow.commit()
        with uow:  # a finished run frees the slot
            third = RegradeRun("run-3", "chen.mm", "instance-b", now, lease, 0)
            assert uow.regrade_runs.add_unfinished(third) is third
            uow.commit()
        with uow:
            assert uow.regrade_runs.unfinished().id == "run-3"
            assert uow.regrade_runs.get("run-1").status == "done"
    finally:
        database.dispose()
