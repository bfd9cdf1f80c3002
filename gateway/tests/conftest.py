"""The gateway with a fake RPC client: no broker, a temporary data dir per test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles

from gateway.app import create_app
from gateway.auth import passwords, tokens

ADMIN_PASSWORD = "admin-test-password"

CUSTOMER = {
    "id": "c-1",
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
    "discount": "0.8500",
    "credit_limit": "200000.00",
    "over_acceptance_ratio": "0.0500",
    "owner": "li.sales",
    "pickup": False,
    "status": "pending_approval",
    "grade": None,
    "risk": None,
    "key_account": False,
    "created_at": "2026-01-05T08:00:00+00:00",
    "updated_at": "2026-01-05T08:00:00+00:00",
    "approved_at": None,
    "approved_by": None,
}

CHANGE_REQUEST = {
    "id": "cr-1",
    "customer_id": "c-1",
    "changes": {"discount": {"old": "0.85", "new": "0.80"}},
    "reason": "年度框架协议",
    "status": "pending",
    "requested_by": "clerk",
    "requested_at": "2026-01-05T08:00:00+00:00",
    "decisions": [],
    "decided_at": None,
}

AUDIT = [
    {
        "at": "2026-01-05T08:00:00+00:00",
        "who": "clerk",
        "action": "created",
        "changes": {"name": {"old": None, "new": "华东机电有限公司"}},
    }
]


def canned_customer_answer(method: str, args: tuple) -> Any:
    if method == "list_customers":
        _filters, page, per_page, *_actor = args
        return {"items": [CUSTOMER], "total": 1, "page": page, "per_page": per_page}
    if method in ("request_change", "decide_change_request", "get_change_request"):
        return CHANGE_REQUEST
    if method == "list_change_requests":
        return [CHANGE_REQUEST]
    if method == "get_audit":
        return AUDIT
    if method == "customer_names":
        return [{"id": args[0][0], "name": CUSTOMER["name"]}]
    return CUSTOMER


@dataclass
class Call:
    service: str
    method: str
    args: tuple
    kwargs: dict
    request_id: str | None
    idempotency_key: str | None = None


@dataclass
class FakeRpc:
    """Records every call; answers from ``answers[(service, method)]`` (a value, an
    exception to raise, or a callable of the args), else canned customer dicts."""

    calls: list[Call] = field(default_factory=list)
    answers: dict[tuple[str, str], Any] = field(default_factory=dict)

    def call(
        self,
        service: str,
        method: str,
        *args: Any,
        request_id=None,
        idempotency_key=None,
        **kwargs: Any,
    ) -> Any:
        """As ``servicekit.rpc_client.RpcPool.call``: ``idempotency_key`` travels as
        context, not as an argument of the method."""
        self.calls.append(Call(service, method, args, kwargs, request_id, idempotency_key))
        answer = self.answers.get((service, method), self._default)
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            return answer(*args, **kwargs)
        return answer

    def _default(self, *args: Any, **_kwargs: Any) -> Any:
        call = self.calls[-1]
        if call.method == "health":
            return {"service": call.service, "status": "ok"}
        return canned_customer_answer(call.method, args)

    @property
    def last(self) -> Call:
        return self.calls[-1]


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """argon2's production cost is ~0.1 s a hash; tests do hundreds."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))


@pytest.fixture
def rpc() -> FakeRpc:
    return FakeRpc()


@pytest.fixture
def make_app(tmp_path, rpc) -> Callable[..., Any]:
    """``make_app(**config)``: a gateway on ``tmp_path`` with the fake RPC."""

    def make(**overrides: Any):
        fake = overrides.pop("rpc", rpc)
        config = {
            "DATA_DIR": tmp_path,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "JWT_SECRET": None,
            "TESTING": True,
        }
        config.update(overrides)
        return create_app(config, rpc=fake)

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token_for(app) -> Callable[..., dict[str, str]]:
    """``token_for("sales_clerk", department=...)`` -> Authorization header of a
    token signed like the gateway's own, for a user with these roles (created, or
    given these roles, in the gateway's database: roles are looked up per request)."""

    def make(*roles: str, username: str | None = None, department: str | None = None):
        state = app.extensions["gateway"]
        name = username or ("_".join(roles) or "nobody")
        user = state.store.find_user(name)
        if user is None:
            user = state.store.add_user(name, "not-a-hash", list(roles), department, None)
        elif sorted(user.roles) != sorted(roles) or user.department != department:
            user = state.store.update_user(user.id, roles=list(roles), department=department)
        token, _ = tokens.issue(
            state.jwt_secret, name, list(roles), department, 5, version=user.token_version
        )
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def admin_headers(client) -> dict[str, str]:
    response = client.post("/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


@pytest.fixture
def customer() -> dict:
    return dict(CUSTOMER)
