"""rule C11 over the real broker, on SQLite and PostgreSQL: personal data encrypted at
rest (the card, its history, the answers kept for repeated commands) and nowhere in the
raw database; masked by role on every read; found by phone or tax number through the
keyed lookup hashes; every read and change in the audit; keys rotated by the command,
the old key dropped and everything still read."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import create_engine, pool, text

from customer import rotate_keys
from customer.security_keys import KEYS
from customer.service import CustomerService
from servicekit.crypto import KeyRing, Keys, new_data_key
from servicekit.db import normalize_url
from servicekit.migrations import upgrade

CLERK = {"username": "clerk1", "roles": ["sales_clerk"]}
MANAGER = {"username": "sm1", "roles": ["sales_manager"]}
CS_MANAGER = {"username": "csm1", "roles": ["cs_manager"]}
WAREHOUSE = {"username": "wh1", "roles": ["warehouse"]}
API_KEY = {"username": "api_key:erp", "roles": ["sales_clerk"]}

PHONE, NEW_PHONE = "13812345678", "13987654321"
EMAIL = "wang.jianguo@huadong-jd.cn"
LICENSE, TAX, NEW_TAX = "310115000123456", "91310115MA1K3Y7Q2X", "91310115MA1K3Y7Q9Z"
SECRETS = (PHONE, NEW_PHONE, EMAIL, LICENSE, TAX, NEW_TAX)


@pytest.fixture
def customer_rpc(db_url, rabbit_config, container_factory, keys):
    upgrade("customer", db_url)
    config = {**rabbit_config, "DATABASE_URL": db_url, "OUTBOX_POLL_SECONDS": 0.2}
    container = container_factory(CustomerService, config)
    container.start()
    with ServiceRpcProxy("customer", rabbit_config, timeout=10) as proxy:
        yield proxy
    container.stop()


def card(name: str | None = None) -> dict:
    return {
        "name": name or f"华东机电-{uuid.uuid4().hex[:6]}",
        "nature": "distributor",
        "contacts": [
            {"name": "王建国", "position": "采购经理", "phone": PHONE, "email": EMAIL},
            {"name": "李会计", "phone": None, "email": None},
        ],
        "license_no": LICENSE,
        "tax_no": TAX,
    }


def raw_database(url: str) -> bytes:
    """What an attacker with the database (not the keys) reads: the SQLite file and its
    -wal byte for byte; for PostgreSQL every column of every table as text."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        files = [path, Path(f"{path}-wal")]
        return b"".join(p.read_bytes() for p in files if p.exists())
    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    dumped = []
    with engine.connect() as conn:
        tables = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        for table in list(tables):
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                dumped.append(table + ":" + "|".join(str(v) for v in row))
    engine.dispose()
    return "\n".join(dumped).encode("utf-8")


def test_personal_data_is_encrypted_at_rest_and_read_by_role(customer_rpc, db_url, keys):
    created = customer_rpc.create_customer(card(), CLERK)
    assert created["contacts"][0]["phone"] == PHONE  # the clerk reads it in clear
    customer_id = created["id"]
    customer_rpc.approve_customer(customer_id, MANAGER)
    contacts = [{**created["contacts"][0], "phone": NEW_PHONE}]
    customer_rpc.update_customer(customer_id, {"tax_no": NEW_TAX, "contacts": contacts}, CLERK)

    # rule C11: in clear for the roles CONTRACT names, masked for others and API keys
    for reader, masked in [(CLERK, False), (CS_MANAGER, False), (WAREHOUSE, True),
                           (API_KEY, True), (None, True)]:  # fmt: skip
        read = customer_rpc.get_customer(customer_id, reader)
        if masked:
            assert read["contacts"][0]["phone"] == "139****4321"
            assert read["contacts"][0]["email"] == "w****@huadong-jd.cn"
            assert (read["license_no"], read["tax_no"]) == ("310****3456", "913****7Q9Z")
        else:
            assert read["contacts"][0]["phone"] == NEW_PHONE
            assert (read["license_no"], read["tax_no"]) == (LICENSE, NEW_TAX)
        assert read["contacts"][0]["name"] == "王建国" and read["name"] == created["name"]
    listed = customer_rpc.list_customers({"q": created["name"]}, 1, 10, WAREHOUSE)
    assert listed["items"][0]["contacts"][0]["phone"] == "139****4321"

    # the history's old and new values: in clear for the auditor, masked for an API key
    audit = customer_rpc.get_audit(customer_id, CS_MANAGER)
    (updated,) = [e for e in audit if e["action"] == "updated"]
    assert updated["changes"]["tax_no"] == {"old": TAX, "new": NEW_TAX}
    assert updated["changes"]["contacts"]["old"][0]["phone"] == PHONE
    masked = customer_rpc.get_audit(customer_id, API_KEY)
    (updated,) = [e for e in masked if e["action"] == "updated"]
    assert updated["changes"]["tax_no"] == {"old": "913****7Q2X", "new": "913****7Q9Z"}

    # nothing of it in clear anywhere in the database
    raw = raw_database(db_url)
    assert created["name"].encode() in raw  # the dump does read the data
    for secret in SECRETS:
        assert secret.encode() not in raw, secret

    # and without the keys it does not open
    KEYS.use(Keys(KeyRing([new_data_key()]), keys.index, "test"))
    with pytest.raises(Exception, match="InvalidToken|unexpected"):
        customer_rpc.get_customer(customer_id, CLERK)


