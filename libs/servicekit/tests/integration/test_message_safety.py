"""No message stops a service; parked messages can be replayed; a retried command
has one effect; an event waits for a consumer that is not running yet (issue 7).

Every test runs a real nameko container on the real broker (a vhost of its own),
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import logging
import uuid

import pytest
from kombu import Connection, Exchange
from marshmallow import Schema, fields
from sqlalchemy import func, insert, select, update

from servicekit import parked, parking
from servicekit.db import Database, UnitOfWork
from servicekit.domain import utcnow
from servicekit.nameko_ext import (
    RequestContext,
    UnitOfWorkProvider,
    command,
    handle_event,
    query,
)
from servicekit.outbox import OutboxRelay, event_exchange
from servicekit.rpc_client import RpcPool
from servicekit.tables import history, kit_metadata, outbox, parked_messages
from servicekit.testing import wait_for
from servicekit.topology import declare_subscriber_queues
from servicekit.validation import load

FLAKY = {"failing": False}


class ThingSchema(Schema):
    event_id = fields.String(required=True)
    thing_id = fields.String(required=True)


class SafetyService:
    name = "customer"  # a name the operator command knows; the vhost is the test's own

    uow = UnitOfWorkProvider()
    context = RequestContext()

    @handle_event("kit", "thing_happened")
    def handle_thing_happened(self, payload: dict) -> None:
        thing = load(ThingSchema, payload)
        if FLAKY["failing"] and thing["thing_id"] == "flaky":
            raise RuntimeError("the database is away")
        self._note(thing["thing_id"], "happened")

    @query
    def ping(self, value: int) -> dict:
        return {"pong": value}

    @command
    def make_thing(self, data: dict) -> dict:
        thing = load(ThingSchema, {"event_id": "-", **data})
        thing_id = f"{thing['thing_id']}-{uuid.uuid4().hex[:6]}"
        self._note(thing_id, "made")
        return {"id": thing_id}

    def _note(self, entity_id: str, action: str) -> None:
        with self.uow() as uow:
            uow.session.execute(
                insert(history).values(
                    entity_type="thing",
                    entity_id=entity_id,
                    at=utcnow(),
                    actor="test",
                    action=action,
                    changes={},
                )
            )
            uow.commit()


def effects(database: Database, prefix: str) -> int:
    with database.engine.connect() as conn:
        return conn.scalar(
            select(func.count()).select_from(history).where(history.c.entity_id.like(f"{prefix}%"))
        )


def parked_rows(database: Database) -> list:
    with database.engine.connect() as conn:
        return conn.execute(select(parked_messages).order_by(parked_messages.c.id)).all()


@pytest.fixture
def service(db_url, rabbit_config, container_factory):
    database = Database(db_url)
    kit_metadata.create_all(database.engine)
    config = {**rabbit_config, "DATABASE_URL": db_url, "INBOX_RETRY_SECONDS": 2}
    container = container_factory(SafetyService, config)
    container.start()
    FLAKY["failing"] = False
    yield database, container, rabbit_config["AMQP_URI"]
    database.dispose()


def publish_raw(amqp_uri: str, body, *, exchange: Exchange, routing_key: str, **kwargs) -> None:
    with Connection(amqp_uri) as conn:
        conn.Producer(conn.channel()).publish(
            body, exchange=exchange, routing_key=routing_key, **kwargs
        )


def publish_event(amqp_uri: str, body, content_type="application/json", headers=None) -> None:
    publish_raw(
        amqp_uri,
        body,
        exchange=event_exchange("kit"),
        routing_key="thing_happened",
        content_type=content_type,
        content_encoding="utf-8",
        headers=headers or {},
    )


def valid_event(thing_id: str) -> bytes:
    return f'{{"event_id": "{uuid.uuid4().hex}", "thing_id": "{thing_id}"}}'.encode()


# Each kind of event that cannot be used, and why it is refused.
MALFORMED_EVENTS = {
    "not JSON": (b"{not json", "application/json", "malformed"),
    "not a content type we take": (b"hello", "text/plain", "malformed"),
    "a JSON list": (b"[1, 2]", "application/json", "malformed"),
    "a JSON string": (b'"event"', "application/json", "malformed"),
    "no event_id": (b'{"thing_id": "x"}', "application/json", "malformed"),
    "event_id not a string": (b'{"event_id": 5, "thing_id": "x"}', "application/json", "malformed"),
    "wrong field type": (b'{"event_id": "e-1", "thing_id": 7}', "application/json", "invalid"),
}


@pytest.mark.parametrize("kind", sorted(MALFORMED_EVENTS))
def test_a_malformed_event_is_parked_at_once_and_the_service_goes_on(service, kind):
    database, container, amqp_uri = service
    body, content_type, reason = MALFORMED_EVENTS[kind]
    publish_event(amqp_uri, body, content_type)
    rows = wait_for(lambda: parked_rows(database))
    assert [(r.reason, r.attempts) for r in rows] == [(reason, 0)]  # never retried
    assert rows[0].body == body and rows[0].queue.endswith("customer.handle_thing_happened")
    publish_event(amqp_uri, valid_event("next"))
    wait_for(lambda: effects(database, "next") == 1)
    assert not container._died.ready()


def test_odd_context_headers_are_ignored_not_fatal(service):
    database, container, amqp_uri = service
    headers = {"nameko.call_id_stack": 5, "nameko.request_id": ["x"], "nameko.other": object}
    publish_event(
        amqp_uri,
        valid_event("headers"),
        headers={k: str(v) if k == "nameko.other" else v for k, v in headers.items()},
    )
    wait_for(lambda: effects(database, "headers") == 1)
    assert not container._died.ready() and parked_rows(database) == []


MALFORMED_RPC = {
    "not JSON": (b"{not json", "application/json"),
    "a JSON list": (b"[1]", "application/json"),
    "args not a list": (b'{"args": "x", "kwargs": {}}', "application/json"),
    "kwargs not an object": (b'{"args": [], "kwargs": []}', "application/json"),
    "no args": (b'{"kwargs": {}}', "application/json"),
}


def test_malformed_rpc_requests_are_parked_and_the_service_still_answers(service):
    database, container, amqp_uri = service
    rpc_exchange = Exchange("nameko-rpc", type="topic", durable=True)
    for body, content_type in MALFORMED_RPC.values():
        publish_raw(
            amqp_uri,
            body,
            exchange=rpc_exchange,
            routing_key="customer.ping",
            content_type=content_type,
            content_encoding="utf-8",
            correlation_id=uuid.uuid4().hex,
        )
    rows = wait_for(
        lambda: len(parked_rows(database)) == len(MALFORMED_RPC) and parked_rows(database)
    )
    assert {r.reason for r in rows} == {"malformed"}
    assert {r.routing_key for r in rows} == {"customer.ping"}
    pool = RpcPool(amqp_uri, timeout=10)
    try:
        assert pool.call("customer", "ping", 3) == {"pong": 3}
    finally:
        pool.close()
    assert not container._died.ready()


def test_a_failing_event_is_parked_then_replayed_with_one_effect(service, monkeypatch):
    database, container, amqp_uri = service
    FLAKY["failing"] = True
    publish_event(amqp_uri, valid_event("flaky"))
    (row,) = wait_for(lambda: parked_rows(database), timeout=20)
    assert (
        row.reason == "retries_exhausted" and row.attempts == 2
    )  # 1 s of back-off; 2 s more would pass 2
    assert effects(database, "flaky") == 0

    FLAKY["failing"] = False
    monkeypatch.setenv("CUSTOMER_DATABASE_URL", str(database.url))
    monkeypatch.setenv("AMQP_URI", amqp_uri)
    listing = io.StringIO()
    assert parked.main(["list", "customer"], out=listing) == 0
    assert "retries_exhausted" in listing.getvalue() and "1 parked" in listing.getvalue()
    assert parked.main(["replay", "customer", str(row.id)], out=io.StringIO()) == 0
    wait_for(lambda: effects(database, "flaky") == 1)
    assert parked_rows(database) == []
    # A second replay of the same event (say the operator had kept a copy) changes nothing.
    publish_raw(
        amqp_uri,
        row.body,
        exchange=Exchange(""),
        routing_key=row.queue,
        content_type=row.content_type,
        content_encoding=row.content_encoding,
    )
    publish_event(amqp_uri, valid_event("after"))
    wait_for(lambda: effects(database, "after") == 1)
    assert effects(database, "flaky") == 1


def test_a_service_without_data_keys_parks_in_clear(service):
    """rule C11 seals the parked messages of a service with ``parked_keys`` (the customer
    service, its own tests); one without keys stores them as they arrived."""
    database, _, amqp_uri = service
    body = b'{"event_id": "e-2", "thing_id": 7, "phone": "13812345678"}'
    publish_event(amqp_uri, body, headers={"caller": "13812345678"})
    (row,) = wait_for(lambda: parked_rows(database))
    assert (row.body, row.headers["caller"]) == (body, "13812345678")
    assert not parking.is_sealed(row)
    opened = parking.get_parked(database, row.id)
    assert opened["sealed"] is False and opened["body"] == body
    assert "Not a valid string" in parking.list_parked(database)[0]["error"]


def test_drop_forgets_a_parked_message(service):
    database, _, amqp_uri = service
    publish_event(amqp_uri, b"[]")
    (row,) = wait_for(lambda: parked_rows(database))
    assert parking.drop(database, row.id) is True
    assert parked_rows(database) == []


def test_a_retried_command_has_one_effect_and_the_first_answer(service):
    database, _, amqp_uri = service
    pool = RpcPool(amqp_uri, timeout=10)
    try:
        key = uuid.uuid4().hex
        first = pool.call("customer", "make_thing", {"thing_id": "cmd"}, idempotency_key=key)
        again = pool.call("customer", "make_thing", {"thing_id": "cmd"}, idempotency_key=key)
        other = pool.call("customer", "make_thing", {"thing_id": "cmd"})
    finally:
        pool.close()
    assert again == first and other != first
    assert effects(database, "cmd") == 2


def test_a_refusal_is_one_info_line_not_an_error(service, caplog):
    _, _, amqp_uri = service
    pool = RpcPool(amqp_uri, timeout=10)
    caplog.set_level(logging.INFO)
    try:
        with pytest.raises(Exception) as refused:
            pool.call("customer", "make_thing", {"thing_id": 5})
    finally:
        pool.close()
    assert getattr(refused.value, "code", None) == "invalid"
    # The answer goes out before the worker's "handled" line is written.
    handled = wait_for(lambda: [r for r in caplog.records if r.getMessage() == "handled"])
    assert [getattr(r, "error", None) for r in handled] == ["invalid"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_an_unexpected_error_keeps_its_traceback(service, caplog):
    database, _, amqp_uri = service
    FLAKY["failing"] = True
    caplog.set_level(logging.INFO)
    publish_event(amqp_uri, valid_event("flaky"))
    wait_for(lambda: parked_rows(database), timeout=20)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and all(r.exc_info for r in errors)


# --- the topology: an event waits for a consumer that is not running yet ----------------


class ReturnsLikeService:
    name = "returns"
    uow = UnitOfWorkProvider()

    @handle_event("complaints", "plan_accepted")
    def handle_plan_accepted(self, payload: dict) -> None:
        with self.uow() as uow:
            uow.session.execute(
                insert(history).values(
                    entity_type="plan",
                    entity_id=payload["plan_id"],
                    at=utcnow(),
                    actor="returns",
                    action="received",
                    changes={},
                )
            )
            uow.commit()


def publish_plan_accepted(database: Database, amqp_uri: str, plan_id: str) -> OutboxRelay:
    with UnitOfWork(database) as uow:
        uow.publish("plan_accepted", {"plan_id": plan_id})
        uow.commit()
    return OutboxRelay(database, "complaints", amqp_uri)


def unsent(database: Database) -> int:
    with database.engine.connect() as conn:
        return conn.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
        )


def test_an_event_with_no_queue_bound_stays_unsent(db_url, rabbit_config):
    database = Database(db_url)
    kit_metadata.create_all(database.engine)
    relay = publish_plan_accepted(database, rabbit_config["AMQP_URI"], "p-unroutable")
    assert relay.relay_once() == 0  # mandatory: the broker returned it
    assert unsent(database) == 1
    database.dispose()


def test_an_event_published_while_its_consumer_is_down_reaches_it_later(
    db_url, rabbit_config, container_factory
):
    amqp_uri = rabbit_config["AMQP_URI"]
    producer_db = Database(db_url)
    kit_metadata.create_all(producer_db.engine)
    declare_subscriber_queues(amqp_uri)  # what every service does at start and migration
    relay = publish_plan_accepted(producer_db, amqp_uri, "p-waiting")
    assert relay.relay_once() == 1 and unsent(producer_db) == 0

    container = container_factory(ReturnsLikeService, {**rabbit_config, "DATABASE_URL": db_url})
    container.start()
    wait_for(lambda: effects(producer_db, "p-waiting") == 1)  # delivered, not just sent
    producer_db.dispose()


def test_unroutable_events_go_out_once_the_queues_exist(db_url, rabbit_config):
    amqp_uri = rabbit_config["AMQP_URI"]
    database = Database(db_url)
    kit_metadata.create_all(database.engine)
    relay = publish_plan_accepted(database, amqp_uri, "p-late")
    assert relay.relay_once() == 0
    declare_subscriber_queues(amqp_uri)
    with database.engine.begin() as conn:  # skip the relay's hold-back for the test
        conn.execute(update(outbox).values(claimed_until=None))
    assert relay.relay_once() == 1
    database.dispose()
