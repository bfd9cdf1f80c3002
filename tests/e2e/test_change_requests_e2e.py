"""Change requests waiting for a side (rule C4; the console's "my approvals") through the
gateway over real HTTP: listed as awaiting the market manager and finance until each
decides, then applied."""

import uuid

CARD = {
    "name": "华东机电有限公司",
    "nature": "distributor",
    "region": "华东",
    "settlement_terms": "net_30",
    "discount": "0.85",
    "credit_limit": "200000.00",
}


def waiting_ids(api, side: str, customer_id: str) -> list[str]:
    response = api.get("/change-requests", params={"awaiting": side, "customer_id": customer_id})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_change_request_waits_for_each_side_until_both_approve(as_role):  # rule C4
    clerk, manager = as_role("sales_clerk"), as_role("sales_manager")
    market, finance = as_role("market_manager"), as_role("finance")
    name = f"{CARD['name']}-{uuid.uuid4().hex[:6]}"
    customer = clerk.post("/customers", json={**CARD, "name": name}).json()
    assert manager.post(f"/customers/{customer['id']}/approve").status_code == 200

    created = clerk.post(
        f"/customers/{customer['id']}/change-requests",
        json={"discount": "0.80", "credit_limit": "300000.00", "reason": "年度框架协议"},
    )
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]

    # pending: waiting for both sides, as each of them lists it
    assert waiting_ids(market, "market_manager", customer["id"]) == [request_id]
    assert waiting_ids(finance, "finance", customer["id"]) == [request_id]
    listed = clerk.get("/change-requests", params={"customer_id": customer["id"]})
    assert listed.status_code == 200, listed.text
    (item,) = listed.json()["items"]
    assert item["customer_name"] == name and item["requested_by"] == clerk.username
    assert item["changes"]["credit_limit"] == {"old": "200000.00", "new": "300000.00"}
    assert item["reason"] == "年度框架协议" and item["decisions"] == []

    first = market.post(
        f"/change-requests/{request_id}/decision", json={"decision": "approve", "comment": "同意"}
    )
    assert first.status_code == 200, first.text
    assert waiting_ids(market, "market_manager", customer["id"]) == []
    assert waiting_ids(finance, "finance", customer["id"]) == [request_id]
    waiting = {"awaiting": "finance", "customer_id": customer["id"]}
    (item,) = finance.get("/change-requests", params=waiting).json()["items"]
    assert (item["id"], item["status"]) == (request_id, "partially_approved")
    assert [(d["role"], d["by"], d["comment"]) for d in item["decisions"]] == [
        ("market_manager", market.username, "同意")
    ]

    second = finance.post(f"/change-requests/{request_id}/decision", json={"decision": "approve"})
    assert second.status_code == 200, second.text
    assert second.json()["status"] == "applied"
    assert waiting_ids(finance, "finance", customer["id"]) == []
    applied = market.get(
        "/change-requests", params={"status": "applied", "customer_id": customer["id"]}
    ).json()
    assert [i["id"] for i in applied["items"]] == [request_id]
    assert clerk.get(f"/customers/{customer['id']}").json()["credit_limit"] == "300000.00"


def test_the_list_refuses_other_roles_and_bad_filters(as_role):
    assert as_role("cs_agent").get("/change-requests").status_code == 403
    finance = as_role("finance")
    for params, field in (({"awaiting": "vp"}, "awaiting"), ({"per_page": 500}, "per_page")):
        bad = finance.get("/change-requests", params=params)
        assert bad.status_code == 422, bad.text
        assert bad.json()["error"]["code"] == "validation_error"
        assert set(bad.json()["error"]["details"]) == {field}
