"""A logged-in HTTP client of the gateway, as the end-to-end, fault and browser tests use it.

A plain module (no pytest fixtures) so that the browser tests, which run in a pytest process
of their own (tests/browser), share it with the tests that run under eventlet."""

from __future__ import annotations

import uuid

import requests


class Api:
    """A logged-in HTTP client of the gateway."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.session = requests.Session()
        self.username: str | None = None
        self.password: str | None = None
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        if path.startswith(("/auth", "/users", "/api-keys", "/health", "/metrics")):
            return self.base + path
        return self.base + "/api/v1" + path

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 15)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def login(base: str, username: str, password: str) -> str:
    response = requests.post(
        f"{base}/auth/token", json={"username": username, "password": password}, timeout=15
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def new_user(
    admin: Api, *roles: str, department: str | None = None, password: str | None = None
) -> Api:
    """A fresh user with these roles, created by ``admin`` and logged in (``.username`` set;
    ``.password`` too, for a browser's sign-in form)."""
    username = f"{'_'.join(roles)}_{uuid.uuid4().hex[:6]}"
    password = password or uuid.uuid4().hex
    created = admin.post(
        "/users",
        json={
            "username": username,
            "password": password,
            "roles": list(roles),
            "department": department or roles[0],
        },
    )
    assert created.status_code == 201, created.text
    api = Api(admin.base, login(admin.base, username, password))
    api.username = username
    api.password = password
    return api


CARD = {
    "nature": "distributor",
    "region": "华东",
    "settlement_terms": "net_30",
    "discount": "0.90",
    "credit_limit": "50000.00",
    "over_acceptance_ratio": "0.05",
}


def active_customer(as_role, name: str = "苏州工业园区机电") -> tuple[str, str]:
    """A customer filed by a sales clerk and approved by a sales manager (``as_role(role)``
    gives each's Api): ``(id, name)``, the name made unique."""
    name = f"{name}{uuid.uuid4().hex[:4]}"
    card = as_role("sales_clerk").post("/customers", json={**CARD, "name": name})
    assert card.status_code == 201, card.text
    approved = as_role("sales_manager").post(f"/customers/{card.json()['id']}/approve")
    assert approved.json()["status"] == "active", approved.text
    return card.json()["id"], name
