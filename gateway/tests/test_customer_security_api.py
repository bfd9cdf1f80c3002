"""The customer card through the gateway, issue 11 points 6 and 7: the business fields
of seed 003 (rule C1), reads that carry the actor so the service masks and audits them
(rule C11), and the lookups by phone or tax number."""

from __future__ import annotations

import pytest

BUSINESS = {
    "legal_representative": "张伟",
    "business_scope": "机电设备、五金交电的批发零售",
    "purchase_needs": "变频器、伺服电机",
    "purchase_frequency": "每月一次",
}


# --- the business fields (issue 11.7) ---------------------------------------------------
def test_a_card_is_created_and_patched_with_the_business_fields(client, rpc, token_for):
    body = {"name": "华东机电有限公司", "nature": "distributor", **BUSINESS}
    response = client.post("/api/v1/customers", json=body, headers=token_for("sales_clerk"))
    assert response.status_code == 201, response.get_json()
    assert {f: rpc.last.args[0][f] for f in BUSINESS} == BUSINESS
    response = client.patch(
        "/api/v1/customers/c-1",
        json={"purchase_frequency": "每季度", "business_scope": None},
        headers=token_for("sales_manager"),
    )
    assert response.status_code == 200, response.get_json()
    assert rpc.last.method == "update_customer"
    assert rpc.last.args[1] == {"purchase_frequency": "每季度", "business_scope": None}


@pytest.mark.parametrize(
    "field, limit",
    [
        ("legal_representative", 100),
        ("business_scope", 2000),
        ("purchase_needs", 2000),
        ("purchase_frequency", 100),
    ],
)
def test_a_too_long_business_field_is_refused_before_any_call(client, rpc, token_for, field, limit):
    response = client.patch(
        "/api/v1/customers/c-1", json={field: "字" * (limit + 1)}, headers=token_for("sales_clerk")
    )
    assert response.status_code == 422
    assert field in str(response.get_json()["error"]["details"])
    assert rpc.calls == []


def test_the_card_answers_the_business_fields(client, rpc, token_for, customer):
    rpc.answers[("customer", "get_customer")] = lambda *_a, **_k: {**customer, **BUSINESS}
    response = client.get("/api/v1/customers/c-1", headers=token_for("sales_clerk"))
    assert response.status_code == 200
    assert {f: response.get_json()[f] for f in BUSINESS} == BUSINESS


def test_openapi_documents_the_business_fields(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    for name in ("CreateCustomer", "UpdateCustomer", "Customer"):
        assert set(BUSINESS) <= set(schemas[name]["properties"]), name


# --- reads carry the reader (rule C11) -------------------------------------------------
READS = [
    ("/api/v1/customers/c-1", "get_customer", ("c-1",)),
    ("/api/v1/customers?phone=138-0000-0000", "list_customers",
     ({"phone": "138-0000-0000"}, 1, 50)),
    ("/api/v1/customers?tax_no=91310000MA1FL0000X&q=机电", "list_customers",
     ({"tax_no": "91310000MA1FL0000X", "q": "机电"}, 1, 50)),
    ("/api/v1/customers/c-1/audit", "get_audit", ("c-1",)),
]  # fmt: skip


@pytest.mark.parametrize("path, method, args", READS)
def test_a_read_passes_the_reader_so_the_service_masks_and_audits(
    client, rpc, token_for, path, method, args
):
    headers = token_for("cs_manager", username="zhou.cs", department="客服部")
    assert client.get(path, headers=headers).status_code == 200
    assert rpc.last.method == method
    actor = {"username": "zhou.cs", "roles": ["cs_manager"], "department": "客服部"}
    assert rpc.last.args == (*args, actor)


def test_an_api_key_reads_as_itself(client, rpc, admin_headers):
    created = client.post(
        "/api-keys", json={"name": "scanner-07", "roles": ["warehouse"]}, headers=admin_headers
    ).get_json()
    key = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/api/v1/customers/c-1", headers=key).status_code == 200
    assert rpc.last.args[1] == {
        "username": "api_key:scanner-07",
        "roles": ["warehouse"],
        "department": None,
    }


@pytest.mark.parametrize(
    "query, field", [("phone=", "phone"), ("tax_no=", "tax_no"), ("phone=" + "1" * 41, "phone"),
                     ("tax_no=" + "9" * 65, "tax_no")],
)  # fmt: skip
def test_an_empty_or_too_long_lookup_is_refused_before_any_call(
    client, rpc, token_for, query, field
):
    response = client.get(f"/api/v1/customers?{query}", headers=token_for("sales_clerk"))
    assert response.status_code == 422
    assert field in str(response.get_json()["error"]["details"])
    assert rpc.calls == []


def test_the_service_answer_is_passed_on_as_it_masked_it(client, rpc, token_for, customer):
    masked = {
        **customer,
        "contacts": [{**customer["contacts"][0], "phone": "138****0000"}],
        "tax_no": "913****000X",
    }
    rpc.answers[("customer", "get_customer")] = lambda *_a, **_k: masked
    body = client.get("/api/v1/customers/c-1", headers=token_for("warehouse")).get_json()
    assert body["contacts"][0]["phone"] == "138****0000" and body["tax_no"] == "913****000X"


def test_openapi_documents_the_lookups_and_the_audit(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    listing = spec["paths"]["/api/v1/customers"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"q", "phone", "tax_no"} <= names
    audit = spec["paths"]["/api/v1/customers/{customer_id}/audit"]["get"]
    assert "read" in audit["description"] and "masked" in audit["description"]
    card = spec["paths"]["/api/v1/customers/{customer_id}"]["get"]
    assert "138****0000" in card["description"]
