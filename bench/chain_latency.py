"""Chain latency at a steady rate of flows: plan accepted -> authorization, sign-off -> voucher.

``make bench-chain`` (or ``python bench/chain_latency.py --rate 20 --duration 15``) does,
on a broker vhost and a data directory of its own:

1. starts all four services and the gateway (deploy/suite.py) and creates, through the
   admin, one user per role the chain needs;
2. set-up, not measured: a few customers (created by a sales clerk, approved by a sales
   manager) that finance knows (their ledger answers 200, rule X1); then one complaint
   per flow taken up to "plan approved": registered and accepted by a cs_agent,
   investigated by quality, a plan with one return action (2 x P-100) posted and
   approved by a cs_manager (rule P6); it waits until the broker's queues are empty;
3. starts one flow every 1/``--rate`` seconds for ``--warmup`` + ``--duration``
   seconds, each at its planned time however the earlier ones are doing (open loop; a
   thread pool of ``--threads`` runs them). A flow:

   - ``POST /complaints/{id}/plans/{plan}/customer-response`` accepted; t0 = answered
     (rule P7: complaints.plan_accepted goes out);
   - polls ``GET /returns?complaint_id=`` every ``--poll`` seconds; t1 = the answer that
     shows the return authorization (returns made it from the event, rule P8, rule R1);
   - two scans ``POST /returns/{id}/receipts`` and ``POST /returns/{id}/sign-off``;
     t2 = the sign-off answered (returns.return_received goes out, rule R6);
   - polls ``GET /finance/vouchers?complaint_id=`` every ``--poll`` seconds; t3 = the
     answer that shows the return_credit voucher (finance reconciled, rule F1, and
     issued it, rule F3);

4. prints p50/p90/p99/max of t1 - t0 and t3 - t2 over the flows started after the
   warm-up, flows completed and failed, the achieved arrival rate, the flows in flight
   second by second and whether the rate was sustained (flows that take longer and
   longer, a drain after the last arrival: a backlog); writes
   bench/results/chain_latency.json.

Each latency is read by polling: its resolution is the poll interval plus one GET. A
benchmark: it never fails on a figure (only when the set-up cannot be done). Client,
broker, services and gateway share this machine's cores, so compare runs on one machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import sys
import threading
import time
import urllib.error
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests
from run import (
    REPO,
    RESULTS_DIR,
    bearer_session,
    free_port,
    git_commit,
    login,
    percentile,
    suite_module,
)
from scanner_receipts import new_user, scratch_dir

ROLES = (
    "sales_clerk",
    "sales_manager",
    "cs_agent",
    "quality",
    "cs_manager",
    "warehouse",
    "finance",
)
SKU, QUANTITY, UNIT_PRICE = "P-100", 2, "100.00"  # 200.00: a cs_manager approves (rule P6)
CARD = {
    "nature": "distributor",
    "region": "华东",
    "settlement_terms": "net_30",
    "discount": "0.90",
    "credit_limit": "500000.00",
    "over_acceptance_ratio": "0.05",
}
TIMEOUT = 30  # seconds per HTTP request


class StepFailed(Exception):
    """A flow (or the set-up) got an answer it did not expect, or waited too long."""


@dataclass(frozen=True)
class Case:
    complaint_id: str
    plan_id: str


@dataclass
class Flow:
    """One flow's times (time.monotonic()); None until reached."""

    index: int
    planned: float
    measured: bool  # planned after the warm-up
    started: float | None = None
    t0: float | None = None  # customer-response answered
    t1: float | None = None  # authorization seen
    t2: float | None = None  # sign-off answered
    t3: float | None = None  # return_credit voucher seen
    finished: float | None = None
    accept_seconds: float | None = None  # the customer-response POST itself
    receive_seconds: float | None = None  # two scans + sign-off
    last_poll_seconds: list[float] | None = None  # the GETs that saw t1 and t3
    # the services' own clocks (one machine): plan responded_at -> authorization
    # created_at, and return received_at -> voucher issued_at, in seconds
    server_authorization: float | None = None
    server_voucher: float | None = None
    requests: int = 0
    step: str = "customer-response"  # the step under way, or the last one
    failed: str | None = None


