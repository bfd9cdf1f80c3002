"""Outbox and inbox against the real broker, on SQLite and PostgreSQL (rule X2)."""

import subprocess
import sys
import textwrap
import uuid

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import event_dispatcher
from sqlalchemy import func, insert, select

from servicekit.db import Database, UnitOfWork
from servicekit.domain import Aggregate
from servicekit.nameko_ext import UnitOfWorkProvider, handle_event
from servicekit.outbox import OutboxRelay, event_exchange
from servicekit.tables import history, kit_metadata, outbox, parked_messages
from servicekit.testing import wait_for


class Thing(Aggregate):
    entity_type = "thing"

    def __init__(self):
        self.id = uuid.uuid4().hex

    def happen(self, actor):
        self._record_event("thing_happened", {"thing_id": self.id})
        self._note(actor, "happened")


def make_db(url: str) -> Database:
    database = Database(url)
    kit_metadata.create_all(database.engine)
    return database


def record_thing(database: Database, commit: bool) -> str:
    thing = Thing()
    with UnitOfWork(database) as uow:
        thing.happen("tester")
        uow.track(thing)  # not mapped, so the session does not know it
        if commit:
            uow.commit()
    return thing.id


def bound_queue(amqp_uri: str, source: str, event_type: str) -> Queue:
    queue = Queue(
        f"test-{uuid.uuid4().hex[:8]}",
        exchange=event_exchange(source),
        routing_key=event_type,
        auto_delete=False,
    )
    with Connection(amqp_uri) as conn:
        queue(conn.channel()).declare()
    return queue


def drain(amqp_uri: str, queue: Queue, timeout: float = 1.0) -> list[dict]:
    bodies = []
    with Connection(amqp_uri) as conn:
        simple = conn.SimpleQueue(queue)
        try:
            while True:
                message = simple.get(timeout=timeout)
                bodies.append(message.payload)
                message.ack()
        except simple.Empty:
            pass
        finally:
            simple.close()
    return bodies


def test_event_of_rolled_back_transaction_is_never_published(db_url, rabbit_config):
    amqp_uri = rabbit_config["AMQP_URI"]
    database = make_db(db_url)
    queue = bound_queue(amqp_uri, "kit", "thing_happened")
    record_thing(database, commit=False)
    relay = OutboxRelay(database, "kit", amqp_uri)
    assert relay.relay_all() == 0
    assert drain(amqp_uri, queue) == []
    with database.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(outbox)) == 0
        assert conn.scalar(select(func.count()).select_from(history)) == 0


def test_committed_event_is_published_after_the_writer_died(db_url, rabbit_config, tmp_path):
    """A process commits and dies before its relay sends; a later relay sends it."""
    amqp_uri = rabbit_config["AMQP_URI"]
    database = make_db(db_url)
    queue = bound_queue(amqp_uri, "kit", "thing_happened")
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(__import__("pathlib").Path(__file__).parent)!r})
        from test_outbox_inbox import make_db, record_thing
        print(record_thing(make_db({db_url!r}), commit=True), flush=True)
        os._exit(9)  # die before any relay runs
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 9, done.stderr
    thing_id = done.stdout.strip()
    assert drain(amqp_uri, queue, timeout=0.3) == []

    assert OutboxRelay(database, "kit", amqp_uri).relay_all() == 1
    (body,) = drain(amqp_uri, queue)
    assert body["thing_id"] == thing_id and body["event_id"]
    # Marked sent: a second relay publishes nothing more.
    assert OutboxRelay(database, "kit", amqp_uri).relay_all() == 0


def test_two_relays_never_publish_the_same_rows_at_once(db_url, rabbit_config):
    amqp_uri = rabbit_config["AMQP_URI"]
    database = make_db(db_url)
    queue = bound_queue(amqp_uri, "kit", "thing_happened")
    ids = {record_thing(database, commit=True) for _ in range(30)}
    first, second = (
        OutboxRelay(database, "kit", amqp_uri, batch_size=10),
        OutboxRelay(database, "kit", amqp_uri, batch_size=10),
    )
    claimed_first = first._claim()
    claimed_second = second._claim()
    assert {r["id"] for r in claimed_first}.isdisjoint({r["id"] for r in claimed_second})
    first._release([r["id"] for r in claimed_first])
    second._release([r["id"] for r in claimed_second])
    assert first.relay_all() + second.relay_all() == 30
    assert {b["thing_id"] for b in drain(amqp_uri, queue)} == ids


effects: list[str] = []


class CountingService:
    """Counts each handled event by writing a history row in the handler's transaction."""

    name = "counting"
    uow = UnitOfWorkProvider()

    @handle_event("kit", "thing_happened")
    def on_thing(self, payload):
        with self.uow() as uow:
            if payload.get("poison"):
                raise RuntimeError("cannot handle this one")
            uow.session.execute(
                insert(history).values(
                    entity_type="thing",
                    entity_id=payload["thing_id"],
                    at=__import__("servicekit.domain").domain.utcnow(),
                    actor="counting",
                    action="counted",
                    changes={},
                )
            )
            uow.commit()
            effects.append(payload["thing_id"])


@pytest.fixture
def counting(db_url, rabbit_config, container_factory):
    database = make_db(db_url)
    config = {**rabbit_config, "DATABASE_URL": db_url, "INBOX_RETRY_SECONDS": 4}
    container = container_factory(CountingService, config)
    container.start()
    effects.clear()
    return database, event_dispatcher(rabbit_config)


def counted(database: Database, thing_id: str) -> int:
    with database.engine.connect() as conn:
        return conn.scalar(
            select(func.count()).select_from(history).where(history.c.entity_id == thing_id)
        )


def test_event_delivered_twice_has_one_effect(counting):
    database, dispatch = counting
    payload = {"event_id": uuid.uuid4().hex, "thing_id": "t1"}
    dispatch("kit", "thing_happened", payload)
    dispatch("kit", "thing_happened", payload)
    dispatch("kit", "thing_happened", {"event_id": uuid.uuid4().hex, "thing_id": "t2"})
    wait_for(lambda: counted(database, "t2") == 1)
    wait_for(lambda: len(effects) >= 2)
    __import__("time").sleep(0.5)  # give a wrongly accepted duplicate time to land
    assert counted(database, "t1") == 1
    assert effects.count("t1") == 1


def test_poison_event_is_retried_within_its_budget_then_parked(counting, rabbit_config):
    database, dispatch = counting
    event_id = uuid.uuid4().hex
    dispatch("kit", "thing_happened", {"event_id": event_id, "thing_id": "bad", "poison": True})

    def parked():
        with database.engine.connect() as conn:
            return conn.execute(select(parked_messages)).first()

    row = wait_for(parked, timeout=20)
    # INBOX_RETRY_SECONDS=4: tried at once, after 1 s and 2 s more; 5 s more would pass 4.
    assert row.attempts == 3
    assert row.reason == "retries_exhausted"
    assert row.event_id == event_id
    assert "cannot handle" in row.error
    # The service goes on handling other events.
    dispatch("kit", "thing_happened", {"event_id": uuid.uuid4().hex, "thing_id": "ok"})
    wait_for(lambda: counted(database, "ok") == 1)