def test_every_read_and_change_is_audited_with_who_and_how(customer_rpc):  # rule C11
    created = customer_rpc.create_customer(card(), CLERK)
    customer_id = created["id"]
    customer_rpc.get_customer(customer_id, WAREHOUSE)
    customer_rpc.list_customers({"tax_no": TAX}, 1, 10, CLERK)
    customer_rpc.get_customer(customer_id)  # a service's lookup, without an actor
    customer_rpc.update_customer(customer_id, {"address": "苏州"}, CLERK)
    customer_rpc.get_audit(customer_id, CS_MANAGER)

    audit = customer_rpc.get_audit(customer_id, CS_MANAGER)
    summary = [
        (e["who"], e["action"], e["changes"].get("view"), e["changes"].get("masked")) for e in audit
    ]
    assert summary == [
        ("clerk1", "created", None, None),
        ("wh1", "read", "card", True),
        ("clerk1", "read", "list", False),
        ("service", "read", "card", True),
        ("clerk1", "updated", None, None),
        ("csm1", "read", "audit", False),
    ]
    assert audit[1]["changes"]["roles"] == ["warehouse"]
    assert [e["at"] for e in audit] == sorted(e["at"] for e in audit)


def test_cards_are_found_by_phone_or_tax_number_however_typed(customer_rpc):  # rule C11
    first = customer_rpc.create_customer(card(), CLERK)
    other = card()
    other["contacts"][0]["phone"] = "13600001111"
    other["tax_no"] = "91440300MA5F000001"
    other["license_no"] = "440300000999999"
    second = customer_rpc.create_customer(other, CLERK)

    def ids(filters):
        page = customer_rpc.list_customers(filters, 1, 50, CLERK)
        return {item["id"] for item in page["items"]}

    assert ids({"phone": "+86 138-1234-5678"}) == {first["id"]}
    assert ids({"phone": "136 0000 1111"}) == {second["id"]}
    assert ids({"tax_no": "91310115ma1k3y7q2x"}) == {first["id"]}
    assert ids({"q": TAX}) == {first["id"]}  # q: a whole tax number
    assert ids({"q": LICENSE}) == {first["id"]}  # or licence number
    assert ids({"phone": PHONE, "tax_no": other["tax_no"]}) == set()
    assert ids({"phone": "12"}) == set()

    # a changed phone is found by its new value only
    contacts = [{**first["contacts"][0], "phone": NEW_PHONE}]
    customer_rpc.update_customer(first["id"], {"contacts": contacts}, CLERK)
    assert ids({"phone": PHONE}) == set()
    assert ids({"phone": NEW_PHONE}) == {first["id"]}


