"""rule C11 through the gateway over real HTTP, on SQLite and on PostgreSQL: a warehouse
user and an API key read a card's personal data masked, a sales clerk in clear; cards
are found by phone or tax number; the audit names every read and change; the business
fields of seed 003 are kept (issue 11.7); the customer database holds no clear text."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import create_engine, pool, text

from servicekit.db import normalize_url

PHONE, EMAIL = "13712345678", "zhao.min@jinglian-auto.cn"


def a_card() -> dict:
    tag = uuid.uuid4().hex[:6].upper()
    return {
        "name": f"北京京联自动化-{tag}",
        "nature": "agent",
        "region": "华北",
        "contacts": [
            {
                "name": "赵敏",
                "position": "总经理",
                "phone": PHONE,
                "email": EMAIL,
                "role_in_decision": "decision_maker",
            },
        ],  # fmt: skip
        "license_no": f"110108{tag}001",
        "tax_no": f"91110108MA01{tag}",
        "legal_representative": "赵敏",
        "business_scope": "工业自动化设备销售",
        "purchase_needs": "PLC、伺服驱动器",
        "purchase_frequency": "每季度",
    }


def test_a_warehouse_user_reads_masked_and_a_clerk_in_clear(as_role, admin):  # rule C11
    clerk, warehouse = as_role("sales_clerk"), as_role("warehouse")
    card = a_card()
    created = clerk.post("/customers", json=card)
    assert created.status_code == 201, created.text
    customer_id = created.json()["id"]

    clear = clerk.get(f"/customers/{customer_id}").json()
    assert clear["contacts"][0]["phone"] == PHONE and clear["contacts"][0]["email"] == EMAIL
    assert (clear["license_no"], clear["tax_no"]) == (card["license_no"], card["tax_no"])
    assert clear["purchase_frequency"] == "每季度"  # issue 11.7

    masked = warehouse.get(f"/customers/{customer_id}").json()
    assert masked["contacts"][0]["phone"] == "137****5678"
    assert masked["contacts"][0]["email"] == "z****@jinglian-auto.cn"
    assert masked["tax_no"] == card["tax_no"][:3] + "****" + card["tax_no"][-4:]
    assert masked["license_no"] != card["license_no"]
    assert masked["contacts"][0]["name"] == "赵敏" and masked["name"] == card["name"]
    listed = warehouse.get("/customers", params={"q": card["name"]}).json()
    assert listed["items"][0]["contacts"][0]["phone"] == "137****5678"

    key = admin.post("/api-keys", json={"name": f"erp-{uuid.uuid4().hex[:4]}",
                                        "roles": ["sales_manager"]}).json()["key"]  # fmt: skip
    by_key = admin.session.get(
        admin.url(f"/customers/{customer_id}"), headers={"Authorization": f"Bearer {key}"}
    ).json()
    assert by_key["contacts"][0]["phone"] == "137****5678"  # an API key reads masked


def test_cards_are_found_by_phone_and_tax_number(as_role):  # rule C11
    clerk = as_role("sales_clerk")
    card = a_card()
    card["contacts"][0]["phone"] = "1390000" + uuid.uuid4().hex[:4].translate(
        str.maketrans("abcdef", "123456")
    )
    customer_id = clerk.post("/customers", json=card).json()["id"]
    typed = "+86 " + card["contacts"][0]["phone"][:3] + "-" + card["contacts"][0]["phone"][3:]
    by_phone = clerk.get("/customers", params={"phone": typed}).json()
    assert [i["id"] for i in by_phone["items"]] == [customer_id]
    by_tax = clerk.get("/customers", params={"tax_no": card["tax_no"].lower()}).json()
    assert [i["id"] for i in by_tax["items"]] == [customer_id]
    assert clerk.get("/customers", params={"q": card["tax_no"]}).json()["total"] == 1
    assert clerk.get("/customers", params={"phone": ""}).status_code == 422


def test_the_audit_names_every_read_and_change(as_role, suite):  # rule C11
    clerk, warehouse, auditor = as_role("sales_clerk"), as_role("warehouse"), as_role("cs_manager")
    card = a_card()
    customer_id = clerk.post("/customers", json=card).json()["id"]
    warehouse.get(f"/customers/{customer_id}")
    new_tax = card["tax_no"][:-1] + "Z"
    assert clerk.patch(f"/customers/{customer_id}", json={"tax_no": new_tax}).status_code == 200
    assert warehouse.get(f"/customers/{customer_id}/audit").status_code == 403

    audit = auditor.get(f"/customers/{customer_id}/audit").json()
    steps = [(e["who"], e["action"], e["changes"].get("view")) for e in audit]
    assert steps == [
        (clerk.username, "created", None),
        (warehouse.username, "read", "card"),
        (clerk.username, "updated", None),
    ]
    assert audit[1]["changes"]["masked"] is True
    assert audit[2]["changes"]["tax_no"] == {"old": card["tax_no"], "new": new_tax}

    # nothing personal in clear in the customer database (rule C11)
    raw = raw_customer_database(suite)
    assert card["name"].encode() in raw
    for secret in (PHONE, EMAIL, card["tax_no"], new_tax, card["license_no"]):
        assert secret.encode() not in raw, secret


def raw_customer_database(suite) -> bytes:
    url = suite.env.get("CUSTOMER_DATABASE_URL")
    if not url:
        path = Path(suite.data_dir) / "customer.db"
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    rows = []
    with engine.connect() as conn:
        tables = list(
            conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        )
        for (table,) in tables:
            rows += [f"{table}:{row}" for row in conn.execute(text(f'SELECT * FROM "{table}"'))]
    engine.dispose()
    return "\n".join(rows).encode("utf-8")
