"""What the tests of one service's endpoints share (test_complaints_api, test_returns_api,
test_finance_api): each of them keeps its own tables (ENDPOINTS, INVALID, SERVICE_ERRORS,
COMMANDS, LISTS, OPERATIONS) and its own tests; a check made over a row of such a table is
written here once.

Imported as ``gateway.tests.matrix``: pytest's importlib mode names the modules of this
folder ``gateway.tests.*`` (the folder is no package and not on sys.path).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

import pytest

from servicekit.contracts.common import ROLES

PAGING = {"page", "per_page"}


# --- canned answers of the fake RPC (conftest.FakeRpc) ----------------------------------
def page_of(item: Any, **extra: Any) -> Callable[..., dict]:
    """A list method's answer: one page holding ``item``, ``extra`` beside the page."""

    def answer(_filters, page, per_page):
        return {"items": [item], "total": 1, "page": page, "per_page": per_page, **extra}

    return answer


def answer_with(rpc, service: str, canned: Mapping[str, Any]):
    """``rpc`` answers each method of ``service`` in ``canned`` with its value."""
    for method, answer in canned.items():
        rpc.answers[(service, method)] = answer
    return rpc


def named(rows: Iterable[tuple]) -> list:
    """Rows ``(id, *values)`` as one parameter each, the tuple of values, with its id."""
    return [pytest.param(row[1:], id=row[0]) for row in rows]


# --- who may do what (CONTRACT "Who may do what") -------------------------------------
class RoleCase(NamedTuple):
    method: str
    path: str
    body: Any
    role: str
    allowed: bool
    rpc_method: str
    status: int


def role_cases(endpoints: Iterable[tuple]) -> list:
    """Every row ``(method, path, body, roles besides admin, RPC method, status)`` of
    ``endpoints`` once per role: allowed for its roles and admin, refused for the others."""
    return [
        pytest.param(
            RoleCase(method, path, body, role, role in allowed or role == "admin", rpc_method,
                     status),
            id=f"{method} {path} as {role}",
        )
        for method, path, body, allowed, rpc_method, status in endpoints
        for role in ROLES
    ]  # fmt: skip


def check_matrix_covers(app, blueprint: str, endpoints: Iterable[tuple], samples: dict) -> None:
    """Every route of ``blueprint`` wants a role and is a row of ``endpoints`` (its path's
    variables given the ``samples`` values; a row's query string aside), and every row is
    a route: a new endpoint must be added to the matrix."""
    covered = {(method, path.partition("?")[0]) for method, path, *_ in endpoints}
    seen = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(f"{blueprint}."):
            continue
        assert getattr(app.view_functions[rule.endpoint], "_required_roles", None), rule.rule
        path = rule.rule
        for name, value in samples.items():
            path = path.replace(f"<{name}>", value)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, path) in covered, f"{method} {path} is not in the role matrix"
            seen.add((method, path))
    assert seen == covered


class Api:
    """One service's endpoints as its tests call them: conftest's test client, fake RPC
    and tokens, and the service the gateway calls for them."""

    def __init__(self, service: str, client, rpc, token_for) -> None:
        self.service = service
        self.client = client
        self.rpc = rpc
        self.token_for = token_for

    def open(self, method: str, path: str, body: Any, role: str, **user: Any):
        headers = self.token_for(role, **user)
        return self.client.open(path, method=method, json=body, headers=headers)

    def check_role(self, case: RoleCase) -> None:
        """Allowed: the row's status after one call of its RPC method; refused: 403
        ``forbidden`` and no call."""
        response = self.open(case.method, case.path, case.body, case.role)
        if case.allowed:
            assert response.status_code == case.status, response.get_json()
            assert self.methods_called() == [(self.service, case.rpc_method)]
        else:
            assert response.status_code == 403, response.get_json()
            assert response.get_json()["error"]["code"] == "forbidden"
            assert self.rpc.calls == []

    def methods_called(self) -> list[tuple[str, str]]:
        return [(c.service, c.method) for c in self.rpc.calls]

    # --- request validation and the service's errors ---------------------------------
    def check_invalid(self, method, path, body, role, fields: set[str]) -> None:
        """422 ``validation_error`` naming exactly ``fields``, and no call."""
        response = self.open(method, path, body, role)
        assert response.status_code == 422, response.get_json()
        error = response.get_json()["error"]
        assert error["code"] == "validation_error"
        assert set(error["details"]) == fields
        assert self.rpc.calls == []

    def check_service_error(
        self, method, path, body, role, rpc_method, raised, status: int, code: str
    ) -> None:
        """The service raises ``raised``: the client gets ``status`` and the error's code,
        message and details as they were raised, after that one call."""
        self.rpc.answers[(self.service, rpc_method)] = raised
        response = self.open(method, path, body, role)
        assert response.status_code == status, response.get_json()
        assert response.get_json() == {
            "error": {"code": code, "message": raised.message, "details": raised.details}
        }
        assert self.methods_called() == [(self.service, rpc_method)]

    # --- what goes over RPC ---------------------------------------------------------
    def check_actor(self, path, body, role, args, username: str, department: str) -> None:
        """A command posted by a user carries that user (name, roles, department) as its
        last argument after ``args`` (not compared when None)."""
        response = self.open("POST", path, body, role, username=username, department=department)
        assert response.status_code in (200, 201, 202), response.get_json()
        *sent, actor = self.rpc.last.args
        assert actor == {"username": username, "roles": [role], "department": department}
        if args is not None:
            assert tuple(sent) == args

    def check_list(self, path, query, filters, page, per_page, role: str) -> None:
        """A list passes its filters, page and page size, and answers that page."""
        response = self.open("GET", f"{path}{query}", None, role)
        assert response.status_code == 200, response.get_json()
        assert self.rpc.last.args == (filters, page, per_page)
        assert response.get_json()["page"] == page and response.get_json()["per_page"] == per_page

    def check_filter_values(self, path, values: Iterable[str], name: str, role: str) -> None:
        """Each contract value is a valid ``name`` filter, passed on as it is."""
        for value in values:
            response = self.open("GET", f"{path}?{name}={value}", None, role)
            assert response.status_code == 200, (value, response.get_json())
            assert self.rpc.last.args[0] == {name: value}

    def check_read(self, path, rpc_method, args, role: str) -> None:
        """A read passes only the ids of its path."""
        response = self.open("GET", path, None, role)
        assert response.status_code == 200
        assert (self.rpc.last.service, self.rpc.last.method, self.rpc.last.args) == (
            self.service,
            rpc_method,
            args,
        )


