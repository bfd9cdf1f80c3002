"""Who may touch a customer's terms through the gateway (rule C4; rule C3 for a card not
approved yet): the over-acceptance ratio goes through change requests like discount and
credit limit, the service's refusals reach the client, and the contract documents a
card's proposed terms apart from those in effect."""

import pytest

from servicekit.contracts.common import ROLES
from servicekit.contracts.customer import ChangeRequestRequired, TermsNotInEffect

CLERKS = ("sales_clerk", "sales_manager")


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


def test_a_change_request_on_a_card_not_approved_is_a_conflict(client, rpc, token_for):  # rule C3
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


def test_the_openapi_document_tells_proposed_from_effective_terms(client):  # rule C3
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    customer = schemas["Customer"]["properties"]
    assert "proposed_terms" in customer
    assert "proposed_terms" in customer["credit_limit"]["description"]
    assert "over_acceptance_ratio" in schemas["ChangeRequestCreate"]["properties"]
