"""Throughput and latency through the gateway, next to a bare Flask + one-RPC baseline.

``make bench`` (or ``python bench/run.py --clients 8 --duration 10``) does, on a broker
vhost and a data directory of its own:

1. starts the customer service and the gateway (deploy/suite.py), creates a user with
   role sales_manager through the admin and logs in;
2. measures ``GET /api/v1/customers/{id}`` and ``POST /api/v1/customers``;
3. stops them, starts the baseline (bench/baseline: nameko ``echo`` service and a Flask
   app doing one RPC per request, under the same gunicorn settings) and measures
   ``GET /echo/{id}`` and ``POST /echo``;
4. prints a table and the ratio gateway/baseline, and writes bench/results/latest.json.

A benchmark, not a test: it prints figures and never fails on them. Client, broker,
services and gateway share this machine's cores, so compare runs on one machine only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
BASELINE_DIR = REPO / "bench" / "baseline"
RESULTS_DIR = REPO / "bench" / "results"
sys.path.insert(0, str(REPO / "deploy"))

import suite as suite_module  # noqa: E402

CUSTOMER = {
    "name": "华东机电有限公司",
    "nature": "distributor",
    "region": "华东",
    "owner": "sales1",
}


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    mean_ms: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def load(
    name: str,
    call: Callable[[requests.Session], requests.Response],
    expected: int,
    clients: int,
    duration: float,
    warmup: float,
    session_factory: Callable[[], requests.Session],
) -> Result:
    """``clients`` threads call in a loop for warmup + duration seconds; only the last
    ``duration`` seconds count. A response other than ``expected`` is an error."""
    start = time.monotonic()
    measure_from = start + warmup
    stop_at = measure_from + duration
    samples: list[list[tuple[float, float, bool]]] = [[] for _ in range(clients)]

    def client(index: int) -> None:
        session = session_factory()
        own = samples[index]
        while True:
            begun = time.monotonic()
            if begun >= stop_at:
                break
            try:
                ok = call(session).status_code == expected
            except requests.RequestException:
                ok = False
            own.append((begun, time.monotonic() - begun, ok))
        session.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counted = [s for per_client in samples for s in per_client if s[0] >= measure_from]
    latencies = sorted(s[1] * 1000 for s in counted if s[2])
    errors = sum(1 for s in counted if not s[2])
    return Result(
        name=name,
        requests=len(latencies),
        errors=errors,
        seconds=duration,
        rps=len(latencies) / duration,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        mean_ms=statistics.fmean(latencies) if latencies else float("nan"),
    )


def bearer_session(token: str) -> Callable[[], requests.Session]:
    def make() -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        return session

    return make


def login(base: str, username: str, password: str) -> str:
    response = requests.post(
        f"{base}/auth/token", json={"username": username, "password": password}, timeout=15
    )
    response.raise_for_status()
    return response.json()["access_token"]


def bench_gateway(args: argparse.Namespace, amqp_uri: str, data_dir: Path) -> list[Result]:
    admin_password = uuid.uuid4().hex
    the_suite = suite_module.Suite(
        data_dir / "suite",
        gateway_port=free_port(),
        amqp_uri=amqp_uri,
        services=["customer"],
        instances={"customer": args.instances},
        gateway_workers=args.workers,
        env_overrides={
            "AFTERSALES_ADMIN_PASSWORD": admin_password,
            "READY_SERVICES": "customer",
            "LOG_LEVEL": "WARNING",
        },
    )
    with the_suite:
        base = the_suite.url
        admin = bearer_session(login(base, "admin", admin_password))()
        password = uuid.uuid4().hex
        created = admin.post(
            f"{base}/users",
            json={
                "username": "bench_manager",
                "password": password,
                "roles": ["sales_manager"],
                "department": "sales",
            },
            timeout=15,
        )
        if created.status_code != 201:
            raise SystemExit(
                f"could not create the bench user: {created.status_code} {created.text}"
            )
        sessions = bearer_session(login(base, "bench_manager", password))
        first = sessions().post(f"{base}/api/v1/customers", json=CUSTOMER, timeout=15)
        if first.status_code != 201:
            raise SystemExit(f"could not create a customer: {first.status_code} {first.text}")
        customer_id = first.json()["id"]
        results = [
            load(
                "gateway GET /api/v1/customers/{id}",
                lambda s: s.get(f"{base}/api/v1/customers/{customer_id}", timeout=30),
                200,
                args.clients,
                args.duration,
                args.warmup,
                sessions,
            ),
            load(
                "gateway POST /api/v1/customers",
                lambda s: s.post(f"{base}/api/v1/customers", json=CUSTOMER, timeout=30),
                201,
                args.clients,
                args.duration,
                args.warmup,
                sessions,
            ),
        ]
    return results


def _spawn(key: str, argv: list[str], log_path: Path, env: dict[str, str]):
    """A process in its own group, stopped like the suite's (``stop_groups``)."""
    managed = suite_module.Managed(key, argv, log_path)
    with open(log_path, "ab") as log:
        managed.process = subprocess.Popen(
            argv,
            cwd=BASELINE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return managed


def bench_baseline(args: argparse.Namespace, amqp_uri: str, data_dir: Path) -> list[Result]:
    logs = data_dir / "baseline"
    logs.mkdir(parents=True, exist_ok=True)
    config = logs / "echo.yaml"
    config.write_text(json.dumps({"AMQP_URI": amqp_uri}))  # JSON is YAML
    port = free_port()
    env = {**os.environ, "AMQP_URI": amqp_uri, "PYTHONUNBUFFERED": "1"}
    processes = [
        _spawn(
            "echo",
            [sys.executable, "-m", "nameko", "run", "--config", str(config), "echo_service"],
            logs / "echo.log",
            env,
        ),
        _spawn(
            "app",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-k",
                "gthread",
                "-w",
                str(args.workers),
                "--threads",
                os.environ.get("GATEWAY_THREADS", "8"),
                "-b",
                f"127.0.0.1:{port}",
                "app:app",
            ],
            logs / "app.log",
            env,
        ),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/echo/ready", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            dead = [m for m in processes if not m.alive]
            if dead or time.monotonic() > deadline:
                tails = "\n".join(
                    f"--- {p} ---\n{suite_module.tail(p)}" for p in sorted(logs.glob("*.log"))
                )
                raise SystemExit(f"the baseline did not start\n{tails}")
            time.sleep(0.25)
        return [
            load(
                "baseline GET /echo/{id} (1 RPC)",
                lambda s: s.get(f"{base}/echo/4f1c2a", timeout=30),
                200,
                args.clients,
                args.duration,
                args.warmup,
                requests.Session,
            ),
            load(
                "baseline POST /echo (1 RPC)",
                lambda s: s.post(f"{base}/echo", json=CUSTOMER, timeout=30),
                201,
                args.clients,
                args.duration,
                args.warmup,
                requests.Session,
            ),
        ]
    finally:
        suite_module.stop_groups(processes, signal.SIGTERM, 20.0)


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
        return out.stdout.strip() or None
    except OSError:
        return None


def table(results: list[Result]) -> str:
    lines = [f"{'path':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}"]
    for r in results:
        lines.append(
            f"{r.name:<40} {r.rps:>8.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} "
            f"{r.requests:>9} {r.errors:>7}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per path")
    parser.add_argument("--warmup", type=float, default=2.0, help="uncounted seconds first")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GATEWAY_WORKERS", "2")))
    parser.add_argument(
        "--amqp-uri", default=os.environ.get("AMQP_URI", suite_module.DEFAULT_AMQP_URI)
    )
    parser.add_argument("--only", choices=["gateway", "baseline"], default=None)
    parser.add_argument(
        "--instances", type=int, default=1, help="customer service processes behind the gateway"
    )
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="aftersales-bench-"))
    results: list[Result] = []
    print(
        f"{args.clients} clients, {args.warmup:g} s warm-up + {args.duration:g} s per path, "
        f"gunicorn -k gthread -w {args.workers}, customer x{args.instances}; data in {data_dir}",
        flush=True,
    )
    failed = True
    try:
        with suite_module.temporary_vhost(args.amqp_uri) as amqp_uri:
            if args.only in (None, "gateway"):
                results += bench_gateway(args, amqp_uri, data_dir)
            if args.only in (None, "baseline"):
                results += bench_baseline(args, amqp_uri, data_dir)
        failed = False
    finally:
        if failed:
            print(f"logs kept in {data_dir}", file=sys.stderr)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)

    print()
    print(table(results))
    by_name = {r.name.split()[0] + " " + r.name.split()[1]: r for r in results}
    ratios = {}
    for method in ("GET", "POST"):
        gateway, baseline = by_name.get(f"gateway {method}"), by_name.get(f"baseline {method}")
        if gateway and baseline and baseline.rps:
            ratios[method] = {
                "rps": gateway.rps / baseline.rps,
                "p50": gateway.p50_ms / baseline.p50_ms,
                "p99": gateway.p99_ms / baseline.p99_ms,
            }
    if ratios:
        print()
        for method, ratio in ratios.items():
            print(
                f"gateway/baseline {method:<4}  req/s x{ratio['rps']:.2f}   "
                f"p50 x{ratio['p50']:.2f}   p99 x{ratio['p99']:.2f}"
            )

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    report = {
        "at": datetime.now(UTC).isoformat(),
        "commit": git_commit(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "settings": {
            "clients": args.clients,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "gunicorn": f"-k gthread -w {args.workers}",
            "customer_instances": args.instances,
        },
        "results": [asdict(r) for r in results],
        "ratios_gateway_over_baseline": ratios,
    }
    out = RESULTS_DIR / "latest.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
