"""GET /api/v1/customer-names?ids=a,b,c: customers' company names by id for every signed-in
role (business data, not personal: rule C11), 1 to 100 ids, 422 otherwise."""

import pytest

PATH = "/api/v1/customer-names"


@pytest.mark.parametrize("role", ["warehouse", "finance", "quality", "vp"])
def test_any_role_gets_the_names_of_the_ids_passed_once_each(client, rpc, token_for, role):
    rpc.answers[("customer", "customer_names")] = [{"id": "c-2", "name": "华东机电有限公司"}]
    response = client.get(f"{PATH}?ids=c-2,c-1, c-2", headers=token_for(role))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == [{"id": "c-2", "name": "华东机电有限公司"}]
    assert (rpc.last.service, rpc.last.method, rpc.last.args) == (
        "customer",
        "customer_names",
        (["c-2", "c-1"],),
    )


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("", id="no ids"),
        pytest.param("?ids=", id="empty"),
        pytest.param("?ids=,,", id="only commas"),
        pytest.param("?ids=" + ",".join(f"c-{n}" for n in range(101)), id="101 ids"),
        pytest.param("?ids=" + "x" * 65, id="an id too long"),
    ],
)
def test_none_or_more_than_a_hundred_ids_are_422_before_any_call(client, rpc, token_for, query):
    response = client.get(f"{PATH}{query}", headers=token_for("warehouse"))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and error["message"]
    assert set(error["details"]) == {"ids"}
    assert rpc.calls == []


def test_a_hundred_ids_repeats_counted_once_are_fine(client, rpc, token_for):
    ids = [f"c-{n}" for n in range(100)]
    response = client.get(f"{PATH}?ids={','.join(ids + ids[:5])}", headers=token_for("cs_agent"))
    assert response.status_code == 200, response.get_json()
    assert rpc.last.args == (ids,)


def test_no_token_is_401(client, rpc):
    assert client.get(f"{PATH}?ids=c-1").status_code == 401
    assert rpc.calls == []


def test_documented_for_every_signed_in_role_with_its_parameter(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"][PATH]["get"]
    assert operation["summary"] and "every" in operation["description"]
    assert operation["x-roles"] == ["authenticated"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert {"401", "403", "422"} <= set(operation["responses"])


def test_the_answer_is_an_array_of_id_and_name(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"][PATH]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/CustomerName"}}
    (ids,) = [p for p in operation["parameters"] if p["name"] == "ids"]
    assert ids["required"] and ids["in"] == "query"
    assert set(spec["components"]["schemas"]["CustomerName"]["required"]) == {"id", "name"}