def test_keys_rotate_and_the_old_key_is_dropped(customer_rpc, db_url, keys, tmp_path):
    """rule C11: new key first, rotate, drop the old one: everything still reads, and
    what was encrypted before no longer opens with the old key alone."""
    data_dir = tmp_path / "data"
    env = {"AFTERSALES_DATA_DIR": str(data_dir), "CUSTOMER_DATABASE_URL": db_url}
    data_dir.mkdir()
    (data_dir / "customer-data-keys").write_text(keys.data.keys[0] + "\n")
    (data_dir / "customer-index-key").write_text(keys.index.key + "\n")

    created = customer_rpc.create_customer(card(), CLERK)
    customer_id = created["id"]
    customer_rpc.update_customer(customer_id, {"tax_no": NEW_TAX}, CLERK)
    old_key = keys.data.keys[0]

    assert rotate_keys.main(["new-key"], env) == 0
    rotated_keys = rotate_keys.load_keys("customer", env)
    assert rotated_keys.data.keys[1] == old_key
    KEYS.use(rotated_keys)  # as a restarted service would
    assert rotate_keys.main(["drop-old"], env) == 1  # the values still need the old key
    assert rotate_keys.main(["rotate"], env) == 0
    assert rotate_keys.status(db_url, rotated_keys).unopened == 0
    assert rotate_keys.main(["drop-old"], env) == 0
    assert (data_dir / "customer-data-keys").read_text().split() == [rotated_keys.data.keys[0]]

    KEYS.use(rotate_keys.load_keys("customer", env))  # restarted with the new key only
    read = customer_rpc.get_customer(customer_id, CLERK)
    assert (read["tax_no"], read["contacts"][0]["phone"]) == (NEW_TAX, PHONE)
    audit = customer_rpc.get_audit(customer_id, CS_MANAGER)
    assert [e for e in audit if e["action"] == "updated"][0]["changes"]["tax_no"]["old"] == TAX
    page = customer_rpc.list_customers({"tax_no": NEW_TAX}, 1, 10, CLERK)
    assert [i["id"] for i in page["items"]] == [customer_id]

    # the old key alone opens nothing any more
    engine = create_engine(normalize_url(db_url), poolclass=pool.NullPool)
    with engine.connect() as conn:
        token = conn.execute(
            text("SELECT tax_no FROM customers WHERE id = :id"), {"id": customer_id}
        ).scalar()
        stored = conn.execute(
            text("SELECT changes FROM history WHERE entity_id = :id AND action = 'updated'"),
            {"id": customer_id},
        ).scalar()
    engine.dispose()
    with pytest.raises(rotate_keys.InvalidToken):
        KeyRing([old_key]).decrypt(token)
    sealed = (json.loads(stored) if isinstance(stored, str) else stored)["tax_no"]["encrypted"]
    with pytest.raises(rotate_keys.InvalidToken):
        KeyRing([old_key]).decrypt(sealed)


def test_keys_in_the_environment_are_rotated_there(customer_rpc, db_url, keys, tmp_path):
    env = {
        "AFTERSALES_DATA_DIR": str(tmp_path),
        "CUSTOMER_DATABASE_URL": db_url,
        "CUSTOMER_DATA_KEYS": keys.data.keys[0],
        "CUSTOMER_INDEX_KEY": keys.index.key,
    }
    customer_rpc.create_customer(card(), CLERK)
    assert rotate_keys.main(["new-key"], env) == 1  # the file is not where the keys are
    newer = new_data_key()
    env["CUSTOMER_DATA_KEYS"] = f"{newer},{keys.data.keys[0]}"
    assert rotate_keys.main(["rotate"], env) == 0
    env["CUSTOMER_DATA_KEYS"] = newer
    assert rotate_keys.main(["status"], env) == 0
    assert rotate_keys.status(db_url, rotate_keys.load_keys("customer", env)).unopened == 0


@pytest.fixture
def info_logs(caplog):
    caplog.set_level("INFO", logger="customer.security_service")
    return caplog


def test_the_keys_are_loaded_when_the_service_starts(info_logs, customer_rpc, db_url, keys):
    """rule C11: checked at start; a shared database with keys from a local file warns
    (every instance must have the same keys)."""
    caplog = info_logs
    started = caplog.get_records("setup")  # the service starts in the fixture
    messages = [r.getMessage() for r in started if r.name == "customer.security_service"]
    assert any(keys.data.fingerprints()[0] in m for m in messages)
    shared = any("every customer instance needs the same keys" in m for m in messages)
    assert shared == db_url.startswith("postgresql")
