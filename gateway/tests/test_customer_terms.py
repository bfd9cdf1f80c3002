"""Who may touch a customer's terms through the gateway (rules C3, C4): the
over-acceptance ratio goes through change requests like discount and credit limit, and a
card not approved yet shows its terms as proposed, never as in effect."""

import pytest

from servicekit.contracts.common import ROLES
from servicekit.contracts.customer import ChangeRequestRequired, TermsNotInEffect

CLERKS = ("sales_clerk", "sales_manager")
PENDING = {
    "id": "c-2",
    "name": "广州恒达电器贸易有限公司",
    "nature": "distributor",
    "contacts": [],
    "payment_method": "bank_transfer",
    "settlement_terms": None,
    "discount": None,
    "credit_limit": None,
    "over_acceptance_ratio": None,
    "proposed_terms": {
        "discount": "0.85",
        "settlement_terms": "net_30",
        "credit_limit": "200000.00",
        "over_acceptance_ratio": "0.05",
    },
    "owner": "li.sales",
    "pickup": False,
    "status": "pending_approval",
    "key_account": False,
    "created_at": "2026-01-05T08:00:00+00:00",
    "updated_at": "2026-01-05T08:00:00+00:00",
    "approved_at": None,
    "approved_by": None,
}


def test_patching_the_ratio_answers_change_request_required(client, rpc, token_for):  # rule C4
    rpc.answers[("customer", "update_customer")] = ChangeRequestRequired(
        details={"over_acceptance_ratio": ["change through a change request"]}
    )
    response = client.patch(
        "/api/v1/customers/c-1",
        json={"over_acceptance_ratio": "0.50"},
        headers=token_for("sales_clerk"),
    )
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "change_request_required"
    assert "over_acceptance_ratio" in error["details"]
    # the field reaches the service, which owns the rule; it is not silently dropped
    assert rpc.last.method == "update_customer"
    assert rpc.last.args[1] == {"over_acceptance_ratio": "0.50"}


@pytest.mark.parametrize("role", ROLES)
def test_a_ratio_change_request_is_filed_by_sales(client, rpc, token_for, role):  # rule C4
    response = client.post(
        "/api/v1/customers/c-1/change-requests",
        json={"over_acceptance_ratio": "0.1", "reason": "散装货物损耗大"},
        headers=token_for(role),
    )
    if role in CLERKS or role == "admin":
        assert response.status_code == 201, response.get_json()
        assert rpc.last.method == "request_change"
        assert rpc.last.args[1] == {"over_acceptance_ratio": "0.1", "reason": "散装货物损耗大"}
    else:
        assert response.status_code == 403
        assert rpc.calls == []


def test_a_ratio_can_be_reset_to_the_company_default_by_request(client, rpc, token_for):
    response = client.post(
        "/api/v1/customers/c-1/change-requests",
        json={"over_acceptance_ratio": None, "reason": "按公司默认"},
        headers=token_for("sales_clerk"),
    )
    assert response.status_code == 201, response.get_json()
    assert rpc.last.args[1]["over_acceptance_ratio"] is None


@pytest.mark.parametrize("ratio", ["-0.01", "1.01", "abc"])
def test_a_ratio_outside_zero_to_one_is_refused_before_any_call(client, rpc, token_for, ratio):
    response = client.post(
        "/api/v1/customers/c-1/change-requests",
        json={"over_acceptance_ratio": ratio, "reason": "r"},
        headers=token_for("sales_clerk"),
    )
    assert response.status_code == 422
    assert "over_acceptance_ratio" in response.get_json()["error"]["details"]
    assert rpc.calls == []


def test_a_change_request_on_a_card_not_approved_is_a_conflict(client, rpc, token_for):  # C3
    rpc.answers[("customer", "request_change")] = TermsNotInEffect(
        details={"status": "pending_approval"}
    )
    response = client.post(
        "/api/v1/customers/c-2/change-requests",
        json={"credit_limit": "1.00", "reason": "r"},
        headers=token_for("sales_clerk"),
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "terms_not_in_effect"


def test_a_pending_card_shows_proposed_terms_and_none_in_effect(client, rpc, token_for):  # C3
    rpc.answers[("customer", "get_customer")] = PENDING
    card = client.get("/api/v1/customers/c-2", headers=token_for("finance")).get_json()
    assert card["credit_limit"] is None and card["over_acceptance_ratio"] is None
    assert card["discount"] is None and card["settlement_terms"] is None
    assert card["proposed_terms"]["credit_limit"] == "200000.00"
    assert card["proposed_terms"]["over_acceptance_ratio"] == "0.05"


def test_the_openapi_document_tells_proposed_from_effective_terms(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    customer = schemas["Customer"]["properties"]
    assert "proposed_terms" in customer
    assert "proposed_terms" in customer["credit_limit"]["description"]
    assert "over_acceptance_ratio" in schemas["ChangeRequestCreate"]["properties"]
