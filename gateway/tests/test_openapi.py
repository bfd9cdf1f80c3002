"""GET /api/v1/openapi.json: every endpoint, generated from the validating schemas."""

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def openapi_path(rule: str) -> str:
    return rule.replace("<", "{").replace(">", "}")


def test_document_is_openapi_3_and_needs_no_token(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"]


def test_every_route_is_documented_with_its_methods(app, spec):
    for rule in app.url_map.iter_rules():
        # the API docs themselves, and the console's pages and static files (not an API)
        if rule.endpoint.startswith(("api-docs.", "console.")):
            continue
        path = openapi_path(rule.rule)
        assert path in spec["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in spec["paths"][path], f"{method} {path}"


REQUEST_BODIES = {
    ("/auth/token", "post"): "TokenRequest",
    ("/users", "post"): "CreateUser",
    ("/api-keys", "post"): "CreateApiKey",
    ("/api/v1/customers", "post"): "CreateCustomer",
    ("/api/v1/customers/{customer_id}", "patch"): "UpdateCustomer",
    ("/api/v1/customers/{customer_id}/status", "post"): "ChangeStatus",
    ("/api/v1/customers/{customer_id}/change-requests", "post"): "ChangeRequestCreate",
    ("/api/v1/change-requests/{request_id}/decision", "post"): "Decision",
}


@pytest.mark.parametrize("path, method, schema", [(*k, v) for k, v in REQUEST_BODIES.items()])
def test_request_bodies_reference_the_contract_schemas(spec, path, method, schema):
    body = spec["paths"][path][method]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": f"#/components/schemas/{schema}"}
    assert body.get("example"), "an example payload"
    assert schema in spec["components"]["schemas"]


def test_contract_schema_fields_are_in_the_document(spec):
    create = spec["components"]["schemas"]["CreateCustomer"]
    assert {"name", "nature", "discount", "credit_limit", "contacts"} <= set(create["properties"])
    assert set(create["required"]) >= {"name", "nature"}
    assert create["properties"]["nature"]["enum"] == ["distributor", "agent", "end_user"]


def test_list_endpoints_document_page_and_filter_parameters(spec):
    params = {p["name"] for p in spec["paths"]["/api/v1/customers"]["get"]["parameters"]}
    assert {"page", "per_page", "q", "status", "grade", "nature", "region", "risk"} <= params
    assert {"key_account"} <= params


def test_bearer_security_on_guarded_operations_only(spec):
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    public = {("/auth/token", "post"), ("/health/live", "get"), ("/health/ready", "get"),
              ("/metrics", "get"), ("/api/v1/auth/token", "post")}  # fmt: skip
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            if (path, method) in public:
                assert "security" not in operation, f"{method} {path}"
            else:
                assert operation["security"] == [{"bearerAuth": []}], f"{method} {path}"
                assert operation["x-roles"], f"{method} {path}"
                assert "403" in operation["responses"]


def test_every_operation_has_a_summary(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method != "parameters":
                summary = operation.get("summary") or ""
                assert summary and "\n" not in summary, f"{method} {path}"


def test_errors_are_documented_with_the_error_shape(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["properties"]["error"] == {"$ref": "#/components/schemas/ErrorBody"}


def test_document_is_valid_openapi_3(spec):
    """Checked by openapi-spec-validator: a fuzzer or client generator can trust it."""
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in OpenAPIV30SpecValidator(spec).iter_errors()
    ]
    assert errors == []


def test_decimal_bounds_are_numbers(spec):
    schemas = spec["components"]["schemas"]
    discount = schemas["ChangeRequestCreate"]["properties"]["discount"]
    assert (discount["type"], discount["minimum"], discount["maximum"]) == ("string", 0, 1)
    share = schemas["Responsibility"]["properties"]["share"]
    assert (share["minimum"], share["exclusiveMinimum"], share["maximum"]) == (0, True, 1)
    assert schemas["Line"]["properties"]["unit_price"]["minimum"] == 0


def arrays_in(schema: dict, spec: dict, path: str, seen: frozenset = frozenset()):
    """Every array schema reachable from ``schema`` (following $ref), with its path."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen, schema = seen | {name}, spec["components"]["schemas"][name]
    if schema.get("type") == "array":
        yield path, schema
        yield from arrays_in(schema.get("items", {}), spec, f"{path}[]", seen)
    for name, prop in schema.get("properties", {}).items():
        yield from arrays_in(prop, spec, f"{path}.{name}", seen)


def test_every_list_in_a_request_body_takes_at_most_500_items(spec):
    """CONTRACT "HTTP conventions": a list inside a body has at most 500 items (422)."""
    arrays = [
        (f"{method} {path}{where}", array)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
        for media in operation["requestBody"]["content"].values()
        for where, array in arrays_in(media["schema"], spec, "")
    ]
    assert any(where == "post /api/v1/complaints.lines" for where, _ in arrays)
    assert [w for w, array in arrays if not 0 < array.get("maxItems", 10**9) <= 500] == []


def test_page_is_bounded_wherever_lists_are_paged(spec):
    paged = [
        (path, parameter["schema"])
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method != "parameters"
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "page"
    ]
    assert len(paged) >= 5
    assert all((s["minimum"], s["maximum"]) == (1, 100_000) for _, s in paged), paged


def test_error_answers_are_documented_once_for_every_view(spec):
    """gateway.blueprint documents 404 for a path naming a thing, 409 for a command on
    one, 413 for a body; each with the error shape."""
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/") or path.endswith("openapi.json"):
            continue
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation.get("responses", {})
            if "{" in path:
                assert "404" in responses, f"{method} {path}"
            if method in ("post", "put", "patch"):
                assert "413" in responses, f"{method} {path}"
            if method in ("post", "patch", "delete") and "{" in path:
                assert "409" in responses, f"{method} {path}"
    too_large = spec["components"]["responses"]["REQUEST_ENTITY_TOO_LARGE"]
    assert too_large["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_no_two_schemas_share_a_name(make_app):
    # apispec renames a second schema of the same name ("FollowUp1") with only a warning:
    # clients then get a schema whose name says nothing. Two contract schemas named
    # FollowUp and ProductSales did so.
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Multiple schemas resolved")
        response = make_app().test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    names = response.get_json()["components"]["schemas"]
    assert not [name for name in names if name[-1].isdigit()], sorted(names)
