"""rule C11 for parked messages, over the real broker, on SQLite and PostgreSQL: a message
the customer service refuses (a command's card, an event) is parked sealed with the
customer data keys, so the raw database holds none of its phones, names or tax numbers;
``make parked`` shows and replays it opened (the original bytes); the key rotation
re-seals it, and ``drop-old`` waits for that, so a parked message never becomes
unreadable."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest
from kombu import Connection, Exchange
from sqlalchemy import create_engine, insert, pool, select, text

from customer import rotate_keys
from customer.security_keys import KEYS
from customer.service import CustomerService
from servicekit import parked, parking
from servicekit.contracts import complaints
from servicekit.crypto import BlindIndex, InvalidToken, KeyRing, Keys, new_data_key, new_index_key
from servicekit.db import Database, normalize_url
from servicekit.domain import utcnow
from servicekit.migrations import upgrade
from servicekit.outbox import event_exchange
from servicekit.tables import parked_messages
from servicekit.testing import wait_for

PHONE, TAX, CONTACT = "13812345678", "91310115MA1K3Y7Q2X", "王建国"
SECRETS = (PHONE, TAX, CONTACT)
RPC_EXCHANGE = Exchange("nameko-rpc", type="topic", durable=True)

# A create_customer request whose kwargs are a list: refused at once (malformed), with a
# card and its contact in the body, and a header that carries the phone too.
COMMAND = json.dumps(
    {
        "args": [],
        "kwargs": [{"name": "华东机电", "contacts": [{"name": CONTACT, "phone": PHONE}]}],
        "tax_no": TAX,
    },
    ensure_ascii=False,
).encode("utf-8")
# A complaint registered whose fields have the wrong types: refused by its schema.
EVENT = json.dumps(
    {"event_id": uuid.uuid4().hex, "customer_id": 7, "contact": {"phone": PHONE, "name": CONTACT}},
    ensure_ascii=False,
).encode("utf-8")


@pytest.fixture
def setup(db_url, rabbit_config, container_factory, tmp_path, monkeypatch):
    """The customer service with its keys in key files, and the operator's environment
    (make parked, make rotate-keys) pointing at the same database, broker and files."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    keys = Keys(KeyRing([new_data_key()]), BlindIndex(new_index_key()), "test")
    (data_dir / "customer-data-keys").write_text(keys.data.keys[0] + "\n")
    (data_dir / "customer-index-key").write_text(keys.index.key + "\n")
    for name in ("CUSTOMER_DATA_KEYS", "CUSTOMER_INDEX_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AFTERSALES_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CUSTOMER_DATABASE_URL", db_url)
    monkeypatch.setenv("AMQP_URI", rabbit_config["AMQP_URI"])
    previous = KEYS._keys
    KEYS.use(keys)
    upgrade("customer", db_url)
    config = {**rabbit_config, "DATABASE_URL": db_url, "OUTBOX_POLL_SECONDS": 0.2}
    container = container_factory(CustomerService, config)
    container.start()
    database = Database(db_url)
    env = {"AFTERSALES_DATA_DIR": str(data_dir), "CUSTOMER_DATABASE_URL": db_url}
    yield database, rabbit_config["AMQP_URI"], keys, env
    database.dispose()
    container.stop()
    KEYS.use(previous)


def publish(amqp_uri: str, body: bytes, exchange: Exchange, routing_key: str) -> None:
    with Connection(amqp_uri) as conn:
        conn.Producer(conn.channel()).publish(
            body,
            exchange=exchange,
            routing_key=routing_key,
            content_type="application/json",
            content_encoding="utf-8",
            headers={"caller-phone": PHONE},
        )


def park_both(database: Database, amqp_uri: str) -> list:
    publish(amqp_uri, COMMAND, RPC_EXCHANGE, "customer.create_customer")
    publish(amqp_uri, EVENT, event_exchange(complaints.SERVICE), complaints.COMPLAINT_REGISTERED)
    parked = wait_for(lambda: len(rows(database)) == 2 and rows(database))
    # (the command, the event), whichever its consumer parked first
    return sorted(parked, key=lambda r: r.handler != "rpc:customer.create_customer")


def rows(database: Database) -> list:
    with database.engine.connect() as conn:
        return conn.execute(select(parked_messages).order_by(parked_messages.c.id)).all()


