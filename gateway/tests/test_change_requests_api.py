"""Every customer's change requests (``GET /api/v1/change-requests``, rule C4; the console's
"my approvals") with a fake RPC client: who may read them, bad filters and pages as 422 in
the contract's error shape reaching no service, what goes over RPC, the page passed through
as the service dumped it, and the OpenAPI document."""

import pytest

from gateway.tests.matrix import (
    api_fixture,
    canned_fixture,
    check_operation,
    check_query_parameters,
    list_ids,
    named,
    page_of,
    query_enum,
    role_cases,
)
from servicekit.contracts.customer import CHANGE_REQUEST_SIDES, CHANGE_REQUEST_STATUSES

AT = "2026-11-20T06:00:00+00:00"
URL = "/api/v1/change-requests"

LISTED = {
    "id": "cr-1", "customer_id": "c-1", "customer_name": "华东机电有限公司",
    "changes": {"discount": {"old": "0.8500", "new": "0.80"}}, "reason": "年度框架协议",
    "status": "partially_approved", "requested_by": "li.na", "requested_at": AT,
    "decisions": [{"role": "market_manager", "by": "chen.jing", "decision": "approve",
                   "comment": "同意", "at": AT}],
    "decided_at": None,
}  # fmt: skip

answers = canned_fixture("customer", {"list_all_change_requests": page_of(LISTED)})
api = api_fixture("customer")

READERS = ("sales_clerk", "sales_manager", "market_manager", "finance")

# (method, path, body, roles besides admin, RPC method, status)
ENDPOINTS = [
    ("GET", URL, None, READERS, "list_all_change_requests", 200),
    ("GET", f"{URL}?awaiting=finance&status=pending&customer_id=c-1", None, READERS,
     "list_all_change_requests", 200),
]  # fmt: skip


@pytest.mark.parametrize("case", role_cases(ENDPOINTS))
def test_role_matrix(api, case):
    api.check_role(case)


MM = "market_manager"
INVALID = [
    ("awaiting a role that does not decide", "GET", f"{URL}?awaiting=vp", None, MM, {"awaiting"}),
    ("awaiting empty", "GET", f"{URL}?awaiting=", None, MM, {"awaiting"}),
    ("an unknown status", "GET", f"{URL}?status=open", None, MM, {"status"}),
    ("an empty customer id", "GET", f"{URL}?customer_id=", None, MM, {"customer_id"}),
    ("per_page 201", "GET", f"{URL}?per_page=201", None, MM, {"per_page"}),
    ("page 0", "GET", f"{URL}?page=0", None, MM, {"page"}),
    ("page not a number", "GET", f"{URL}?page=two", None, MM, {"page"}),
    ("page past 100,000", "GET", f"{URL}?page=100001", None, MM, {"page"}),
]  # fmt: skip


@pytest.mark.parametrize("case", named(INVALID))
def test_bad_filters_and_pages_are_422_and_reach_no_service(api, case):
    api.check_invalid(*case)


LISTS = [
    (URL, "?awaiting=market_manager&status=pending&customer_id=c-1&page=2&per_page=10",
     {"awaiting": "market_manager", "status": "pending", "customer_id": "c-1"}, 2, 10),
    (URL, "", {}, 1, 50),
    (URL, "?unknown=ignored", {}, 1, 50),
]  # fmt: skip


@pytest.mark.parametrize("path, query, filters, page, per_page", LISTS, ids=list_ids(LISTS))
def test_the_list_passes_filters_and_paging(api, path, query, filters, page, per_page):
    api.check_list(path, query, filters, page, per_page, role="finance")


def test_every_status_and_side_is_a_valid_filter(api):
    api.check_filter_values(URL, CHANGE_REQUEST_STATUSES, "status", role="sales_clerk")
    api.check_filter_values(URL, CHANGE_REQUEST_SIDES, "awaiting", role="sales_clerk")


def test_the_page_is_answered_as_the_service_dumped_it(client, token_for):
    response = client.get(f"{URL}?awaiting=finance", headers=token_for("finance"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"items": [LISTED], "total": 1, "page": 1, "per_page": 50}


# --- OpenAPI ----------------------------------------------------------------------
@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_openapi_documents_the_list_with_its_roles(spec):
    check_operation(spec, URL, "get", None, "200", "ChangeRequestPage", READERS)
    check_query_parameters(spec, {URL: {"status", "customer_id", "awaiting"}})
    assert query_enum(spec, URL, "status") == list(CHANGE_REQUEST_STATUSES)
    assert query_enum(spec, URL, "awaiting") == list(CHANGE_REQUEST_SIDES)
    item = spec["components"]["schemas"]["ChangeRequestListItem"]
    assert {"customer_name", "changes", "decisions", "requested_by"} <= set(item["required"])


def test_openapi_names_the_decision_path_the_console_checks(spec):
    # the console shows its change-request section to whom may POST here
    operation = spec["paths"][f"{URL}/{{request_id}}/decision"]["post"]
    assert operation["x-roles"] == sorted(("market_manager", "finance"))
