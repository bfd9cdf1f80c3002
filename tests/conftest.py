"""What the end-to-end and fault tests share: the suite supervisor (deploy/suite.py),
a free port, and a logged-in HTTP client of the gateway."""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from gateway_client import Api, login, new_user  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

# The browser tests run in a pytest process of their own, without eventlet
# (tests/e2e/test_console_e2e.py starts it; tests/browser/pytest.ini).
collect_ignore = ["browser"]


def _load_suite_module():
    spec = importlib.util.spec_from_file_location("aftersales_suite", REPO / "deploy" / "suite.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def suite_tools() -> SimpleNamespace:
    return SimpleNamespace(
        module=_load_suite_module(), free_port=free_port, Api=Api, login=login, new_user=new_user
    )
