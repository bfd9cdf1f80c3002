"""Start, watch and stop the whole suite: every service as its own process plus the gateway.

The processes run under supervisord (the ``supervisor`` package): a process that dies
is logged and started again, with a growing back-off if it keeps dying at start-up,
while the others keep serving. This module plans the processes, writes supervisord's
configuration, starts supervisord, waits for readiness and stops it all again. One
code path for ``make run``, the end-to-end tests and the benchmark::

    with Suite(tmp_path, gateway_port=8123, amqp_uri=uri) as suite:   # start + wait_ready
        requests.get(suite.url + "/health/ready")

Each process (``python -m servicekit.run <name>`` per instance, gunicorn for the
gateway) runs in its own process group and logs to ``<data_dir>/logs/<name>.log``;
supervisord's own log (exits, restarts) is ``<data_dir>/supervisor/supervisord.log``
and its control socket is ``<data_dir>/supervisor/supervisor.sock``.

The module also creates and deletes RabbitMQ vhosts through the management API so
that tests and benchmarks run on a broker vhost of their own, beside a running
``make run``::

    python deploy/suite.py run [--port 8000] [--data-dir var] [--instances customer=2]
    DEMO=1 python deploy/suite.py run                # also loads deploy/demo.py when ready
    python deploy/suite.py ctl status                # supervisorctl of the running suite
    python deploy/suite.py ctl restart aftersales:customer
    python deploy/suite.py vhost-create [NAME]       # prints the AMQP URI
    python deploy/suite.py vhost-delete NAME
    python deploy/suite.py vhost-prune [--prefix aftersales_test_]
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import ctypes
import hashlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xmlrpc.client
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("customer", "complaints", "returns", "finance")
DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
TEST_VHOST_PREFIX = "aftersales_test_"
GROUP = "aftersales"  # supervisord's group of every process: `aftersales:customer.1`
# supervisord states in which it starts the process again by itself
COMING_BACK = ("STARTING", "RUNNING", "BACKOFF", "EXITED")


class SuiteError(RuntimeError):
    """The suite did not start, or did not become ready; the message has the log tails."""


# --- RabbitMQ management API ------------------------------------------------------------


def management_url(amqp_uri: str, port: int = 15672) -> str:
    """``http://user:pass@host:15672`` of the broker named by ``amqp_uri``."""
    parts = urllib.parse.urlsplit(amqp_uri)
    user = parts.username or "guest"
    password = parts.password or "guest"
    host = parts.hostname or "127.0.0.1"
    creds = f"{urllib.parse.quote(user, safe='')}:{urllib.parse.quote(password, safe='')}"
    return f"http://{creds}@{host}:{port}"


def vhost_of(amqp_uri: str) -> str:
    path = urllib.parse.urlsplit(amqp_uri).path
    return urllib.parse.unquote(path[1:]) if len(path) > 1 else "/"


def with_vhost(amqp_uri: str, vhost: str) -> str:
    parts = urllib.parse.urlsplit(amqp_uri)
    return urllib.parse.urlunsplit(
        parts._replace(path="/" + urllib.parse.quote(vhost, safe=""), query="", fragment="")
    )


def _management(method: str, api: str, path: str, body: object = None, timeout: float = 10.0):
    parts = urllib.parse.urlsplit(api)
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    url = urllib.parse.urlunsplit((parts.scheme, netloc, "/api" + path, "", ""))
    request = urllib.request.Request(url, method=method)
    user = urllib.parse.unquote(parts.username or "guest")
    password = urllib.parse.unquote(parts.password or "guest")
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, data=data, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def create_vhost(
    name: str | None = None,
    amqp_uri: str = DEFAULT_AMQP_URI,
    api: str | None = None,
) -> str:
    """Create a vhost (default ``aftersales_test_<random>``) and return its AMQP URI."""
    name = name or TEST_VHOST_PREFIX + uuid.uuid4().hex[:10]
    api = api or management_url(amqp_uri)
    quoted = urllib.parse.quote(name, safe="")
    user = urllib.parse.unquote(urllib.parse.urlsplit(amqp_uri).username or "guest")
    _management("PUT", api, f"/vhosts/{quoted}")
    _management(
        "PUT",
        api,
        f"/permissions/{quoted}/{urllib.parse.quote(user, safe='')}",
        {"configure": ".*", "write": ".*", "read": ".*"},
    )
    return with_vhost(amqp_uri, name)


