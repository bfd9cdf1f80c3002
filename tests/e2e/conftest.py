"""Every service and the gateway as processes, on a broker vhost of their own.

One suite per test session; tests talk HTTP to it like a client would.
"""

from __future__ import annotations

import importlib.util
import socket
import uuid
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]


def _load_suite_module():
    spec = importlib.util.spec_from_file_location("aftersales_suite", REPO / "deploy" / "suite.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


suite_module = _load_suite_module()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ADMIN_PASSWORD = "e2e-" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def suite(tmp_path_factory):
    with suite_module.temporary_vhost() as amqp_uri:
        data_dir = tmp_path_factory.mktemp("suite")
        the_suite = suite_module.Suite(
            data_dir,
            gateway_port=free_port(),
            amqp_uri=amqp_uri,
            env_overrides={
                "AFTERSALES_ADMIN_PASSWORD": ADMIN_PASSWORD,
                "OUTBOX_POLL_SECONDS": "0.2",
                "RPC_TIMEOUT": "5",
                "LOG_LEVEL": "INFO",
            },
        )
        with the_suite:
            yield the_suite


class Api:
    """A logged-in HTTP client of the gateway."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.session = requests.Session()
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


@pytest.fixture(scope="session")
def admin(suite) -> Api:
    return Api(suite.url, login(suite.url, "admin", ADMIN_PASSWORD))


@pytest.fixture(scope="session")
def as_role(suite, admin):
    """``as_role("sales_clerk")`` -> an Api logged in as a fresh user with that role."""
    cache: dict[str, Api] = {}

    def make(*roles: str, department: str | None = None) -> Api:
        key = ",".join(roles) + f"@{department}"
        if key not in cache:
            username = f"{'_'.join(roles)}_{uuid.uuid4().hex[:6]}"
            password = uuid.uuid4().hex
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
            cache[key] = Api(suite.url, login(suite.url, username, password))
            cache[key].username = username
        return cache[key]

    return make
