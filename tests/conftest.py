"""What the end-to-end and fault tests share: the suite supervisor (deploy/suite.py),
a free port, and a logged-in HTTP client of the gateway."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

REPO = Path(__file__).resolve().parents[1]


def _load_suite_module():
    spec = importlib.util.spec_from_file_location("aftersales_suite", REPO / "deploy" / "suite.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Api:
    """A logged-in HTTP client of the gateway."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.session = requests.Session()
        self.username: str | None = None
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
def suite_tools() -> SimpleNamespace:
    return SimpleNamespace(module=_load_suite_module(), free_port=free_port, Api=Api, login=login)