def delete_vhost(name_or_uri: str, api: str | None = None) -> None:
    """Delete a vhost (given by name or by an AMQP URI naming it); a missing one is fine."""
    if "://" in name_or_uri:
        api = api or management_url(name_or_uri)
        name = vhost_of(name_or_uri)
    else:
        api = api or management_url(DEFAULT_AMQP_URI)
        name = name_or_uri
    if name == "/":
        raise ValueError("refusing to delete the default vhost /")
    try:
        _management("DELETE", api, f"/vhosts/{urllib.parse.quote(name, safe='')}")
    except urllib.error.HTTPError as exc:
        if exc.code != 404:
            raise


def list_vhosts(api: str | None = None) -> list[str]:
    api = api or management_url(DEFAULT_AMQP_URI)
    return [v["name"] for v in _management("GET", api, "/vhosts")]


@contextlib.contextmanager
def temporary_vhost(amqp_uri: str = DEFAULT_AMQP_URI) -> Iterator[str]:
    """A fresh ``aftersales_test_<random>`` vhost for the block; yields its AMQP URI."""
    uri = create_vhost(amqp_uri=amqp_uri)
    try:
        yield uri
    finally:
        delete_vhost(uri)


def rpc_consumers(amqp_uri: str, api: str | None = None) -> dict[str, int]:
    """Consumers on each ``rpc-<service>`` queue of the vhost (how many instances listen)."""
    api = api or management_url(amqp_uri)
    vhost = urllib.parse.quote(vhost_of(amqp_uri), safe="")
    queues = _management("GET", api, f"/queues/{vhost}?columns=name,consumers")
    return {
        q["name"].removeprefix("rpc-"): int(q.get("consumers") or 0)
        for q in queues
        if q["name"].startswith("rpc-")
    }


# --- processes --------------------------------------------------------------------------


class Managed:
    """One process of the suite (or, for bench/run.py, one it spawned itself).

    Under supervisord ``state`` and ``pid`` are what it last reported; a process
    spawned directly has ``process`` (a ``Popen``). A plain class, not a dataclass:
    this module is also loaded by file path (``spec_from_file_location``) without an
    entry in ``sys.modules``, which dataclasses with postponed annotations cannot handle.
    """

    def __init__(self, key: str, argv: list[str], log_path: Path) -> None:
        self.key = key  # "customer", "customer.1", "gateway"
        self.argv = argv
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.started_at = time.monotonic()
        self.state = "STOPPED"
        self.pid = 0

    @property
    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        return self.state in ("STARTING", "RUNNING")


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            text = fh.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def stop_groups(processes: Sequence[Managed], sig: int, timeout: float) -> None:
    """Send ``sig`` to the process group of each directly spawned process; wait up to
    ``timeout`` for every member to exit; SIGKILL the groups still there."""
    groups = [m for m in processes if m.process is not None]
    for managed in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(managed.process.pid, sig)
    deadline = time.monotonic() + timeout
    pending = list(groups)
    while pending and time.monotonic() < deadline:
        for managed in list(pending):
            managed.process.poll()  # reap the leader so a zombie does not count
            if managed.process.returncode is not None and not _group_exists(managed.process.pid):
                pending.remove(managed)
        if pending:
            time.sleep(0.1)
    for managed in pending:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(managed.process.pid, signal.SIGKILL)
    for managed in pending:
        with contextlib.suppress(subprocess.TimeoutExpired):
            managed.process.wait(timeout=5)


def processes_of(data_dir: str | os.PathLike) -> list[int]:
    """Pids of the live processes started for the suite on ``data_dir`` (found by the
    ``AFTERSALES_DATA_DIR`` in their environment; Linux ``/proc``)."""
    marker = f"AFTERSALES_DATA_DIR={Path(data_dir).resolve()}".encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return sorted(found)


