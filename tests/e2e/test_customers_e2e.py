"""Customer records (card, lifecycle, terms) through the gateway over real HTTP."""

import uuid

import requests

from servicekit.testing import wait_for

CARD = {
    "name": "华东机电有限公司",
    "nature": "distributor",
    "region": "华东",
    "industry": "机械制造",
    "address": "上海市浦东新区张江路 88 号",
    "contacts": [
        {
            "name": "王经理",
            "position": "采购经理",
            "phone": "13800000000",
            "email": "wang@example.cn",
            "role_in_decision": "decision_maker",
        }
    ],
    "license_no": "91310000MA1FL0000X",
    "tax_no": "91310000MA1FL0000X",
    "payment_method": "bank_transfer",
    "settlement_terms": "net_30",
    "discount": "0.85",
    "credit_limit": "200000.00",
    "over_acceptance_ratio": "0.05",
    "pickup": False,
}


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_health_ready_names_nothing_down_when_all_run(suite):
    response = requests.get(suite.url + "/health/ready", timeout=10)
    assert response.status_code == 200, response.text


def test_customer_lifecycle_through_the_gateway(as_role):
    clerk, manager = as_role("sales_clerk"), as_role("sales_manager")
    created = clerk.post("/customers", json=CARD)
    assert created.status_code == 201, created.text
    customer = created.json()
    assert customer["status"] == "pending_approval"
    assert customer["name"] == CARD["name"]  # Chinese text round-trips
    assert customer["contacts"][0]["name"] == "王经理"
    # rule C3: the clerk's terms are a proposal until a manager approves the card
    assert customer["credit_limit"] is None and customer["over_acceptance_ratio"] is None
    assert customer["proposed_terms"]["credit_limit"] == "200000.00"

    approved = manager.post(f"/customers/{customer['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"
    assert approved.json()["credit_limit"] == "200000.00"
    assert approved.json()["over_acceptance_ratio"] in ("0.05", "0.0500")
    assert approved.json()["proposed_terms"] is None

    dormant = manager.post(
        f"/customers/{customer['id']}/status", json={"status": "dormant", "reason": "no orders"}
    )
    assert dormant.json()["status"] == "dormant"
    lost = manager.post(f"/customers/{customer['id']}/status", json={"status": "lost"})
    assert lost.json()["status"] == "lost"
    back = manager.post(f"/customers/{customer['id']}/status", json={"status": "active"})
    assert back.status_code == 200 and back.json()["status"] == "active"  # win-back

    illegal = manager.post(f"/customers/{customer['id']}/approve")
    assert illegal.status_code == 409
    assert error_code(illegal) == "illegal_status_change"


def test_lead_must_be_submitted_before_approval(as_role):
    clerk, manager = as_role("sales_clerk"), as_role("sales_manager")
    lead = clerk.post("/customers", json={**CARD, "status": "lead"}).json()
    assert lead["status"] == "lead"
    assert manager.post(f"/customers/{lead['id']}/approve").status_code == 409
    assert clerk.post(f"/customers/{lead['id']}/submit").json()["status"] == "pending_approval"
    assert manager.post(f"/customers/{lead['id']}/approve").json()["status"] == "active"


def test_two_party_change_request(as_role, admin):
    clerk, manager = as_role("sales_clerk"), as_role("sales_manager")
    market, finance = as_role("market_manager"), as_role("finance")
    customer = clerk.post("/customers", json=CARD).json()
    manager.post(f"/customers/{customer['id']}/approve")

    for terms in ({"discount": "0.80"}, {"over_acceptance_ratio": "0.50"}):
        direct = clerk.patch(f"/customers/{customer['id']}", json=terms)
        assert direct.status_code == 422, direct.text
        assert error_code(direct) == "change_request_required"

    below = clerk.post(
        f"/customers/{customer['id']}/change-requests", json={"discount": "0.60", "reason": "x"}
    )
    assert below.status_code == 422

    request = clerk.post(
        f"/customers/{customer['id']}/change-requests",
        json={
            "discount": "0.80",
            "credit_limit": "300000.00",
            "over_acceptance_ratio": "0.08",
            "reason": "年度框架协议",
        },
    )
    assert request.status_code == 201, request.text
    request_id = request.json()["id"]
    assert request.json()["status"] == "pending"

    assert (
        clerk.post(
            f"/change-requests/{request_id}/decision", json={"decision": "approve"}
        ).status_code
        == 403
    )
    first = market.post(f"/change-requests/{request_id}/decision", json={"decision": "approve"})
    assert first.json()["status"] == "partially_approved"
    assert clerk.get(f"/customers/{customer['id']}").json()["discount"] in ("0.85", "0.8500")

    second = finance.post(f"/change-requests/{request_id}/decision", json={"decision": "approve"})
    assert second.status_code == 200, second.text
    assert second.json()["status"] == "applied"
    after = clerk.get(f"/customers/{customer['id']}").json()
    assert after["credit_limit"] == "300000.00"
    assert after["over_acceptance_ratio"] in ("0.08", "0.0800")

    audit = admin.get(f"/customers/{customer['id']}/audit")
    assert audit.status_code == 200, audit.text
    assert clerk.get(f"/customers/{customer['id']}/audit").status_code == 403


def test_a_new_cards_terms_take_effect_with_its_approval(as_role, admin):  # rule C3
    clerk, manager = as_role("sales_clerk"), as_role("sales_manager")
    customer = clerk.post("/customers", json={**CARD, "credit_limit": "9000000.00"}).json()
    early = clerk.post(
        f"/customers/{customer['id']}/change-requests",
        json={"credit_limit": "1.00", "reason": "x"},
    )
    assert early.status_code == 409 and error_code(early) == "terms_not_in_effect"
    assert clerk.get(f"/customers/{customer['id']}").json()["credit_limit"] is None
    manager.post(f"/customers/{customer['id']}/approve")
    audit = admin.get(f"/customers/{customer['id']}/audit").json()
    (approval,) = [e for e in audit if e["action"] == "approved"]
    assert approval["who"] == manager.username
    assert approval["changes"]["credit_limit"] == {"old": None, "new": "9000000.00"}


def test_direct_change_is_audited_with_who_and_old_new(as_role):
    clerk, cs_manager = as_role("sales_clerk"), as_role("cs_manager")
    customer = clerk.post("/customers", json=CARD).json()
    clerk.patch(f"/customers/{customer['id']}", json={"address": "苏州工业园区星湖街 1 号"})
    entries = cs_manager.get(f"/customers/{customer['id']}/audit").json()
    entry = entries[-1]
    assert entry["who"] == clerk.username
    assert entry["changes"]["address"] == {
        "old": CARD["address"],
        "new": "苏州工业园区星湖街 1 号",
    }


def test_error_shapes(suite, as_role):
    clerk = as_role("sales_clerk")
    quality = as_role("quality")
    assert requests.get(suite.url + "/api/v1/customers", timeout=10).status_code == 401
    assert quality.post("/customers", json=CARD).status_code == 403
    missing = clerk.get("/customers/does-not-exist")
    assert missing.status_code == 404
    assert error_code(missing) == "customer_not_found"
    invalid = clerk.post("/customers", json={**CARD, "nature": "alien", "name": ""})
    assert invalid.status_code == 422
    assert {"nature", "name"} <= set(invalid.json()["error"]["details"])
    malformed = clerk.request(
        "POST", "/customers", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert "Traceback" not in malformed.text


def test_list_is_paged_and_filtered(as_role):
    clerk = as_role("sales_clerk")
    tag = uuid.uuid4().hex[:6]
    for i in range(3):
        clerk.post("/customers", json={**CARD, "name": f"分页客户{tag}-{i}"})
    page = clerk.get("/customers", params={"q": tag, "per_page": 2, "page": 1}).json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["per_page"] == 2
    assert clerk.get("/customers", params={"per_page": 201}).status_code == 422


def test_request_id_follows_the_call_into_the_service_log(suite, as_role):
    clerk = as_role("sales_clerk")
    request_id = uuid.uuid4().hex
    created = clerk.post("/customers", json=CARD, headers={"X-Request-ID": request_id})
    assert created.headers.get("X-Request-ID") == request_id
    for process in ("gateway", "customer"):  # the access log and the service's log
        log = suite.log_dir / f"{process}.log"
        wait_for(lambda log=log: request_id in log.read_text(errors="replace"), timeout=10)


def test_every_log_line_is_a_json_object_naming_its_service(suite, as_role):
    import json

    as_role("sales_clerk").get("/customers")
    for log in sorted(suite.log_dir.glob("*.log")):
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
        assert lines, log
        for line in lines:
            entry = json.loads(line)  # fails on a plain-text line
            assert entry["level"] and entry["ts"], line
            assert entry["service"] == log.stem.split(".")[0], line
