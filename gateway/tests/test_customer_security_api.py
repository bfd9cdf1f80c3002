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
