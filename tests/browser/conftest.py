"""The console in a real browser: Debian's chromium driven by Playwright with its executable
path set (Playwright never downloads a browser here), against a running suite's gateway.

Settings, from the environment (tests/e2e/test_console_e2e.py sets them for its suite):

- ``CONSOLE_URL``: the gateway, e.g. http://127.0.0.1:8000 (the tests skip without it);
- ``CONSOLE_ADMIN_PASSWORD``: the admin's password, or ``CONSOLE_DATA_DIR``: the suite's data
  directory, whose ``admin-password`` file is read;
- ``CONSOLE_ARTIFACTS``: where the screenshots go (default var/test-artifacts/console/<time>);
- ``CONSOLE_CHROMIUM``: another browser executable than ``chromium`` on the PATH;
- ``CONSOLE_DEMO_PASSWORD``: sign in as the demo data set's users (``make run DEMO=1``)
  instead of fresh ones.

The tests create their own customers (and, but with CONSOLE_DEMO_PASSWORD, their own users,
one per role with a random password), so they also run against a suite that holds other
data (``make run DEMO=1``).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gateway_client import Api, login, new_user  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
ROLES = (
    "cs_agent",
    "cs_manager",
    "quality",
    "warehouse",
    "finance",
    "market_manager",
    "sales_manager",
)

playwright_api = pytest.importorskip("playwright.sync_api")


def _setting(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.skip(f"{name} is not set: the browser tests need a running suite")
    return value


@pytest.fixture(scope="session")
def base_url() -> str:
    return _setting("CONSOLE_URL").rstrip("/")


@pytest.fixture(scope="session")
def admin(base_url) -> Api:
    password = os.environ.get("CONSOLE_ADMIN_PASSWORD")
    if not password:
        data_dir = Path(_setting("CONSOLE_DATA_DIR"))
        password = (data_dir / "admin-password").read_text(encoding="utf-8").strip()
    return Api(base_url, login(base_url, "admin", password))


# The demo data set's users (deploy/demo.py), by role: with CONSOLE_DEMO_PASSWORD the tests
# sign in as them, as a newcomer after `make run DEMO=1` would.
DEMO_USERS = {
    "cs_agent": "zhang.li",
    "cs_manager": "wang.qiang",
    "quality": "sun.wei",
    "warehouse": "zhou.jie",
    "finance": "zhao.min",
    "sales_manager": "liu.yang",
    "sales_clerk": "li.na",
    "market_manager": "chen.jing",
}


def _demo_user(base_url: str, role: str, password: str) -> Api:
    api = Api(base_url, login(base_url, DEMO_USERS[role], password))
    api.username, api.password = DEMO_USERS[role], password
    return api


@pytest.fixture(scope="session")
def users(admin, base_url) -> dict[str, Api]:
    """role -> a user with that role (``.username``, ``.password``, an API client): a fresh
    one, or the demo data set's with CONSOLE_DEMO_PASSWORD."""
    demo_password = os.environ.get("CONSOLE_DEMO_PASSWORD")
    if demo_password:
        return {role: _demo_user(base_url, role, demo_password) for role in DEMO_USERS}
    return {role: new_user(admin, role) for role in ROLES}


@pytest.fixture(scope="session")
def as_role(admin, users):
    """``as_role("sales_clerk")``: the API as a user with that role (for set-up and waiting
    for what the services do by events, never for a step the test walks in the browser)."""
    extra: dict[str, Api] = {}

    def make(role: str) -> Api:
        if role in users:
            return users[role]
        if role not in extra:
            extra[role] = new_user(admin, role)
        return extra[role]

    return make


def chromium_path() -> str:
    path = os.environ.get("CONSOLE_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("no chromium: run deploy/ensure-browser.sh (make test does)")
    return path


@pytest.fixture(scope="session")
def browser():
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    default = REPO / "var" / "test-artifacts" / "console" / time.strftime("%Y%m%d-%H%M%S")
    folder = Path(os.environ.get("CONSOLE_ARTIFACTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nconsole screenshots: {folder}")
    return folder


class Console:
    """One signed-in user's browser tab on the console."""

    def __init__(self, browser, base_url: str, user: Api, shots: Path) -> None:
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.base = f"{base_url}/console/"
        self.username = user.username
        self.shots = shots
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on(
            "console",
            lambda m: self.problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        self.page.goto(self.base)
        self.page.get_by_label("用户名").fill(user.username)
        self.page.get_by_label("密码").fill(user.password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_selector("[data-testid=me-username]")

    def open(self, fragment: str, ready: str = "main h1") -> None:
        target = self.base + fragment
        if self.page.url == target:
            self.page.reload()  # the same #fragment fires no hashchange: nothing would load
        else:
            self.page.goto(target)
        self.page.wait_for_selector(ready)
        self.page.wait_for_selector("main [aria-busy]", state="detached")

    def form(self, name: str):
        return self.page.locator(f"form[data-form='{name}']")

    def submit(self, name: str) -> None:
        self.form(name).locator("button[type=submit]").click()

    def keep(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path

    def axe(self) -> list[str]:
        if self.page.evaluate("typeof window.axe") != "object":
            self.page.evaluate(AXE.read_text(encoding="utf-8"))
        assert self.page.evaluate("window.axe.version") == AXE_VERSION
        found = self.page.evaluate(
            "async () => (await axe.run(document)).violations"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
        )
        return [
            f"{v['id']} ({v['impact']}): {v['nodes'][:3]}"
            for v in found
            if v["impact"] in ("serious", "critical")
        ]

    def check(self, name: str) -> None:
        """A screenshot, and axe-core's serious and critical findings (none allowed)."""
        self.keep(name)
        assert self.axe() == [], name
        assert self.problems == []

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).inner_text()

    def close(self) -> None:
        self.context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_in_call = report.failed
    return report


@pytest.fixture
def console(request, browser, base_url, users, shots):
    """``console("quality")``: a browser tab signed in as the test's quality user. When the
    test fails, each open tab is kept as ``failed-<test>-<role>.png`` for the reader."""
    opened: list[tuple[str, Console]] = []

    def open_as(role: str) -> Console:
        tab = Console(browser, base_url, users[role], shots)
        opened.append((role, tab))
        return tab

    yield open_as
    failed = getattr(request.node, "failed_in_call", False)
    for role, tab in opened:
        if failed:
            name = request.node.name.replace("/", "_")[:80]
            tab.keep(f"failed-{name}-{role}")
            print(f"{role} at {tab.page.url}; page problems: {tab.problems}")
        tab.close()


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:6]