# --- the OpenAPI document ------------------------------------------------------------
def check_operation(
    spec, path, method, request_schema, status, response_schema, roles=None
) -> None:
    """An operation is described, wants a token (401, 403), documents its answer's schema
    and its body's (with an example and 422) or no body; ``roles``: its x-roles."""
    operation = spec["paths"][path][method]
    assert operation["summary"] and operation["description"]
    if roles is not None:
        assert operation["x-roles"] == sorted(roles)
    assert operation["security"] == [{"bearerAuth": []}]
    assert {"401", "403"} <= set(operation["responses"])
    response = operation["responses"][status]["content"]["application/json"]
    assert response["schema"] == {"$ref": f"#/components/schemas/{response_schema}"}
    assert response_schema in spec["components"]["schemas"]
    if request_schema:
        body = operation["requestBody"]["content"]["application/json"]
        assert body["schema"] == {"$ref": f"#/components/schemas/{request_schema}"}
        assert body.get("example"), "an example payload"
        assert request_schema in spec["components"]["schemas"]
        assert "422" in operation["responses"]
    else:
        assert "requestBody" not in operation


def check_documented_paths(app, spec, blueprint: str, operations: Iterable[tuple]) -> None:
    """The ``(path, method)`` of ``operations`` are exactly the routes of ``blueprint``,
    each in the document."""
    documented = set(operations)
    seen = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{blueprint}."):
            path = rule.rule.replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method.lower()) in documented, f"{method} {path}"
                assert method.lower() in spec["paths"][path]
                seen.add((path, method.lower()))
    assert seen == documented


def query_parameters(spec, path: str) -> dict[str, dict]:
    """The parameters of ``GET path``, by name."""
    return {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}


def check_query_parameters(spec, expected: Mapping[str, set[str]]) -> None:
    """Each paged list takes its filters, page and per_page, all in the query."""
    for path, names in expected.items():
        parameters = query_parameters(spec, path)
        assert names | PAGING <= set(parameters), path
        assert all(p["in"] == "query" for p in parameters.values()), path


def query_enum(spec, path: str, name: str) -> list:
    """The values the query parameter ``name`` of ``GET path`` may take."""
    return query_parameters(spec, path)[name]["schema"]["enum"]


# --- a test module's fixtures and ids ------------------------------------------------
def canned_fixture(service: str, canned: Mapping[str, Any]):
    """An autouse fixture: the fake RPC answers ``service``'s methods with ``canned``
    (``name = canned_fixture(...)`` in a test module)."""

    @pytest.fixture(autouse=True)
    def answers(rpc):
        return answer_with(rpc, service, canned)

    return answers


def api_fixture(service: str):
    """The fixture ``api``: ``service``'s endpoints as :class:`Api` (``api =
    api_fixture(...)`` in a test module)."""

    @pytest.fixture
    def api(client, rpc, token_for):
        return Api(service, client, rpc, token_for)

    return api


def command_ids(commands: Iterable[tuple]) -> list[str]:
    """Ids of ``COMMANDS`` rows ``(path, body, role, args)``."""
    return [f"{path} {role} {body}" for path, body, role, *_ in commands]


def list_ids(lists: Iterable[tuple]) -> list[str]:
    """Ids of ``LISTS`` rows ``(path, query, filters, page, per_page)``."""
    return [f"{path}{query}" for path, query, *_ in lists]
