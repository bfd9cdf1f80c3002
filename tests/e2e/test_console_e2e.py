"""The console's browser tests (tests/browser) against this session's suite, in a pytest
process of their own (tests/conftest.py, run_browser_tests); screenshots under
var/test-artifacts/console/<suite>/."""

from __future__ import annotations

from pathlib import Path


def test_the_console_in_a_real_browser(suite, suite_tools, admin_password, tmp_path):
    shots = suite_tools.artifacts / Path(suite.data_dir).name
    output = suite_tools.run_browser_tests(
        suite.url, shots, tmp_path, CONSOLE_ADMIN_PASSWORD=admin_password
    )
    print(output[-4000:])
