"""The customer import through the gateway over real HTTP, every service a process
(issue 11.8; rule C1, rule C3): a generated .xlsx of 2,000 rows with planted bad rows
(a missing name, a bad nature, a discount out of range and one below the floor, a tax
number twice in the file, a tax number already on a card). The dry run reports them and
creates nothing; the real run creates the rest as pending_approval with an ``imported``
history entry; a second real run creates none. The times are printed."""

from __future__ import annotations

import io
import time
import uuid

from gateway import import_files

ROWS = 2000


def planted_file(prefix: str, existing_tax_no: str) -> tuple[bytes, dict]:
    rows = []
    for n in range(ROWS):
        rows.append(
            {
                "name": f"导入客户{prefix}-{n:04d}",
                "nature": ("distributor", "agent", "end_user")[n % 3],
                "region": "华东",
                "tax_no": f"{prefix}TAX{n:05d}",
                "discount": "0.90",
                "credit_limit": "100000.00",
                "settlement_terms": "net_30",
                "contact_name": "王经理",
                "contact_phone": f"138{n:08d}",
            }
        )
    row = {n: n + 2 for n in range(ROWS)}  # as the spreadsheet numbers them
    rows[10]["name"] = None
    rows[20]["nature"] = "wholesaler"
    rows[30]["discount"] = "1.5"
    rows[31]["discount"] = "0.50"  # rule C4: below the floor (0.70)
    rows[40]["tax_no"] = rows[39]["tax_no"].lower()  # the same number, typed otherwise
    rows[50]["tax_no"] = existing_tax_no
    rows[60]["tax_no"] = None  # matched by its name
    expected = {
        "problems": {
            (row[10], "name", "required"),
            (row[20], "nature", "not_allowed"),
            (row[30], "discount", "out_of_range"),
            (row[31], "discount", "discount_below_floor"),
        },
        "in_file": {(row[40], row[39])},
        "existing": {row[50]},
        "first": rows[0],
    }
    return import_files.write_xlsx(rows), expected


def upload(api, content: bytes, dry_run: bool, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    started = time.perf_counter()
    response = api.request(
        "POST",
        f"/customers/imports?dry_run={'true' if dry_run else 'false'}",
        files={"file": ("customers.xlsx", io.BytesIO(content), import_files.XLSX)},
        headers=headers,
        timeout=120,
    )
    return response, time.perf_counter() - started


def test_a_2000_row_import_dry_run_real_run_and_again(suite, as_role, admin):
    clerk = as_role("sales_clerk")
    prefix = uuid.uuid4().hex[:6].upper()
    existing = clerk.post(
        "/customers",
        json={"name": f"老客户{prefix}", "nature": "agent", "tax_no": f"{prefix}-EXISTS"},
    )
    assert existing.status_code == 201, existing.text
    content, expected = planted_file(prefix, f"{prefix}-EXISTS")
    print(f"\n{ROWS} rows: {len(content)} bytes of .xlsx")
    good = ROWS - 6

    dry, seconds = upload(clerk, content, dry_run=True)
    print(f"dry run of {ROWS} rows: {seconds:.2f} s")
    assert dry.status_code == 200, dry.text
    answer = dry.json()
    assert (answer["rows"], answer["would_create"], answer["created"]) == (ROWS, good, 0)
    assert {(p["row"], p["field"], p["code"]) for p in answer["problems"]} == expected["problems"]
    in_file = {(d["row"], d["first_row"]) for d in answer["duplicates"] if d["first_row"]}
    assert in_file == expected["in_file"]
    on_cards = {d["row"]: d["existing_customer_id"] for d in answer["duplicates"]}
    assert {r for r in on_cards if on_cards[r]} == expected["existing"]
    assert set(on_cards.values()) - {None} == {existing.json()["id"]}
    first_tax = expected["first"]["tax_no"]
    assert clerk.get(f"/customers?tax_no={first_tax}").json()["total"] == 0  # nothing made

    real, seconds = upload(clerk, content, dry_run=False, key=f"import-{prefix}")
    print(f"real run of {ROWS} rows: {seconds:.2f} s")
    assert real.status_code == 200, real.text
    answer = real.json()
    assert (answer["created"], answer["would_create"], answer["skipped"]) == (good, good, 6)
    assert seconds < 60
    found = clerk.get(f"/customers?tax_no={first_tax.lower()}").json()
    assert found["total"] == 1
    card = found["items"][0]
    assert card["status"] == "pending_approval"  # rule C3
    assert card["id"] in {c["customer_id"] for c in answer["cards"]}
    audit = admin.get(f"/customers/{card['id']}/audit").json()
    assert {"created", "imported"} <= {e["action"] for e in audit}
    pending = clerk.get(f"/customers?status=pending_approval&q=导入客户{prefix}&per_page=1")
    assert pending.json()["total"] == good

    again, seconds = upload(clerk, content, dry_run=False)
    print(f"second real run of {ROWS} rows: {seconds:.2f} s")
    assert again.status_code == 200, again.text
    answer = again.json()
    assert answer["created"] == 0
    assert len(answer["duplicates"]) == good + 2
    assert clerk.get(f"/customers?q=导入客户{prefix}&per_page=1").json()["total"] == good
