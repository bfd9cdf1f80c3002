"""The console's browser tests (tests/browser) against this session's suite.

They run in a pytest process of their own: this session has eventlet's monkey-patching
(root conftest), under which Playwright's driver does not end. The browser process gets
the suite's gateway and admin password; its screenshots go to
var/test-artifacts/console/<suite>/ and its report is printed here when it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BROWSER_TESTS = REPO / "tests" / "browser"
ARTIFACTS = REPO / "var" / "test-artifacts" / "console"


def test_the_console_in_a_real_browser(suite, admin_password, tmp_path):
    shots = ARTIFACTS / Path(suite.data_dir).name
    report = tmp_path / "browser-junit.xml"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
        "CONSOLE_URL": suite.url,
        "CONSOLE_ADMIN_PASSWORD": admin_password,
        "CONSOLE_ARTIFACTS": str(shots),
    }
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
        f"--junitxml={report}",
        str(BROWSER_TESTS),
    ]
    done = subprocess.run(
        command, cwd=BROWSER_TESTS, env=env, capture_output=True, text=True, timeout=900
    )
    print(done.stdout[-4000:])
    output = f"{done.stdout[-20000:]}\n{done.stderr[-4000:]}"
    assert done.returncode == 0, f"browser tests failed (screenshots: {shots}):\n{output}"
    assert "passed" in done.stdout and " skipped" not in done.stdout, done.stdout[-2000:]
