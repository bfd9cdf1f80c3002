"""What the end-to-end and fault tests share: the suite supervisor (deploy/suite.py),
a free port, and a logged-in HTTP client of the gateway."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
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


BROWSER_TESTS = REPO / "tests" / "browser"
ARTIFACTS = REPO / "var" / "test-artifacts" / "console"


def run_browser_tests(url: str, shots: Path, tmp_path: Path, *args: str, **settings: str) -> str:
    """The console's browser tests (tests/browser) against the suite at ``url``, in a pytest
    process of their own: under this session's eventlet monkey-patching (root conftest)
    Playwright's driver does not end. ``settings``: CONSOLE_* variables (conftest there).
    Fails with the browser tests' report; answers their output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CONSOLE_"))}
    env.update({"CONSOLE_URL": url, "CONSOLE_ARTIFACTS": str(shots), **settings})
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(BROWSER_TESTS / "pytest.ini"),
        "--rootdir",
        str(BROWSER_TESTS),
        "-q",
        "-rfEs",
        f"--junitxml={tmp_path / 'browser-junit.xml'}",
        *args,
    ]
    done = subprocess.run(
        command, cwd=BROWSER_TESTS, env=env, capture_output=True, text=True, timeout=900
    )
    output = f"{done.stdout[-20000:]}\n{done.stderr[-4000:]}"
    assert done.returncode == 0, f"browser tests failed (screenshots: {shots}):\n{output}"
    assert "passed" in done.stdout and " skipped" not in done.stdout, output
    return done.stdout


@pytest.fixture(scope="session")
def suite_tools() -> SimpleNamespace:
    return SimpleNamespace(
        module=_load_suite_module(),
        free_port=free_port,
        Api=Api,
        login=login,
        new_user=new_user,
        run_browser_tests=run_browser_tests,
        artifacts=ARTIFACTS,
    )