class Api:
    """One ``requests.Session`` per thread; each call names the role it acts as."""

    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        self.base = base
        self.headers = {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}
        self._local = threading.local()

    def call(self, role: str, method: str, path: str, **kwargs) -> requests.Response:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session.request(
            method,
            f"{self.base}/api/v1{path}",
            headers=self.headers[role],
            timeout=TIMEOUT,
            **kwargs,
        )

    def expect(self, role: str, method: str, path: str, status: int, **kwargs) -> dict:
        answer = self.call(role, method, path, **kwargs)
        if answer.status_code != status:
            raise StepFailed(f"{method} {path} as {role}: {answer.status_code} {answer.text[:200]}")
        return answer.json()


# --- set-up (not measured) ----------------------------------------------------------------


def new_customer(api: Api, n: int) -> str:
    card = api.expect(
        "sales_clerk", "POST", "/customers", 201, json={**CARD, "name": f"基准客户{n}号"}
    )
    approved = api.expect("sales_manager", "POST", f"/customers/{card['id']}/approve", 200)
    if approved["status"] != "active":
        raise StepFailed(f"customer {card['id']} not active: {approved['status']}")
    return card["id"]


def wait_known_to_finance(api: Api, customer_id: str, timeout: float = 60) -> None:
    """Finance's copy of the customer (rule X1) comes from customer.customer_approved."""
    deadline = time.monotonic() + timeout
    while api.call("finance", "GET", f"/finance/customers/{customer_id}/ledger").status_code != 200:
        if time.monotonic() > deadline:
            raise StepFailed(f"finance does not know customer {customer_id} after {timeout:g} s")
        time.sleep(0.2)


def approved_plan(api: Api, customer_id: str, n: int) -> Case:
    """A complaint taken up to "plan approved", the customer's answer still to come."""
    case = api.expect(
        "cs_agent",
        "POST",
        "/complaints",
        201,
        json={
            "customer_id": customer_id,
            "channel": "hotline",
            "order_no": f"SO-BENCH-{n:05d}",
            "ship_date": (date.today() - timedelta(days=7)).isoformat(),
            "description": "电机异响，客户要求退货",
            "request": "return",
            "lines": [{"sku": SKU, "quantity": QUANTITY, "unit_price": UNIT_PRICE}],
        },
    )
    url = f"/complaints/{case['id']}"
    api.expect("cs_agent", "POST", f"{url}/accept", 200, json={"promised_days": 7})
    api.expect(
        "quality",
        "POST",
        f"{url}/investigation",
        200,
        json={
            "findings": "轴承装配不良",
            "cause": "装配工艺",
            "cause_category": "non_sales",
            "responsibility": [{"department": "production", "person": "装配一组", "share": "1.00"}],
        },
    )
    actions = [
        {
            "type": "return",
            "lines": [{"sku": SKU, "quantity": QUANTITY, "unit_price": UNIT_PRICE}],
        }
    ]
    plan = api.expect("cs_agent", "POST", f"{url}/plans", 201, json={"actions": actions})
    api.expect("cs_manager", "POST", f"{url}/plans/{plan['id']}/approve", 200)
    return Case(case["id"], plan["id"])


def queue_depths(amqp_uri: str) -> dict[str, int]:
    """Messages (ready + unacknowledged) per queue of the vhost that some process consumes
    (topology also declares queues of handlers no service has yet, which only fill up),
    from the management API, whose figures may be a few seconds old."""
    vhost = urllib.parse.quote(suite_module.vhost_of(amqp_uri), safe="")
    queues = suite_module._management(
        "GET",
        suite_module.management_url(amqp_uri),
        f"/queues/{vhost}?columns=name,messages,consumers",
    )
    return {q["name"]: int(q.get("messages") or 0) for q in queues if q.get("consumers")}


def wait_quiet(amqp_uri: str, timeout: float = 180) -> None:
    """Until the vhost's consumed queues are empty six reads in a row, a second apart (the
    management API refreshes its figures every 5 s)."""
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 6:
        try:
            busy = sum(queue_depths(amqp_uri).values())
        except (OSError, ValueError, urllib.error.URLError):
            return  # no management API: measure at once
        quiet = quiet + 1 if busy == 0 else 0
        if time.monotonic() > deadline:
            print(f"  (queues still hold {busy} messages; measuring anyway)", flush=True)
            return
        time.sleep(1)


