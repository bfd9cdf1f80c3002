"""``make run`` supervises: a service killed with SIGKILL is logged and started again and
the suite is ready within seconds, while the gateway keeps answering for the other
services; Ctrl-C then stops every process, even when the suite was started with SIGINT
ignored (as a background job of a non-interactive shell is).

The suite runs as ``make run`` runs it (``python deploy/suite.py run``), on a data dir,
gateway port and broker vhost of its own.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "supervisor-" + uuid.uuid4().hex
BACK_WITHIN = 30.0  # seconds from the kill until /health/ready answers 200 again


def _wait_for_text(process: subprocess.Popen, out: Path, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        output = out.read_text(errors="replace") if out.exists() else ""
        if text in output:
            return output
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never came; output:\n{output}")
        time.sleep(0.25)


class RunningSuite:
    def __init__(self, process, out: Path, data_dir: Path, url: str, module) -> None:
        self.process = process
        self.out = out
        self.data_dir = data_dir
        self.url = url
        self.module = module

    def ctl(self, *args: str) -> str:
        """supervisorctl of this suite, as an operator would run it."""
        done = subprocess.run(
            [sys.executable, str(REPO / "deploy" / "suite.py"), "ctl"]
            + ["--data-dir", str(self.data_dir), *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return done.stdout

    def pids(self) -> dict[str, int]:
        """``{"customer": 1234, ...}``: each process in ``supervisorctl status`` and its
        ``supervisorctl pid`` (0 when it is not running)."""
        names = re.findall(r"^aftersales:(\S+)", self.ctl("status"), re.MULTILINE)
        return {name: int(self.ctl("pid", f"aftersales:{name}").strip()) for name in names}


@pytest.fixture
def running_suite(tmp_path, suite_tools):
    module = suite_tools.module
    with module.temporary_vhost() as amqp_uri:
        data_dir = tmp_path / "data"
        port = suite_tools.free_port()
        env = dict(os.environ, AFTERSALES_ADMIN_PASSWORD=ADMIN_PASSWORD, PYTHONUNBUFFERED="1")
        env.pop("DEMO", None)
        env.pop("AFTERSALES_DATA_DIR", None)
        argv = [sys.executable, str(REPO / "deploy" / "suite.py"), "run"]
        argv += ["--data-dir", str(data_dir), "--port", str(port), "--amqp-uri", amqp_uri]
        out = tmp_path / "run.out"
        with open(out, "wb") as fh:
            # `trap '' INT` + exec: suite.py starts with SIGINT ignored, like `make run &`
            process = subprocess.Popen(
                ["bash", "-c", f"trap '' INT; exec {shlex.join(argv)}"],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=fh,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_for_text(process, out, "Ctrl-C stops everything.", timeout=180)
            yield RunningSuite(process, out, data_dir, f"http://127.0.0.1:{port}", module)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)  # supervisord follows (PDEATHSIG)
                process.wait()
            deadline = time.monotonic() + 40
            while module.processes_of(data_dir) and time.monotonic() < deadline:
                time.sleep(0.5)
            for pid in module.processes_of(data_dir):
                os.kill(pid, signal.SIGKILL)


def test_a_killed_service_comes_back_while_the_others_serve_and_ctrl_c_stops_all(
    running_suite, suite_tools
):
    suite = running_suite
    token = suite_tools.login(suite.url, "admin", ADMIN_PASSWORD)
    api = suite_tools.Api(suite.url, token)
    assert api.get("/complaints").status_code == 200
    before = suite.pids()
    assert set(before) == {"customer", "complaints", "returns", "finance", "gateway"}, before
    assert all(before.values()), before

    # another service through the gateway, all the time customer is away
    answers: list[tuple[float, int]] = []  # (sent at, status)
    stop = threading.Event()

    def ask_complaints() -> None:
        other = suite_tools.Api(suite.url, token)  # a session of its own in this thread
        while not stop.is_set():
            sent = time.monotonic()
            answers.append((sent, other.get("/complaints").status_code))

    asker = threading.Thread(target=ask_complaints, daemon=True)
    asker.start()
    try:
        os.kill(before["customer"], signal.SIGKILL)
        killed_at = time.monotonic()
        timeline = []  # (seconds after the kill, /health/ready status, body)
        back_at = None
        while time.monotonic() - killed_at < BACK_WITHIN:
            ready = requests.get(suite.url + "/health/ready", timeout=10)
            timeline.append((round(time.monotonic() - killed_at, 2), ready.status_code, ready.text))
            if ready.status_code == 200:
                back_at = time.monotonic()
                break
            assert "customer" in ready.json()["down"], timeline
            time.sleep(0.1)
    finally:
        stop.set()
        asker.join(timeout=30)

    assert back_at is not None, f"not ready {BACK_WITHIN:.0f}s after the kill: {timeline}"
    meanwhile = [status for sent, status in answers if killed_at <= sent < back_at]
    assert meanwhile and set(meanwhile) == {200}, (meanwhile, timeline)
    after = suite.pids()
    assert after["customer"] not in (0, before["customer"]), after
    assert {k: v for k, v in after.items() if k != "customer"} == {
        k: v for k, v in before.items() if k != "customer"
    }
    assert api.get("/customers").status_code == 200
    # supervisord said what died, how, and that it started it again (also on the terminal)
    log = (suite.data_dir / "supervisor" / "supervisord.log").read_text()
    for text in (
        "exited: customer (terminated by SIGKILL; not expected)",
        f"spawned: 'customer' with pid {after['customer']}",
    ):
        assert text in log, log
        assert text in suite.out.read_text(errors="replace")
    print(
        f"customer SIGKILLed; ready again after {back_at - killed_at:.1f}s"
        f" ({len(timeline) - 1} not-ready answers, {len(meanwhile)} complaint lists meanwhile)"
    )

    # Ctrl-C: SIGINT to the suite's process group (it was started with SIGINT ignored)
    running = suite.module.processes_of(suite.data_dir)
    assert set(after.values()) <= set(running), (after, running)
    os.killpg(suite.process.pid, signal.SIGINT)
    assert suite.process.wait(timeout=60) == 0
    assert "stopped." in suite.out.read_text(errors="replace")
    assert suite.module.processes_of(suite.data_dir) == []


def test_supervisord_reads_the_plan_whatever_the_data_dir_is_called(tmp_path, suite_tools):
    from supervisor.options import ServerOptions

    data_dir = tmp_path / "100% data dir"  # '%' is supervisord's expansion sign
    suite = suite_tools.module.Suite(
        data_dir, instances={"customer": 3}, services=["customer", "finance"]
    )
    (data_dir / "logs").mkdir(parents=True)
    suite.supervisor_dir.mkdir()
    suite.config_path.write_text(suite.supervisor_config())
    options = ServerOptions()
    options.realize(["-c", str(suite.config_path)])
    [group] = options.process_group_configs
    programs = {p.name: p for p in group.process_configs}
    assert group.name == "aftersales"
    assert sorted(programs) == ["customer", "customer.1", "customer.2", "finance", "gateway"]
    customer = programs["customer.2"]
    assert customer.stdout_logfile == str(data_dir / "logs" / "customer.2.log")
    assert customer.command.endswith("-m servicekit.run customer")
    assert customer.autorestart and customer.stopasgroup and customer.killasgroup
    assert customer.startretries == 3 and customer.startsecs == 10
    assert options.logfile == str(suite.supervisor_log)
