"""The unit of work writes events and history with the change, or nothing (rule X2, rule X3)."""

import uuid

import pytest
from sqlalchemy import select

from servicekit.db import AlreadyHandled, Database, UnitOfWork, history_of
from servicekit.domain import Aggregate
from servicekit.tables import history, inbox, kit_metadata, outbox


class Order(Aggregate):
    entity_type = "order"

    def __init__(self):
        self.id = uuid.uuid4().hex

    def ship(self, actor):
        self._record_event("order_shipped", {"order_id": self.id})
        self._note(actor, "shipped", {"status": {"old": "new", "new": "shipped"}})


@pytest.fixture
def database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'kit.db'}")
    kit_metadata.create_all(db.engine)
    return db


def rows(database, table):
    with database.engine.connect() as conn:
        return conn.execute(select(table)).mappings().all()


def test_commit_writes_events_and_history_with_the_request_id(database):
    order = Order()
    woken = []
    with UnitOfWork(database, {"request_id": "r-1"}, on_commit=lambda: woken.append(1)) as uow:
        order.ship("alice")
        uow.track(order)
        uow.commit()
    (event,) = rows(database, outbox)
    assert event["event_type"] == "order_shipped"
    assert event["payload"]["order_id"] == order.id and event["payload"]["event_id"]
    assert event["headers"] == {"request_id": "r-1"} and event["sent_at"] is None
    with database.session_factory() as session:
        (entry,) = history_of(session, "order", order.id)
    assert entry["who"] == "alice" and entry["action"] == "shipped"
    assert woken == [1]


def test_leaving_without_commit_writes_nothing(database):
    with UnitOfWork(database) as uow:
        order = Order()
        order.ship("alice")
        uow.track(order)
    assert rows(database, outbox) == [] and rows(database, history) == []


def test_an_event_handled_once_is_refused_the_second_time(database):
    key = ("event-1", "svc.handler")
    with UnitOfWork(database, event_key=key) as uow:
        uow.commit()
    assert [r["event_id"] for r in rows(database, inbox)] == ["event-1"]
    with pytest.raises(AlreadyHandled), UnitOfWork(database, event_key=key):
        pass


def test_prune_drops_only_old_sent_events_and_old_inbox_rows(database):
    from datetime import timedelta

    from sqlalchemy import insert

    from servicekit.domain import utcnow
    from servicekit.outbox import OutboxRelay

    now = utcnow()
    old, recent = now - timedelta(days=10), now - timedelta(days=1)
    with database.engine.begin() as conn:
        for event_id, sent_at in (("old-sent", old), ("recent-sent", recent), ("unsent", None)):
            conn.execute(
                insert(outbox).values(
                    event_id=event_id,
                    event_type="x",
                    payload={},
                    headers={},
                    created_at=old,
                    sent_at=sent_at,
                    attempts=1,
                )
            )
        conn.execute(
            insert(inbox).values(
                event_id="e-old", handler="h", processed_at=old - timedelta(days=30)
            )
        )
        conn.execute(insert(inbox).values(event_id="e-new", handler="h", processed_at=recent))
    relay = OutboxRelay(database, "kit", "amqp://guest:guest@127.0.0.1:1/")  # never connects
    assert relay.prune(timedelta(days=7), timedelta(days=30)) == 2
    assert {r["event_id"] for r in rows(database, outbox)} == {"recent-sent", "unsent"}
    assert [r["event_id"] for r in rows(database, inbox)] == ["e-new"]


def test_a_handlers_own_constraint_violation_is_not_taken_for_a_duplicate(database):
    # rule X2: the inbox insert used to flush the handler's rows first, so their unique
    # violation read as "event already handled": the event was acked and its fact lost.
    from sqlalchemy import Column, MetaData, String, Table
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm import registry

    metadata = MetaData()
    table = Table("accounts", metadata, Column("number", String(10), primary_key=True))

    class Account:
        def __init__(self, number):
            self.number = number

    registry(metadata=metadata).map_imperatively(Account, table)
    metadata.create_all(database.engine)
    with UnitOfWork(database, event_key=("event-1", "svc.handler")) as uow:
        uow.session.add(Account("A-1"))
        uow.commit()
    with pytest.raises(IntegrityError), UnitOfWork(database, event_key=("event-2", "svc.h")) as uow:
        uow.session.add(Account("A-1"))  # a new event whose row clashes: a real fault
        uow.commit()
    assert [r["event_id"] for r in rows(database, inbox)] == ["event-1"]