def prepare(api: Api, args: argparse.Namespace, amqp_uri: str) -> list[Case]:
    count = math.ceil(args.rate * (args.warmup + args.duration))
    customers = [new_customer(api, n) for n in range(args.customers)]
    for customer_id in customers:
        wait_known_to_finance(api, customer_id)
    begun = time.monotonic()
    with ThreadPoolExecutor(args.setup_clients) as pool:
        cases = list(
            pool.map(lambda n: approved_plan(api, customers[n % len(customers)], n), range(count))
        )
    wait_quiet(amqp_uri)
    print(
        f"set-up: {len(customers)} customers, {count} cases at plan approved in "
        f"{time.monotonic() - begun:.0f} s",
        flush=True,
    )
    return cases


# --- the measured flows ---------------------------------------------------------------------


def poll(
    api: Api,
    flow: Flow,
    role: str,
    path: str,
    params: dict,
    seen: Callable[[dict], object],
    interval: float,
    timeout: float,
) -> tuple[object, float]:
    """GET until ``seen(body)`` is truthy; answers it and when that answer arrived."""
    deadline = time.monotonic() + timeout
    while True:
        begun = time.monotonic()
        answer = api.call(role, "GET", path, params=params)
        answered = time.monotonic()
        flow.requests += 1
        if answer.status_code != 200:
            raise StepFailed(f"GET {path}: {answer.status_code} {answer.text[:200]}")
        found = seen(answer.json())
        if found:
            flow.last_poll_seconds = [*(flow.last_poll_seconds or []), answered - begun]
            return found, answered
        if answered > deadline:
            raise StepFailed(f"GET {path}: not there {timeout:g} s after the step before")
        time.sleep(interval)


def stamp(value: str | None) -> datetime | None:
    """A service's ISO time (UTC when it names no zone)."""
    if not value:
        return None
    at = datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def between(earlier: str | None, later: str | None) -> float | None:
    first, then = stamp(earlier), stamp(later)
    return (then - first).total_seconds() if first and then else None


