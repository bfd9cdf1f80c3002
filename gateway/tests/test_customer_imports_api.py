"""The customer import endpoints (issue 11.8; rule C1, rule C3) with a fake RPC client:
the file read (.xlsx by openpyxl, .csv in UTF-8 or GB18030, English or Chinese headers),
every row checked with the contract's schema and its problems in the contract's field
terms, duplicates within the file set aside, the rest sent in batches each with its own
idempotency key, the answer merged, the templates, the role matrix and OpenAPI."""

import io

import openpyxl
import pytest

from gateway import import_files
from gateway.tests import matrix
from servicekit.contracts import customer_imports as contract
from servicekit.contracts.customer_vocabulary import NATURES, SETTLEMENT_TERMS

PATH = "/api/v1/customers/imports"
EXISTING = {"91310000EXISTS0001": "c-old"}  # what the fake service has on its cards

# (method, path, body, roles besides admin, RPC method or None, status)
ENDPOINTS = [
    ("POST", f"{PATH}?dry_run=true", "file", ("sales_clerk", "sales_manager"),
     contract.IMPORT_CUSTOMERS, 200),
    ("GET", f"{PATH}/template", None, ("sales_clerk", "sales_manager"), None, 200),
    ("GET", f"{PATH}/template.xlsx", None, ("sales_clerk", "sales_manager"), None, 200),
    ("GET", f"{PATH}/template.csv", None, ("sales_clerk", "sales_manager"), None, 200),
]  # fmt: skip


def fake_service(rows, dry_run, actor):
    """As the customer service answers a batch: existing tax numbers are duplicates."""
    cards, duplicates = [], []
    for row in rows:
        key = contract.tax_no_key(row["card"].get("tax_no"))
        if key in EXISTING:
            duplicates.append(
                {"row": row["row"], "by": "tax_no", "tax_no": row["card"]["tax_no"],
                 "name": row["card"]["name"], "existing_customer_id": EXISTING[key],
                 "first_row": None}
            )  # fmt: skip
        else:
            customer_id = None if dry_run else f"c-{row['row']}"
            cards.append(
                {"row": row["row"], "name": row["card"]["name"], "customer_id": customer_id}
            )
    return {"cards": cards, "problems": [], "duplicates": duplicates}


@pytest.fixture(autouse=True)
def service(rpc):
    rpc.answers[("customer", contract.IMPORT_CUSTOMERS)] = fake_service
    return rpc


def xlsx(rows, columns=contract.COLUMN_NAMES):
    return import_files.write_xlsx(rows, columns)


def good(n, **changes):
    return {"name": f"客户{n:04d}", "nature": "distributor", "tax_no": f"9131TAX{n:06d}",
            "discount": "0.85", **changes}  # fmt: skip


def upload(client, headers, content, filename="customers.xlsx", query="?dry_run=true", **extra):
    return client.post(
        f"{PATH}{query}",
        data={"file": (io.BytesIO(content), filename)},
        headers={**headers, **extra},
        content_type="multipart/form-data",
    )


def import_calls(rpc):
    return [c for c in rpc.calls if c.method == contract.IMPORT_CUSTOMERS]


# --- who may do what -------------------------------------------------------------------
@pytest.mark.parametrize("case", matrix.role_cases(ENDPOINTS))
def test_role_matrix(client, rpc, token_for, case):
    headers = token_for(case.role)
    if case.body == "file":
        response = upload(client, headers, xlsx([good(1)]), query="?dry_run=true")
    else:
        response = client.get(case.path, headers=headers)
    if case.allowed:
        assert response.status_code == case.status, response.get_json()
        expected = [("customer", case.rpc_method)] if case.rpc_method else []
        assert [(c.service, c.method) for c in rpc.calls] == expected
    else:
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
        assert rpc.calls == []


def test_the_matrix_covers_every_import_endpoint(app):
    matrix.check_matrix_covers(app, "customer_imports", ENDPOINTS, {})


