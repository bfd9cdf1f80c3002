"""rule C11: the reads of cards are kept CUSTOMER_READ_AUDIT_DAYS (400) days, then
pruned by a timer, in batches, on one instance at a time (a lease); the changes (the
history) are never pruned. The handler and repository on SQLite and PostgreSQL, then the
timer under nameko on the real broker."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook
from sqlalchemy import func, insert, select, update

from customer import security_handlers
from customer.domain import CustomerSettings
from customer.repository import REPOSITORIES
from customer.security_models import customer_reads
from customer.security_repository import CardReadRepository
from customer.service import CustomerService
from servicekit.db import Database, UnitOfWork
from servicekit.leases import try_acquire
from servicekit.migrations import upgrade
from servicekit.tables import history, leases

CLERK = {"username": "clerk1", "roles": ["sales_clerk"]}
CS_MANAGER = {"username": "csm1", "roles": ["cs_manager"]}
LEASE = "customer.read_audit"


@pytest.fixture
def database(db_url):
    upgrade("customer", db_url)
    database = Database(db_url)
    yield database
    database.dispose()


def add_reads(database: Database, at: datetime, count: int, customer_id: str = "c-1") -> None:
    row = {"customer_id": customer_id, "at": at, "actor": "csm1", "roles": "cs_manager",
           "view": "card", "masked": False, "request_id": None}  # fmt: skip
    with database.engine.begin() as conn:
        conn.execute(insert(customer_reads), [row] * count)


def add_change(database: Database, at: datetime, customer_id: str = "c-1") -> None:
    with database.engine.begin() as conn:
        conn.execute(
            insert(history).values(
                entity_type="customer",
                entity_id=customer_id,
                at=at,
                actor="clerk1",
                action="updated",
                changes={"address": {"old": None, "new": "苏州"}},
            )  # fmt: skip
        )


def read_times(database: Database) -> list[datetime]:
    with database.engine.connect() as conn:
        return list(
            conn.execute(select(customer_reads.c.at).order_by(customer_reads.c.at)).scalars()
        )


def count(database: Database, table) -> int:
    with database.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def prune(database: Database, settings: CustomerSettings, now: datetime, **kw) -> int:
    uow = UnitOfWork(database, repositories=REPOSITORIES)
    return security_handlers.prune_reads(uow, settings, now, **kw)


# --- the handler and repository, on SQLite and PostgreSQL ---------------------------------
def test_reads_older_than_the_retention_go_newer_ones_and_the_changes_stay(database):
    now = datetime.now(UTC)
    add_reads(database, now - timedelta(days=800), 2)
    add_reads(database, now - timedelta(days=402), 3)
    add_reads(database, now - timedelta(days=398), 1)
    add_reads(database, now - timedelta(minutes=1), 1)
    add_change(database, now - timedelta(days=900))
    add_change(database, now - timedelta(days=402))

    assert prune(database, CustomerSettings(), now) == 5
    assert read_times(database) == [now - timedelta(days=398), now - timedelta(minutes=1)]
    assert count(database, history) == 2  # rule C11: the changes are never pruned
    assert prune(database, CustomerSettings(), now) == 0  # nothing more that day


def test_a_shorter_retention_from_the_setting(database):  # rule C11
    now = datetime.now(UTC)
    add_reads(database, now - timedelta(days=40), 2)
    add_reads(database, now - timedelta(days=20), 1)
    assert prune(database, CustomerSettings(read_audit_days=30), now) == 2
    assert read_times(database) == [now - timedelta(days=20)]


def test_zero_days_keeps_every_read(database):  # rule C11
    now = datetime.now(UTC)
    add_reads(database, now - timedelta(days=5000), 2)
    assert prune(database, CustomerSettings(read_audit_days=0), now) == 0
    assert count(database, customer_reads) == 2


def test_a_backlog_goes_in_batches_of_five_thousand(database, monkeypatch):  # rule C11
    now = datetime.now(UTC)
    add_reads(database, now - timedelta(days=500), 12_000)
    add_reads(database, now - timedelta(days=10), 3)
    batches: list[int] = []
    original = CardReadRepository.delete_before

    def counted(self, cutoff, limit):
        batches.append(deleted := original(self, cutoff, limit))
        return deleted

    monkeypatch.setattr(CardReadRepository, "delete_before", counted)
    assert prune(database, CustomerSettings(), now) == 12_000
    assert batches == [5000, 5000, 2000]  # each its own transaction
    assert count(database, customer_reads) == 3


def test_a_prune_that_lost_its_lease_stops_between_batches(database):  # rule C11
    now = datetime.now(UTC)
    add_reads(database, now - timedelta(days=500), 7)
    pruned = prune(database, CustomerSettings(), now, batch_rows=3, still_ours=lambda: False)
    assert pruned == 3 and count(database, customer_reads) == 4


# --- the timer, under nameko ---------------------------------------------------------------
def start(db_url, rabbit_config, container_factory, **settings):
    upgrade("customer", db_url)
    config = {**rabbit_config, "DATABASE_URL": db_url, "OUTBOX_POLL_SECONDS": 0.2, **settings}
    container = container_factory(CustomerService, config)
    container.start()
    return container


def test_the_timer_prunes_on_the_instance_holding_the_lease(
    db_url, rabbit_config, container_factory, keys, caplog
):  # rule C11
    caplog.set_level(logging.INFO, logger="customer.security_service")
    container = start(db_url, rabbit_config, container_factory)
    database = Database(db_url)
    try:
        with ServiceRpcProxy("customer", rabbit_config, timeout=10) as rpc:
            customer_id = rpc.create_customer({"name": "华东机电", "nature": "distributor"}, CLERK)[
                "id"
            ]
            rpc.get_customer(customer_id, CS_MANAGER)
            rpc.get_customer(customer_id, CS_MANAGER)
            long_ago = datetime.now(UTC) - timedelta(days=401)
            with database.engine.begin() as conn:  # the reads and the change, long ago
                conn.execute(update(customer_reads).values(at=long_ago))
                conn.execute(update(history).values(at=long_ago))

            # another instance holds the lease: this one prunes nothing
            assert try_acquire(database, LEASE, "another-instance", timedelta(minutes=5))
            with entrypoint_hook(container, "prune_card_reads") as prune_reads:
                assert prune_reads() == 0
            assert count(database, customer_reads) == 2

            with database.engine.begin() as conn:  # the other instance went away
                conn.execute(
                    update(leases)
                    .where(leases.c.name == LEASE)
                    .values(until=datetime.now(UTC) - timedelta(seconds=1))
                )
            with entrypoint_hook(container, "prune_card_reads") as prune_reads:
                assert prune_reads() == 2
            # now this instance holds it: a second instance does not prune meanwhile
            assert not try_acquire(database, LEASE, "another-instance", timedelta(minutes=5))
            logged = [r for r in caplog.records if r.name == "customer.security_service"]
            assert any(
                r.levelno == logging.INFO and r.getMessage().startswith("pruned 2 reads")
                for r in logged
            )

            audit = rpc.get_audit(customer_id, CS_MANAGER)
            assert [(e["who"], e["action"]) for e in audit] == [("clerk1", "created")]
    finally:
        database.dispose()


def test_the_timer_keeps_every_read_when_the_setting_is_zero(
    db_url, rabbit_config, container_factory, keys
):  # rule C11
    container = start(db_url, rabbit_config, container_factory, CUSTOMER_READ_AUDIT_DAYS=0)
    database = Database(db_url)
    try:
        add_reads(database, datetime.now(UTC) - timedelta(days=5000), 2)
        with entrypoint_hook(container, "prune_card_reads") as prune_reads:
            assert prune_reads() == 0
        assert count(database, customer_reads) == 2
        assert count(database, leases) == 0  # not even the lease is taken
    finally:
        database.dispose()