def run_flow(api: Api, case: Case, flow: Flow, interval: float, timeout: float) -> None:
    flow.started = time.monotonic()
    try:
        url = f"/complaints/{case.complaint_id}/plans/{case.plan_id}/customer-response"
        accepted = api.expect("cs_agent", "POST", url, 200, json={"accepted": True})
        flow.t0 = time.monotonic()
        flow.requests += 1
        flow.accept_seconds = flow.t0 - flow.started
        if accepted["status"] != "executing":
            raise StepFailed(f"customer-response: case {accepted['status']}")

        (plan,) = [p for p in accepted.get("plans", []) if p["id"] == case.plan_id] or [{}]

        def authorization(body: dict) -> dict | None:
            return body["items"][0] if body["items"] else None

        flow.step = "authorization visible"
        found, flow.t1 = poll(
            api,
            flow,
            "warehouse",
            "/returns",
            {"complaint_id": case.complaint_id},
            authorization,
            interval,
            timeout,
        )
        return_id = found["id"]
        flow.server_authorization = between(plan.get("responded_at"), found.get("created_at"))
        flow.step, begun = "scans and sign-off", time.monotonic()
        for n in range(2):
            scan = f"{return_id}-{n}"
            lines = [{"sku": SKU, "quantity": QUANTITY // 2, "lot": "L2611"}]
            body = {"scan_id": scan, "scanner_id": "GUN1", "lines": lines}
            api.expect("warehouse", "POST", f"/returns/{return_id}/receipts", 201, json=body)
            flow.requests += 1
        signed = api.expect("warehouse", "POST", f"/returns/{return_id}/sign-off", 200)
        flow.t2 = time.monotonic()
        flow.requests += 1
        flow.receive_seconds = flow.t2 - begun
        if signed["status"] != "received":
            raise StepFailed(f"sign-off: return {signed['status']}")

        def return_credit(body: dict) -> dict | None:
            return next((v for v in body["items"] if v["type"] == "return_credit"), None)

        flow.step = "voucher visible"
        voucher, flow.t3 = poll(
            api,
            flow,
            "finance",
            "/finance/vouchers",
            {"complaint_id": case.complaint_id},
            return_credit,
            interval,
            timeout,
        )
        flow.server_voucher = between(signed.get("received_at"), voucher.get("issued_at"))
    except (StepFailed, requests.RequestException) as exc:
        flow.failed = f"{type(exc).__name__}: {exc}"
    finally:
        flow.finished = time.monotonic()


@contextlib.contextmanager
def sampling(flows: list[Flow], amqp_uri: str, every: float = 1.0) -> Iterator[list[dict]]:
    """Once a second: flows waiting for a thread, in flight, and the broker's messages."""
    samples: list[dict] = []
    stop = threading.Event()

    def sample() -> None:
        begun = time.monotonic()
        while not stop.wait(every):
            now = time.monotonic()
            due = [f for f in flows if f.planned <= now]
            try:
                broker = sum(queue_depths(amqp_uri).values())
            except (OSError, ValueError, urllib.error.URLError):
                broker = None
            samples.append(
                {
                    "second": round(now - begun),
                    "waiting_for_thread": sum(1 for f in due if f.started is None),
                    "in_flight": sum(1 for f in due if f.started and f.finished is None),
                    "done": sum(1 for f in due if f.finished is not None),
                    "broker_messages": broker,
                }
            )

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        stop.set()
        thread.join()


def drive(api: Api, cases: list[Case], args: argparse.Namespace, amqp_uri: str) -> dict:
    """Starts flow i at start + i / rate, whatever the flows before it are doing."""
    start = time.monotonic() + 0.5
    flows = [
        Flow(index=i, planned=start + i / args.rate, measured=i / args.rate >= args.warmup)
        for i in range(len(cases))
    ]
    with (
        sampling(flows, amqp_uri) as samples,
        ThreadPoolExecutor(args.threads, thread_name_prefix="flow") as pool,
    ):
        for case, flow in zip(cases, flows, strict=True):
            delay = flow.planned - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(run_flow, api, case, flow, args.poll, args.timeout)
        last_arrival, load = time.monotonic(), os.getloadavg()
        in_flight = sum(1 for f in flows if f.started and f.finished is None)
    return {
        "flows": flows,
        "samples": samples,
        "start": start,
        "last_arrival": last_arrival,
        "load_average_at_last_arrival": load,
        "in_flight_at_last_arrival": in_flight,
    }


# --- figures --------------------------------------------------------------------------------


@dataclass
class Spread:
    name: str
    n: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float


def spread(name: str, seconds: list[float]) -> Spread:
    ms = sorted(s * 1000 for s in seconds)
    return Spread(
        name=name,
        n=len(ms),
        p50_ms=percentile(ms, 0.50),
        p90_ms=percentile(ms, 0.90),
        p99_ms=percentile(ms, 0.99),
        max_ms=ms[-1] if ms else float("nan"),
    )


def figures(run: dict, args: argparse.Namespace) -> dict:
    flows: list[Flow] = run["flows"]
    measured = [f for f in flows if f.measured]
    done = [f for f in measured if f.failed is None and f.t3 is not None]
    failed = [f for f in measured if f.failed is not None]
    starts = sorted(f.started for f in measured if f.started is not None)
    achieved = (len(starts) - 1) / (starts[-1] - starts[0]) if len(starts) > 1 else float("nan")
    by_third = [done[i * len(done) // 3 : (i + 1) * len(done) // 3] for i in range(3)]
    whole = [median([f.finished - f.started for f in part]) for part in by_third]
    finished = [f.finished for f in flows if f.finished is not None]
    latencies = [
        spread("plan accepted -> authorization seen", [f.t1 - f.t0 for f in done]),
        spread(
            "  service clocks: accepted -> created",
            [f.server_authorization for f in done if f.server_authorization is not None],
        ),
        spread("sign-off -> return_credit voucher seen", [f.t3 - f.t2 for f in done]),
        spread(
            "  service clocks: received -> issued",
            [f.server_voucher for f in done if f.server_voucher is not None],
        ),
        spread("customer-response POST", [f.accept_seconds for f in done]),
        spread("two scans + sign-off POSTs", [f.receive_seconds for f in done]),
        spread("a poll that saw it (GET)", [s for f in done for s in f.last_poll_seconds]),
        spread("start lag (planned -> started)", [f.started - f.planned for f in measured]),
        spread("whole flow", [f.finished - f.started for f in done]),
    ]
    span = (max(finished) - run["start"]) if finished else float("nan")
    requests_sent = sum(f.requests for f in flows)
    drain = (max(finished) - run["last_arrival"]) if finished else float("nan")
    reasons = []
    if not achieved >= 0.95 * args.rate:
        reasons.append(f"arrivals {achieved:.1f}/s of {args.rate:g}/s")
    if failed:
        reasons.append(f"{len(failed)} flows failed")
    if whole[2] > 2 * whole[0] and whole[2] > 1.0:
        reasons.append(f"flows take longer and longer ({whole[0]:.1f} s -> {whole[2]:.1f} s)")
    if drain > 5.0:
        reasons.append(f"{drain:.0f} s to drain after the last arrival")
    return {
        "flows": {
            "planned": len(flows),
            "warmup": len(flows) - len(measured),
            "measured": len(measured),
            "completed": len(done),
            "failed": len(failed),
            "failures": dict(Counter(f"{f.step}: {f.failed.split(':')[0]}" for f in failed)),
            "first_failure": failed[0].failed if failed else None,
        },
        "arrival_per_s": {"target": args.rate, "achieved": achieved},
        "latencies": [asdict(s) for s in latencies],
        "whole_flow_median_s_by_third": whole,
        "drain_s_after_last_arrival": drain,
        "in_flight_at_last_arrival": run["in_flight_at_last_arrival"],
        "http_requests": {"sent": requests_sent, "per_s": requests_sent / span},
        "in_flight_by_second": run["samples"],
        "load_average_at_last_arrival": run["load_average_at_last_arrival"],
        "sustained": not reasons,
        "not_sustained_because": reasons,
    }


def median(values: list[float]) -> float:
    return percentile(sorted(values), 0.5)


def print_figures(result: dict, args: argparse.Namespace) -> None:
    flows, arrival = result["flows"], result["arrival_per_s"]
    print(
        f"\nflows: {flows['measured']} measured (+{flows['warmup']} warm-up): "
        f"{flows['completed']} completed, {flows['failed']} failed"
    )
    for reason, n in flows["failures"].items():
        print(f"  failed x{n}: {reason}")
    if flows["first_failure"]:
        print(f"  the first: {flows['first_failure']}")
    print(f"arrivals: target {arrival['target']:g}/s, achieved {arrival['achieved']:.2f}/s")
    load = ", ".join(f"{x:.1f}" for x in result["load_average_at_last_arrival"])
    print(f"load average at the last arrival: {load} (1, 5, 15 min; {os.cpu_count()} cores)")
    head = "latency, ms"
    print(f"\n{head:<40} {'n':>5} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7}")
    for s in result["latencies"]:
        print(
            f"{s['name']:<40} {s['n']:>5} {s['p50_ms']:>7.0f} {s['p90_ms']:>7.0f} "
            f"{s['p99_ms']:>7.0f} {s['max_ms']:>7.0f}"
        )
    print(
        f'("seen": by a client polling every {args.poll * 1000:.0f} ms, so within the poll '
        'interval plus one GET;\n "service clocks": the plan\'s responded_at to the '
        "authorization's created_at, the return's\n received_at to the voucher's issued_at, "
        "as the services stamped them: the event path, no polling)"
    )
    whole = result["whole_flow_median_s_by_third"]
    samples = result["in_flight_by_second"]
    print(
        "\nwhole flow, median of the 1st / 2nd / 3rd third: "
        + " / ".join(f"{w:.2f} s" for w in whole)
    )
    print(f"in flight by second: {[s['in_flight'] for s in samples]}")
    print(f"waiting for a thread by second: {[s['waiting_for_thread'] for s in samples]}")
    print(f"broker messages by second: {[s['broker_messages'] for s in samples]}")
    print(
        f"in flight at the last arrival: {result['in_flight_at_last_arrival']}; "
        f"drain after it: {result['drain_s_after_last_arrival']:.1f} s; "
        f"HTTP requests {result['http_requests']['sent']} "
        f"({result['http_requests']['per_s']:.0f}/s, polls included)"
    )
    if result["sustained"]:
        print(f"\n{args.rate:g} flows/s sustained on this machine")
    else:
        print(
            f"\n{args.rate:g} flows/s NOT sustained on this machine: "
            + "; ".join(result["not_sustained_because"])
        )


# --- main -----------------------------------------------------------------------------------


def suite_environment(args: argparse.Namespace, admin_password: str) -> dict[str, str]:
    env = {"AFTERSALES_ADMIN_PASSWORD": admin_password, "LOG_LEVEL": "WARNING"}
    if args.outbox_poll is not None:
        env["OUTBOX_POLL_SECONDS"] = str(args.outbox_poll)
    return env


@contextlib.contextmanager
def databases(kind: str) -> Iterator[dict[str, str]]:
    """SQLite (the suite's default, nothing to set) or a fresh PostgreSQL database per owner."""
    if kind == "sqlite":
        yield {}
        return
    from servicekit.testing import postgres_database

    with contextlib.ExitStack() as stack:
        yield {
            f"{owner.upper()}_DATABASE_URL": stack.enter_context(
                postgres_database(f"aftersales_bench_{owner}")
            )
            for owner in (*suite_module.SERVICES, "gateway")
        }


def bench(args: argparse.Namespace, amqp_uri: str, data_dir: Path) -> dict:
    admin_password = uuid.uuid4().hex
    with (
        databases(args.db) as database_env,
        suite_module.Suite(
            data_dir / "suite",
            gateway_port=free_port(),
            amqp_uri=amqp_uri,
            gateway_workers=args.workers,
            env_overrides={**suite_environment(args, admin_password), **database_env},
        ) as the_suite,
    ):
        base = the_suite.url
        admin = bearer_session(login(base, "admin", admin_password))()
        api = Api(base, {role: new_user(admin, base, role, role) for role in ROLES})
        try:
            cases = prepare(api, args, amqp_uri)
        except StepFailed as exc:
            raise SystemExit(f"set-up failed: {exc}") from exc
        run = drive(api, cases, args, amqp_uri)
        return figures(run, args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=20.0, help="flows started per second")
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds of arrivals")
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds of uncounted flows first"
    )
    parser.add_argument("--poll", type=float, default=0.05, help="seconds between two polls")
    parser.add_argument("--timeout", type=float, default=60.0, help="longest wait for a step")
    parser.add_argument("--threads", type=int, default=400, help="threads that run the flows")
    parser.add_argument("--customers", type=int, default=4)
    parser.add_argument("--setup-clients", type=int, default=8, help="threads of the set-up")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GATEWAY_WORKERS", "2")))
    parser.add_argument(
        "--outbox-poll",
        type=float,
        default=None,
        help="OUTBOX_POLL_SECONDS of the services (default: theirs, 1.0; a commit wakes the relay)",
    )
    parser.add_argument(
        "--amqp-uri", default=os.environ.get("AMQP_URI", suite_module.DEFAULT_AMQP_URI)
    )
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.duration <= 0 or args.poll <= 0:
        parser.error("--rate, --duration and --poll must be positive")

    outbox_poll = args.outbox_poll or float(os.environ.get("OUTBOX_POLL_SECONDS", "1.0"))
    threads = os.environ.get("GATEWAY_THREADS", "8")
    settings = {
        "rate_per_s": args.rate,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "poll_s": args.poll,
        "timeout_s": args.timeout,
        "threads": args.threads,
        "customers": args.customers,
        "db": args.db,
        "gunicorn": f"-k gthread -w {args.workers} --threads {threads}",
        "service_instances": dict.fromkeys(suite_module.SERVICES, 1),
        "OUTBOX_POLL_SECONDS": outbox_poll,
    }
    with scratch_dir() as data_dir, suite_module.temporary_vhost(args.amqp_uri) as amqp_uri:
        print(
            f"{args.rate:g} flows/s for {args.warmup:g} s warm-up + {args.duration:g} s, "
            f"poll every {args.poll * 1000:.0f} ms, {args.threads} threads; all four services "
            f"x1 on {args.db}, OUTBOX_POLL_SECONDS={outbox_poll:g} (a commit also wakes the "
            f"relay), gunicorn {settings['gunicorn']}; load average "
            f"{os.getloadavg()[0]:.1f}; data in {data_dir}",
            flush=True,
        )
        load_before = os.getloadavg()
        result = bench(args, amqp_uri, data_dir)
        load_after = os.getloadavg()

    print_figures(result, args)
    report = {
        "settings": settings,
        **result,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": load_before,
            "load_average_after": load_after,
        },
        "commit": git_commit(),
        "at": datetime.now(UTC).isoformat(),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / "chain_latency.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