# --- reading and checking the file ---------------------------------------------------
def test_rows_are_checked_with_the_contract_and_problems_named_in_its_terms(client, rpc, token_for):
    rows = [
        good(1),
        {**good(2), "name": None},  # row 3
        good(3, nature="wholesaler"),  # row 4
        good(4, discount="1.5"),  # row 5
        good(5, contact_email="not-an-email"),  # row 6: a contact column without its name
        good(6, credit_limit="lots"),  # row 7
        good(7, nature="经销商", pickup="是"),  # row 8: Chinese words the contract takes
    ]
    response = upload(client, token_for("sales_clerk"), xlsx(rows))

    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    found = {(p["row"], p["field"], p["column"], p["code"]) for p in answer["problems"]}
    assert found == {
        (3, "name", "name", "required"),
        (4, "nature", "nature", "not_allowed"),
        (5, "discount", "discount", "out_of_range"),
        (6, "contacts.0.name", "contact_name", "required"),
        (6, "contacts.0.email", "contact_email", "invalid"),
        (7, "credit_limit", "credit_limit", "invalid"),
    }
    (call,) = import_calls(rpc)
    rows_sent, dry_run, actor = call.args
    assert [r["row"] for r in rows_sent] == [2, 8]
    assert rows_sent[1]["card"]["nature"] == "distributor" and rows_sent[1]["card"]["pickup"]
    assert dry_run is True and actor["username"] == "sales_clerk"
    assert (answer["rows"], answer["would_create"], answer["created"], answer["skipped"]) == (
        7, 2, 0, 5,
    )  # fmt: skip


def test_a_tax_number_met_earlier_in_the_file_is_set_aside_however_typed(client, rpc, token_for):
    rows = [good(1), good(2, tax_no="9131tax 000001"), good(3), {**good(4), "tax_no": None},
            {**good(4), "tax_no": None}, good(5, tax_no="91310000EXISTS0001")]  # fmt: skip
    answer = upload(client, token_for("sales_manager"), xlsx(rows)).get_json()

    assert [(d["row"], d["by"], d["first_row"], d["existing_customer_id"])
            for d in answer["duplicates"]] == [
        (3, "tax_no", 2, None), (6, "name", 5, None), (7, "tax_no", None, "c-old")
    ]  # fmt: skip
    assert [r["row"] for r in import_calls(rpc)[0].args[0]] == [2, 4, 5, 7]
    assert [c["row"] for c in answer["cards"]] == [2, 4, 5]


def test_rows_go_in_batches_each_with_its_own_idempotency_key(make_app, rpc, token_for):
    app = make_app(IMPORT_BATCH_ROWS=4)
    client, headers = app.test_client(), None
    headers = app_token(app, token_for)
    content = xlsx([good(n) for n in range(1, 11)])

    response = upload(client, headers, content, query="?dry_run=false", **{"Idempotency-Key": "k1"})

    assert response.status_code == 200, response.get_json()
    calls = import_calls(rpc)
    assert [[r["row"] for r in c.args[0]] for c in calls] == [
        [2, 3, 4, 5], [6, 7, 8, 9], [10, 11]
    ]  # fmt: skip
    keys = [c.idempotency_key for c in calls]
    assert None not in keys and len(set(keys)) == 3
    answer = response.get_json()
    assert answer["created"] == 10 and answer["dry_run"] is False
    assert answer["cards"][0] == {"row": 2, "name": "客户0001", "customer_id": "c-2"}

    again = upload(client, headers, content, query="?dry_run=false", **{"Idempotency-Key": "k1"})
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == answer and len(import_calls(rpc)) == 3


def app_token(app, token_for):
    # token_for is bound to the default app; a user for this app is made the same way
    from gateway.auth import tokens

    state = app.extensions["gateway"]
    user = state.store.add_user("sales_clerk", "not-a-hash", ["sales_clerk"], None, None)
    token, _ = tokens.issue(state.jwt_secret, "sales_clerk", ["sales_clerk"], None, 5,
                            version=user.token_version)  # fmt: skip
    return {"Authorization": f"Bearer {token}"}


def test_the_dry_run_is_the_default(client, rpc, token_for):
    response = upload(client, token_for("sales_clerk"), xlsx([good(1)]), query="")
    assert response.get_json()["dry_run"] is True
    assert import_calls(rpc)[0].args[1] is True


def test_chinese_headers_and_a_gb18030_csv_are_read(client, rpc, token_for):
    headers = [h for c, h, _ in contract.COLUMNS if c in ("name", "nature", "tax_no", "pickup")]
    text = (
        ",".join(headers)
        + ",备注\n华东机电,代理商,T-1,否,老客户\n,,,,\n华南五金,end_user,T-2,true,\n"
    )
    response = upload(client, token_for("sales_clerk"), text.encode("gb18030"), "erp.csv")

    answer = response.get_json()
    assert response.status_code == 200, answer
    assert answer["rows"] == 2 and answer["ignored_columns"] == ["备注"]
    sent = import_calls(rpc)[0].args[0]
    assert sent == [
        {"row": 2, "card": {"name": "华东机电", "nature": "agent", "tax_no": "T-1",
                            "pickup": False}},
        {"row": 4, "card": {"name": "华南五金", "nature": "end_user", "tax_no": "T-2",
                            "pickup": True}},
    ]  # fmt: skip