def _ini(value: object) -> str:
    return str(value).replace("%", "%%")  # supervisord expands %(name)s in every value


def _control_socket(supervisor_dir: Path) -> Path:
    """``<dir>/supervisor.sock``, or a short path under /tmp when that one is longer than
    a unix socket address may be."""
    path = supervisor_dir / "supervisor.sock"
    if len(str(path)) < 100:
        return path
    digest = hashlib.sha1(str(supervisor_dir).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"aftersales-{digest}.sock"


class Suite:
    """The services and the gateway as processes under one supervisord.

    ``instances`` maps a service to how many processes of it run (default 1 each);
    ``services`` limits which services start (default all four); ``gateway=False``
    starts services only (then readiness is judged by RPC consumers on the broker).
    ``env_overrides`` are added to the inherited environment (a value of ``None``
    removes the variable). A process that exits is started again at once; one that
    exits within ``start_seconds`` of its start waits 1 s, 2 s, 3 s ... before the next
    try, and after ``start_retries`` such tries supervisord gives up on it (FATAL).
    ``quiet=False`` lets supervisord print its log lines on this process's stdout;
    ``fail_fast=False`` lets ``wait_ready`` wait through restarts (``make run``) where
    by default any exit during start-up is an error (tests, the benchmark).
    """

    def __init__(
        self,
        data_dir: str | os.PathLike,
        gateway_port: int = 8000,
        amqp_uri: str = DEFAULT_AMQP_URI,
        env_overrides: Mapping[str, str | None] | None = None,
        instances: Mapping[str, int] | None = None,
        services: Sequence[str] | None = None,
        gateway: bool = True,
        gateway_workers: int | None = None,
        ready_timeout: float = 90.0,
        python: str = sys.executable,
        start_seconds: int = 10,
        start_retries: int = 3,
        stop_seconds: int = 20,
        quiet: bool = True,
        fail_fast: bool = True,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.log_dir = self.data_dir / "logs"
        self.supervisor_dir = self.data_dir / "supervisor"
        self.config_path = self.supervisor_dir / "supervisord.conf"
        self.supervisor_log = self.supervisor_dir / "supervisord.log"
        self.socket_path = _control_socket(self.supervisor_dir)
        self.gateway_port = int(gateway_port)
        self.amqp_uri = amqp_uri
        self.services = list(services) if services is not None else list(SERVICES)
        unknown = set(self.services) - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown services {sorted(unknown)}; known: {SERVICES}")
        self.instances = {name: 1 for name in self.services}
        self.instances.update(instances or {})
        self.gateway = gateway
        self.gateway_workers = gateway_workers or int(os.environ.get("GATEWAY_WORKERS", "2"))
        self.ready_timeout = ready_timeout
        self.python = python
        self.start_seconds = start_seconds
        self.start_retries = start_retries
        self.stop_seconds = stop_seconds
        self.quiet = quiet
        self.fail_fast = fail_fast
        self.env = self._environment(env_overrides or {})
        self.supervisord: subprocess.Popen | None = None
        self._seen_pids: set[int] = set()
        # the socket is the owner's alone (chmod 0700); a password as well keeps
        # supervisord from warning at CRIT level on every start
        self._control_password = uuid.uuid4().hex

    # -- set-up ---------------------------------------------------------------------------
    def _environment(self, overrides: Mapping[str, str | None]) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "AMQP_URI": self.amqp_uri,
                "AFTERSALES_DATA_DIR": str(self.data_dir),
                "GATEWAY_PORT": str(self.gateway_port),
                "GATEWAY_WORKERS": str(self.gateway_workers),
                "PYTHONUNBUFFERED": "1",
            }
        )
        # /metrics sums every gunicorn worker (CONTRACT: one figure per gateway).
        env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(self.data_dir / "prometheus"))
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = str(value)
        return env

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def admin_password_file(self) -> Path:
        return self.data_dir / "admin-password"

    def admin_password(self) -> str:
        """``AFTERSALES_ADMIN_PASSWORD`` if set for the suite, else the generated one."""
        if self.env.get("AFTERSALES_ADMIN_PASSWORD"):
            return self.env["AFTERSALES_ADMIN_PASSWORD"]
        return self.admin_password_file.read_text().strip()

    def _service_argv(self, name: str) -> list[str]:
        return [self.python, "-m", "servicekit.run", name]

    def _gateway_argv(self) -> list[str]:
        hooks = []
        if (REPO_ROOT / "gateway" / "gateway" / "gunicorn_conf.py").exists():
            hooks = ["-c", "python:gateway.gunicorn_conf"]
        return [
            self.python,
            "-m",
            "gunicorn",
            *hooks,
            "-k",
            "gthread",
            "-w",
            str(self.gateway_workers),
            "-b",
            f"127.0.0.1:{self.gateway_port}",
            "--graceful-timeout",
            "10",
            "gateway.wsgi:app",
        ]

    def _plan(self) -> list[Managed]:
        plan = []
        for name in self.services:
            for index in range(self.instances.get(name, 1)):
                key = name if index == 0 else f"{name}.{index}"
                plan.append(Managed(key, self._service_argv(name), self.log_dir / f"{key}.log"))
        if self.gateway:
            plan.append(Managed("gateway", self._gateway_argv(), self.log_dir / "gateway.log"))
        return plan

    def supervisor_config(self) -> str:
        """supervisord's configuration for this plan (written to ``config_path``).

        Every process is in one group so that a stop signals them all at once (groups
        stop one after the other); each gets its own process group (supervisord's
        ``setpgrp``), stopped and killed as a group (gunicorn's workers too). The
        processes inherit supervisord's environment, which is ``self.env``.
        """
        sections = [
            "; written by deploy/suite.py for this run; edits are overwritten",
            "[unix_http_server]",
            f"file={_ini(self.socket_path)}",
            "chmod=0700",
            f"username={GROUP}",
            f"password={self._control_password}",
            "",
            "[supervisord]",
            "nodaemon=true",
            f"silent={'true' if self.quiet else 'false'}",
            f"logfile={_ini(self.supervisor_log)}",
            "logfile_maxbytes=10MB",
            "logfile_backups=3",
            f"pidfile={_ini(self.supervisor_dir / 'supervisord.pid')}",
            f"childlogdir={_ini(self.supervisor_dir)}",
            f"identifier={GROUP}",
            # as root, naming the user keeps supervisord from warning at CRIT level
            *(["user=root"] if os.getuid() == 0 else []),
            "",
            "[rpcinterface:supervisor]",
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
            "",
            "[supervisorctl]",
            f"serverurl=unix://{_ini(self.socket_path)}",
            f"username={GROUP}",
            f"password={self._control_password}",
            "",
        ]
        plan = self._plan()
        for managed in plan:
            sections += [
                f"[program:{managed.key}]",
                f"command={_ini(shlex.join(managed.argv))}",
                f"directory={_ini(REPO_ROOT)}",
                f"priority={200 if managed.key == 'gateway' else 100}",
                "autostart=true",
                "autorestart=true",
                f"startsecs={self.start_seconds}",
                f"startretries={self.start_retries}",
                "stopsignal=TERM",
                f"stopwaitsecs={self.stop_seconds}",
                "stopasgroup=true",
                "killasgroup=true",
                "redirect_stderr=true",
                # supervisord expands this value twice (%(here)s, then %(program_name)s)
                f"stdout_logfile={_ini(_ini(managed.log_path))}",
                "stdout_logfile_maxbytes=50MB",
                "stdout_logfile_backups=5",
                "",
            ]
        sections += [f"[group:{GROUP}]", f"programs={','.join(m.key for m in plan)}", ""]
        return "\n".join(sections)

    # -- supervisord ----------------------------------------------------------------------
    def rpc(self) -> xmlrpc.client.ServerProxy:
        """supervisord's XML-RPC interface (``rpc().supervisor.getAllProcessInfo()``)."""
        from supervisor.xmlrpc import SupervisorTransport

        transport = SupervisorTransport(GROUP, self._control_password, f"unix://{self.socket_path}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)

    @property
    def running(self) -> bool:
        return self.supervisord is not None and self.supervisord.poll() is None

    @property
    def processes(self) -> dict[str, Managed]:
        """Every planned process with the state and pid supervisord reports now."""
        plan = {m.key: m for m in self._plan()}
        if self.running:
            with contextlib.suppress(OSError, xmlrpc.client.Error):
                for info in self.rpc().supervisor.getAllProcessInfo():
                    managed = plan.get(info["name"])
                    if managed is not None:
                        managed.state, managed.pid = info["statename"], info["pid"]
                        if info["pid"]:
                            self._seen_pids.add(info["pid"])
        return plan

    def _wait_supervisord(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if not self.running:
                raise SuiteError(f"supervisord exited at start-up\n{self._supervisor_tail()}")
            with contextlib.suppress(OSError, xmlrpc.client.Error):
                if self.rpc().supervisor.getState()["statename"] == "RUNNING":
                    return
            if time.monotonic() >= deadline:
                raise SuiteError(f"supervisord did not answer\n{self._supervisor_tail()}")
            time.sleep(0.1)

    def _supervisor_tail(self, lines: int = 20) -> str:
        parts = [f"--- {self.supervisor_log} ---\n{tail(self.supervisor_log, lines)}"]
        out = self.supervisor_dir / "supervisord.out"
        if out.exists() and out.stat().st_size:
            parts.append(f"--- {out} ---\n{tail(out, lines)}")
        return "\n".join(parts)

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> Suite:
        """Write the configuration and start supervisord, which starts every process;
        returns once supervisord answers (see ``wait_ready``)."""
        if self.gateway and _port_in_use(self.gateway_port):
            raise SuiteError(
                f"127.0.0.1:{self.gateway_port} is already in use "
                "(another `make run`? set GATEWAY_PORT)"
            )
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.supervisor_dir.mkdir(parents=True, exist_ok=True)
        multiproc_dir = self.env.get("PROMETHEUS_MULTIPROC_DIR")
        if self.gateway and multiproc_dir:
            # prometheus-client's multiprocess mode needs an existing, empty directory.
            shutil.rmtree(multiproc_dir, ignore_errors=True)
            Path(multiproc_dir).mkdir(parents=True)
        self.config_path.touch(mode=0o600)  # it holds the control password
        self.config_path.chmod(0o600)
        self.config_path.write_text(self.supervisor_config())
        atexit.register(self.stop)
        # quiet: supervisord's own start-up errors (bad config, socket in use) to a file
        conf = str(self.config_path)
        with contextlib.ExitStack() as stack:
            out = None
            if self.quiet:
                out = stack.enter_context(open(self.supervisor_dir / "supervisord.out", "wb"))
            self.supervisord = subprocess.Popen(
                [self.python, str(Path(__file__).resolve()), "supervisord", "-n", "-c", conf],
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT if out else None,
                # its own session: the caller decides when it stops (Ctrl-C reaches the
                # caller, which stops supervisord, which stops every process)
                start_new_session=True,
            )
        try:
            self._wait_supervisord()
        except BaseException:
            self.stop()
            raise
        return self

    def _name(self, key: str) -> str:
        if key not in {m.key for m in self._plan()}:
            raise KeyError(key)
        return f"{GROUP}:{key}"

    def start_process(self, key: str) -> None:
        """Start one stopped process by key (``"customer"``, ``"customer.1"``, ``"gateway"``);
        returns at once (see ``wait_ready``)."""
        from supervisor.xmlrpc import Faults

        try:
            self.rpc().supervisor.startProcess(self._name(key), False)
        except xmlrpc.client.Fault as fault:
            if fault.faultCode == Faults.ALREADY_STARTED:
                raise SuiteError(f"{key} is running") from None
            raise

    def stop_process(self, key: str) -> None:
        """Stop one process the way supervisord does (SIGTERM, then SIGKILL) and keep it
        stopped until ``start_process``."""
        from supervisor.xmlrpc import Faults

        try:
            self.rpc().supervisor.stopProcess(self._name(key), True)
        except xmlrpc.client.Fault as fault:
            if fault.faultCode != Faults.NOT_RUNNING:
                raise

    def kill_process(
        self, key: str, sig: int = signal.SIGKILL, timeout: float = 20.0, restart: bool = False
    ) -> int:
        """Signal one process's group behind supervisord's back, as a crash would (SIGKILL
        by default, for fault tests), and wait until supervisord has seen it exit.

        With ``restart=False`` the process then stays down until ``start_process`` (a
        copy supervisord may already have started is stopped again); with
        ``restart=True`` supervisord starts it again as it would after any crash.
        Returns the pid that was signalled.
        """
        name = self._name(key)
        pid = self.rpc().supervisor.getProcessInfo(name)["pid"]
        if not pid:
            raise SuiteError(f"{key} is not running")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + timeout
        while self.rpc().supervisor.getProcessInfo(name)["pid"] == pid or _group_exists(pid):
            if time.monotonic() >= deadline:
                raise SuiteError(f"{key} (pid {pid}) still runs {timeout:.0f}s after {sig!r}")
            time.sleep(0.05)
        if not restart:
            self.stop_process(key)
        return pid

    def failed(self) -> list[Managed]:
        """Processes that are down and that supervisord will not start again by itself
        (stopped, or given up on after too many quick exits: FATAL); every process when
        supervisord itself is not running."""
        return [m for m in self.processes.values() if m.state not in COMING_BACK]

    def logs(self, lines: int = 40, keys: Sequence[str] | None = None) -> str:
        processes = self.processes
        parts = []
        for key in keys or list(processes):
            managed = processes[key]
            state = managed.state + (f" pid {managed.pid}" if managed.pid else "")
            parts.append(f"--- {managed.log_path} ({state}) ---\n{tail(managed.log_path, lines)}")
        parts.append(self._supervisor_tail(lines))
        return "\n".join(parts)

    def _gateway_ready(self) -> tuple[bool, str]:
        try:
            with urllib.request.urlopen(self.url + "/health/ready", timeout=5) as response:
                return response.status == 200, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return False, f"{exc.code} {exc.read().decode('utf-8', 'replace')}"
        except (OSError, urllib.error.URLError) as exc:
            return False, repr(exc)

    def _consumers_ready(self) -> tuple[bool | None, str]:
        """(ready, state); ready is None when the management API cannot be reached."""
        try:
            consumers = rpc_consumers(self.amqp_uri)
        except urllib.error.HTTPError as exc:
            return False, f"management API answered {exc.code}"
        except (OSError, ValueError) as exc:
            return None, f"management API unreachable: {exc!r}"
        missing = {
            name: f"{consumers.get(name, 0)}/{wanted}"
            for name, wanted in self.instances.items()
            if name in self.services and consumers.get(name, 0) < wanted
        }
        return not missing, f"rpc consumers short: {missing}" if missing else "ok"

    def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until every instance listens on the broker and ``/health/ready`` says 200.

        Raises ``SuiteError`` with the log tails on timeout, when a process is down for
        good (see ``failed``) and, with ``fail_fast``, when any process exits meanwhile;
        without it a process that supervisord restarts is waited for.
        Readiness of every instance is read from the broker's management API (RPC queue
        consumers); when that API is unreachable only the gateway is asked.
        """
        timeout = self.ready_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        state = "not polled yet"
        use_management = True
        first_pids: dict[str, int] = {}
        while True:
            processes = self.processes
            dead = [m for m in processes.values() if m.state not in COMING_BACK]
            if self.fail_fast:
                for managed in processes.values():
                    first = first_pids.get(managed.key) or managed.pid
                    first_pids[managed.key] = first
                    # the pid it ran with went away (0 once exited, another once restarted)
                    if first and managed.pid != first and managed not in dead:
                        dead.append(managed)
            if dead:
                keys = ", ".join(f"{m.key} ({m.state})" for m in dead)
                raise SuiteError(f"{keys} exited during start-up\n{self.logs()}")
            ready = True
            if use_management:
                ok, state = self._consumers_ready()
                if ok is None:
                    use_management = False  # no management plugin: trust the gateway alone
                    ok = True
                ready = ok
            if ready and self.gateway:
                ready, state = self._gateway_ready()
            elif ready and not use_management:
                raise SuiteError("no gateway and no management API: cannot judge readiness")
            if ready:
                return
            if time.monotonic() >= deadline:
                raise SuiteError(
                    f"suite not ready after {timeout:.0f}s; last state: {state}\n{self.logs()}"
                )
            time.sleep(0.25)

    def stop(self, timeout: float | None = None) -> None:
        """Stop supervisord, which stops every process (SIGTERM to each group, SIGKILL
        after ``stop_seconds``); kill whatever is left if supervisord does not exit."""
        atexit.unregister(self.stop)
        if self.supervisord is None:
            return
        timeout = self.stop_seconds + 15 if timeout is None else timeout
        if self.running:
            _ = self.processes  # records the pids, in case supervisord must be killed
            with contextlib.suppress(ProcessLookupError):
                self.supervisord.send_signal(signal.SIGTERM)
            try:
                self.supervisord.wait(timeout)
            except subprocess.TimeoutExpired:
                self.supervisord.kill()
                self.supervisord.wait()
        left = set(self._seen_pids) & set(processes_of(self.data_dir))
        for pid in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)

    def __enter__(self) -> Suite:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- command line -----------------------------------------------------------------------


def _parse_instances(values: Sequence[str]) -> dict[str, int]:
    result = {}
    for value in values:
        name, _, count = value.partition("=")
        result[name] = int(count or 1)
    return result


def _ctl_hint(data_dir: Path) -> str:
    if data_dir == (REPO_ROOT / "var").resolve():
        return "python deploy/suite.py ctl"
    return f"python deploy/suite.py ctl --data-dir {shlex.quote(str(data_dir))}"


def _run(args: argparse.Namespace) -> int:
    services = args.services.split(",") if args.services else None
    suite = Suite(
        data_dir=args.data_dir,
        gateway_port=args.port,
        amqp_uri=args.amqp_uri,
        instances=_parse_instances(args.instances),
        services=services,
        gateway=not args.no_gateway,
        gateway_workers=args.workers,
        ready_timeout=args.ready_timeout,
        start_retries=args.start_retries,
        quiet=False,  # supervisord's lines (exits, restarts) go to this terminal
        fail_fast=False,  # a process that dies at start-up is retried, not fatal
    )

    def _terminate(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)  # even when started with SIGINT ignored
    ctl = _ctl_hint(suite.data_dir)
    print(f"starting the suite under supervisord (logs in {suite.log_dir}) ...", flush=True)
    try:
        suite.start()
        ready = True
        try:
            suite.wait_ready()
        except SuiteError as exc:
            if not suite.running:
                raise
            # one process that cannot start does not take the others down
            ready = False
            print(f"\n{exc}\n\nNOT READY: the processes that run keep serving.", flush=True)
        if args.no_gateway:
            print("services are up (no gateway).", flush=True)
        else:
            print(f"\nThe suite is {'up' if ready else 'partly up'}:  {suite.url}", flush=True)
            print(f"  health:         {suite.url}/health/ready", flush=True)
            print(f"  API document:   {suite.url}/api/v1/openapi.json", flush=True)
            if suite.env.get("AFTERSALES_ADMIN_PASSWORD"):
                print("  admin password: the value of $AFTERSALES_ADMIN_PASSWORD", flush=True)
            else:
                print(f"  admin password: cat {suite.admin_password_file}", flush=True)
        print(f"  processes:      {ctl} status  (or restart {GROUP}:customer ...)", flush=True)
        if os.environ.get("DEMO", "") not in ("", "0") and not args.no_gateway and ready:
            print("\nDEMO=1: loading the demo data set (deploy/demo.py) ...", flush=True)
            demo = subprocess.run(
                [suite.python, str(REPO_ROOT / "deploy" / "demo.py"), "--url", suite.url],
                cwd=REPO_ROOT,
                env=suite.env,  # the suite's data dir: admin-password, demo-password
            )
            if demo.returncode != 0:
                print("  the demo data did not load completely (see above).", flush=True)
        print("Ctrl-C stops everything.", flush=True)
        reported: set[str] = set()
        while suite.running:
            # supervisord restarts what dies and logs it; say so when it gives up on one
            for managed in suite.failed():
                if managed.state == "FATAL" and managed.key not in reported:
                    reported.add(managed.key)
                    print(
                        f"\n{managed.key} keeps exiting at start-up; supervisord gave up on it"
                        f" (the others keep serving). Its log:\n{tail(managed.log_path, 20)}\n"
                        f"start it again: {ctl} start {GROUP}:{managed.key}",
                        flush=True,
                    )
            reported &= {m.key for m in suite.failed()}
            time.sleep(1)
        print(f"\nsupervisord exited\n{suite.logs(lines=10)}", file=sys.stderr)
        return 1
    except SuiteError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        suite.stop()
        print("stopped.", flush=True)


def _ctl(args: argparse.Namespace) -> int:
    """supervisorctl of the suite running on ``--data-dir``."""
    config = Path(args.data_dir).resolve() / "supervisor" / "supervisord.conf"
    if not config.exists():
        raise SystemExit(f"no suite was started on {args.data_dir} ({config} is missing)")
    argv = [sys.executable, "-m", "supervisor.supervisorctl", "-c", str(config), *args.args]
    return subprocess.call(argv, cwd=REPO_ROOT)


def _supervisord(args: Sequence[str]) -> int:
    """supervisord itself (``suite.py supervisord -n -c CONF``, as ``Suite.start`` runs it),
    first asking Linux to SIGTERM it when the process that started it dies, so a killed
    ``suite.py`` or test run does not leave the suite running. Asked in the child
    itself: a ``preexec_fn`` would fork under eventlet in the tests."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    from supervisor.supervisord import main as supervisord_main

    supervisord_main(list(args))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["supervisord"]:  # internal: not in --help
        return _supervisord(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python deploy/suite.py", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    data_dir = os.environ.get("AFTERSALES_DATA_DIR", str(REPO_ROOT / "var"))

    run = commands.add_parser("run", help="start everything; Ctrl-C stops it")
    run.add_argument("--data-dir", default=data_dir)
    run.add_argument("--port", type=int, default=int(os.environ.get("GATEWAY_PORT", "8000")))
    run.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", DEFAULT_AMQP_URI))
    run.add_argument("--workers", type=int, default=None, help="gunicorn workers (default 2)")
    run.add_argument("--instances", nargs="*", default=[], metavar="NAME=N", help="e.g. customer=3")
    run.add_argument("--services", default=None, help="comma-separated subset of services")
    run.add_argument("--no-gateway", action="store_true")
    run.add_argument("--ready-timeout", type=float, default=120.0)
    run.add_argument(
        "--start-retries",
        type=int,
        default=10,
        help="quick exits in a row (back-off 1 s, 2 s, ...) before supervisord gives up",
    )

    ctl = commands.add_parser("ctl", help="supervisorctl of the running suite (status, restart X)")
    ctl.add_argument("--data-dir", default=data_dir)
    ctl.add_argument("args", nargs=argparse.REMAINDER, help="e.g. status; restart aftersales:x")

    create = commands.add_parser("vhost-create", help="create a vhost; prints its AMQP URI")
    create.add_argument("name", nargs="?")
    create.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", DEFAULT_AMQP_URI))

    delete = commands.add_parser("vhost-delete", help="delete a vhost (name or AMQP URI)")
    delete.add_argument("name")

    prune = commands.add_parser("vhost-prune", help="delete left-over test vhosts")
    prune.add_argument("--prefix", default=TEST_VHOST_PREFIX)

    args = parser.parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "ctl":
        return _ctl(args)
    if args.command == "vhost-create":
        print(create_vhost(args.name, amqp_uri=args.amqp_uri))
        return 0
    if args.command == "vhost-delete":
        delete_vhost(args.name)
        return 0
    if args.command == "vhost-prune":
        if not args.prefix:
            raise SystemExit("--prefix must not be empty")
        for name in list_vhosts():
            if name.startswith(args.prefix):
                delete_vhost(name)
                print(f"deleted {name}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
