"""Lists: ?page=&per_page= (default 1/50, per_page at most 200) -> items/total/page/per_page."""

import pytest


@pytest.mark.parametrize(
    "query, page, per_page",
    [("", 1, 50), ("?page=3", 3, 50), ("?per_page=1", 1, 1), ("?per_page=200&page=2", 2, 200)],
)
def test_valid_page_args_are_passed_to_the_service(client, rpc, token_for, query, page, per_page):
    response = client.get(f"/api/v1/customers{query}", headers=token_for("cs_agent"))
    assert response.status_code == 200
    assert rpc.last.args[1:3] == (page, per_page)


@pytest.mark.parametrize(
    "query, field",
    [
        ("?per_page=201", "per_page"),
        ("?per_page=0", "per_page"),
        ("?per_page=-5", "per_page"),
        ("?page=0", "page"),
        ("?page=two", "page"),
        ("?per_page=1e3", "per_page"),
    ],
)
def test_out_of_bounds_page_args_are_422(client, rpc, token_for, query, field):
    response = client.get(f"/api/v1/customers{query}", headers=token_for("cs_agent"))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"
    assert field in response.get_json()["error"]["details"]
    assert rpc.calls == []


@pytest.mark.parametrize("path", ["/users", "/api-keys"])
def test_identity_lists_are_bounded_too(client, admin_headers, path):
    assert client.get(f"{path}?per_page=201", headers=admin_headers).status_code == 422
    assert client.get(f"{path}?per_page=200", headers=admin_headers).status_code == 200


def test_the_services_page_passes_through(client, rpc, token_for, customer):
    """The service dumped the page with the documented schema; the gateway adds nothing
    and drops nothing (a re-dump would drop the field the schema does not name)."""
    page = {"items": [customer], "total": 1, "page": 1, "per_page": 50, "next_cursor": "c-2"}
    rpc.answers[("customer", "list_customers")] = page
    body = client.get("/api/v1/customers", headers=token_for("cs_agent")).get_json()
    assert body == page