def test_xlsx_numbers_arrive_as_the_text_they_show(client, rpc, token_for):
    book = openpyxl.Workbook()
    book.active.append(["name", "nature", "discount", "credit_limit", "tax_no", "pickup"])
    book.active.append(["甲", "agent", 0.85, 200000, 913100001234, True])
    out = io.BytesIO()
    book.save(out)
    upload(client, token_for("sales_clerk"), out.getvalue())
    card = import_calls(rpc)[0].args[0][0]["card"]
    assert card == {"name": "甲", "nature": "agent", "discount": "0.85",
                    "credit_limit": "200000", "tax_no": "913100001234", "pickup": True}  # fmt: skip


@pytest.mark.parametrize(
    ("content", "filename", "code"),
    [
        (b"name,nature\n", "customers.txt", "unsupported_file"),
        (b"not a zip", "customers.xlsx", "unreadable_file"),
        (b"region,tax_no\n", "customers.csv", "missing_columns"),
        (b"", "customers.csv", "missing_columns"),
    ],
)
def test_a_file_that_is_no_import_is_422_and_reaches_no_service(
    client, rpc, token_for, content, filename, code
):
    response = upload(client, token_for("sales_clerk"), content, filename)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code
    assert rpc.calls == []


def test_no_file_is_a_validation_error(client, rpc, token_for):
    response = client.post(PATH, data={}, headers=token_for("sales_clerk"),
                           content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["details"]["files"]
    assert rpc.calls == []


def test_more_rows_than_one_import_takes_is_422(make_app, rpc, token_for):
    app = make_app(IMPORT_MAX_ROWS=3)
    response = upload(
        app.test_client(), app_token(app, token_for), xlsx([good(n) for n in range(4)])
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "too_many_rows"
    assert rpc.calls == []


# --- the templates ----------------------------------------------------------------------
def test_the_xlsx_template_has_the_headers_an_example_and_the_allowed_values(client, token_for):
    for path in (f"{PATH}/template", f"{PATH}/template.xlsx"):
        response = client.get(path, headers=token_for("sales_clerk"))
        assert response.status_code == 200
        assert response.mimetype == import_files.XLSX
        assert "attachment" in response.headers["Content-Disposition"]
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        data, notes = book.worksheets
        header = [c.value for c in data[1]]
        assert header == [h for _, h, _ in contract.COLUMNS]
        assert data.max_row == 2
        noted = " ".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
        for value in (*NATURES, *SETTLEMENT_TERMS, *contract.COLUMN_NAMES):
            assert value in noted


@pytest.mark.parametrize(
    ("path", "filename"),
    [(f"{PATH}/template.xlsx", "t.xlsx"), (f"{PATH}/template.csv", "t.csv")],
)
def test_a_template_uploaded_as_it_is_imports_its_example(client, rpc, token_for, path, filename):
    headers = token_for("sales_clerk")
    template = client.get(path, headers=headers).data

    answer = upload(client, headers, template, filename).get_json()

    assert answer["problems"] == [] and answer["rows"] == 1 and answer["would_create"] == 1
    (row,) = import_calls(rpc)[0].args[0]
    assert row["row"] == 2 and row["card"]["name"] == contract.EXAMPLE_ROW["name"]
    assert row["card"]["contacts"][0]["phone"] == contract.EXAMPLE_ROW["contact_phone"]


# --- OpenAPI ---------------------------------------------------------------------------
def test_openapi_documents_the_upload_and_the_templates(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"][PATH]["post"]
    assert post["x-roles"] == ["sales_clerk", "sales_manager"]
    body = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body == {"$ref": "#/components/schemas/ImportFile"}
    assert spec["components"]["schemas"]["ImportFile"]["properties"]["file"]["format"] == "binary"
    assert {p["name"] for p in post["parameters"]} >= {"dry_run", "Idempotency-Key"}
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ImportResult"
    }
    for suffix in ("template", "template.xlsx", "template.csv"):
        get = spec["paths"][f"{PATH}/{suffix}"]["get"]
        assert get["x-roles"] == ["sales_clerk", "sales_manager"] and get["description"]
        assert set(get["responses"]["200"]["content"]) <= {import_files.XLSX, "text/csv"}