def raw_database(url: str) -> bytes:
    """What one reads with the database and not the keys: the SQLite file and its -wal
    byte for byte; for PostgreSQL every row of the parked table as text."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    with engine.connect() as conn:
        dumped = [
            "|".join(str(v) for v in row)
            for row in conn.execute(text("SELECT * FROM parked_messages"))
        ]
        # the body as the bytes stored, not Python's repr of them
        dumped += [bytes(b).decode("latin-1") for b in conn.execute(
            text("SELECT body FROM parked_messages")).scalars()]  # fmt: skip
    engine.dispose()
    return "\n".join(dumped).encode("utf-8")


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return parked.main(list(argv), out=out), out.getvalue()


def test_a_refused_customer_message_is_parked_sealed_and_shown_opened(setup, db_url):
    database, amqp_uri, keys, _ = setup
    command, event = park_both(database, amqp_uri)
    assert (command.reason, event.reason) == ("malformed", "invalid")
    assert command.routing_key == "customer.create_customer"
    assert event.queue.endswith("customer.handle_complaint_registered")

    # rule C11: nothing of either message in clear in the database
    raw = raw_database(db_url)
    assert b"customer.handle_complaint_registered" in raw  # the dump does read the table
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
    assert all(isinstance(r.headers, str) and r.body != COMMAND for r in (command, event))

    # the operator reads them opened, with the service's keys (its key files)
    code, listing = run("list", "customer")
    assert code == 0 and "2 parked" in listing and "kwargs are not an object" in listing
    code, shown = run("show", "customer", str(command.id))
    assert code == 0
    opened = json.loads(shown)
    assert opened["body"]["kwargs"][0]["contacts"][0]["phone"] == PHONE
    assert opened["headers"]["caller-phone"] == PHONE and opened["sealed"] is True
    row = parking.get_parked(database, event.id, keys.data)
    assert row["body"] == EVENT and "Not a valid string" in row["error"]

    # without the keys, or with others, it does not open (and says so)
    assert parking.list_parked(database)[0]["error"] == parking.SEALED_ERROR
    with pytest.raises(parking.SealedMessage, match="not at hand"):
        parking.get_parked(database, command.id)
    with pytest.raises(parking.SealedMessage, match="none of the service's data keys"):
        parking.get_parked(database, command.id, KeyRing([new_data_key()]))


def test_a_replay_sends_the_original_bytes(setup):
    database, amqp_uri, keys, _ = setup
    command, event = park_both(database, amqp_uri)
    assert run("replay", "customer", str(event.id))[0] == 0
    # still refused by its schema: parked again, from what the replay sent. Found by its
    # time, not a higher id: SQLite hands the replayed row's id out again when it was the
    # highest (the test failed whenever the event was parked after the command).
    again = wait_for(
        lambda: [r for r in rows(database) if r.id != command.id and r.parked_at > event.parked_at]
    )
    (reparked,) = again
    row = parking.get_parked(database, reparked.id, keys.data)
    assert row["body"] == EVENT and row["headers"]["caller-phone"] == PHONE
    assert isinstance(reparked.headers, str)  # sealed again
    assert {r.id for r in rows(database)} == {command.id, reparked.id}


def test_rotation_reseals_parked_messages_and_drop_old_waits_for_it(setup, db_url):
    database, amqp_uri, keys, env = setup
    command, event = park_both(database, amqp_uri)
    old_key = keys.data.keys[0]
    # one parked in clear before the customer service sealed them: the rotation seals it
    with database.engine.begin() as conn:
        before = conn.execute(
            insert(parked_messages)
            .values(
                queue="customer-q", handler="rpc:customer.create_customer", reason="malformed",
                error="old", exchange="nameko-rpc", routing_key="customer.create_customer",
                headers={"caller-phone": PHONE}, body=COMMAND, attempts=0, parked_at=utcnow(),
            )
            .returning(parked_messages.c.id)
        ).scalar_one()  # fmt: skip

    assert rotate_keys.main(["new-key"], env) == 0
    rotated = rotate_keys.load_keys("customer", env)
    KEYS.use(rotated)  # as a restarted service would
    # no card at all: only the parked messages still need the old key
    assert rotate_keys.status(db_url, rotated).parked == 2
    assert rotate_keys.main(["drop-old"], env) == 1
    assert rotate_keys.main(["rotate"], env) == 0
    assert rotate_keys.main(["drop-old"], env) == 0
    newest_only = rotate_keys.load_keys("customer", env).data
    assert newest_only.keys == (rotated.data.keys[0],)

    # readable with the new key alone, through the operator command too
    code, shown = run("show", "customer", str(command.id))
    assert code == 0 and json.loads(shown)["body"]["tax_no"] == TAX
    assert parking.get_parked(database, event.id, newest_only)["body"] == EVENT
    sealed_before = parking.get_parked(database, before, newest_only)
    assert sealed_before["sealed"] and sealed_before["body"] == COMMAND
    assert sealed_before["headers"] == {"caller-phone": PHONE}
    (stored,) = [r for r in rows(database) if r.id == before]
    assert PHONE.encode() not in bytes(stored.body) + stored.headers.encode()
    # and the old key alone opens none of it any more
    with pytest.raises(InvalidToken):
        KeyRing([old_key]).decrypt_bytes(rows(database)[0].body)
