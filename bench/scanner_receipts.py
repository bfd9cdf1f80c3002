"""Scanner receipts per second through the gateway, one post in five a resent scan (rule R2).

``make bench-scans`` (or ``python bench/scanner_receipts.py --clients 8 --returns 4
--duration 10``) does, on a broker vhost and a data directory of its own:

1. starts the returns service and the gateway (deploy/suite.py; the returns service
   asks no other service about a sales return request, so nothing else is needed) and
   creates, through the admin, a sales clerk, a market manager and one warehouse API
   key per scanner;
2. files ``--returns`` sales return requests (no complaint) and approves them: each
   answer's ``return_id`` is an authorization of three skus;
3. ``--clients`` scanner threads post ``POST /api/v1/returns/{id}/receipts`` for
   warm-up + duration seconds, each with its own API key; scanner *i* posts to
   authorization *i* mod ``--returns``, so several scanners share a return (and its row
   lock) while the others work on other returns. Every fifth post of a scanner resends
   an earlier scan unchanged, picked among the last 50 scans of any scanner, so some
   resends race their original;
4. resends, untimed, every scan that got no 200/201 (what a scanner does when unsure);
5. reads each authorization back and checks that its received quantities add up to the
   unique scans' quantities, one receipt per unique scan, and that no scan was answered
   201 twice; prints OK, or MISMATCH with the figures and exits 1.

It prints requests/s, p50 and p99 of new scans, resent scans and all posts (only the
last ``duration`` seconds count), the 201/200/other counts, and writes
bench/results/scanner_receipts.json. A benchmark: the figures never fail it, only the
totals check does (a correctness check). Client, broker, service and gateway share this
machine's cores, so compare runs on one machine only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
from run import (
    REPO,
    RESULTS_DIR,
    Result,
    bearer_session,
    free_port,
    git_commit,
    login,
    percentile,
    suite_module,
    table,
)

SKUS = ("P-1", "P-2", "P-3")
AUTHORIZED = 100_000  # per sku: scans never run out of authorization (more is fine anyway)
RESEND_EVERY = 5  # one post in five resends an earlier scan
RECENT = 50  # a resend picks among the last RECENT scans of any scanner
NEW, RESENT = "new", "resent"


@dataclass(frozen=True)
class Scan:
    scan_id: str
    return_id: str
    body: dict

    def quantities(self) -> Counter:
        counted: Counter = Counter()
        for line in self.body["lines"]:
            counted[line["sku"]] += line["quantity"]
        return counted


@dataclass(frozen=True)
class Post:
    scan_id: str
    kind: str  # NEW or RESENT: what the scanner meant to send
    begun: float
    seconds: float
    status: int  # 0: no answer (connection error or client timeout)


@dataclass
class Scans:
    """Every scan sent so far (by scan_id) and the last few, shared by the scanners."""

    by_id: dict[str, Scan] = field(default_factory=dict)
    recent: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, scan: Scan) -> None:
        with self.lock:
            self.by_id[scan.scan_id] = scan
            self.recent.append(scan)

    def pick(self, rng: random.Random) -> Scan | None:
        with self.lock:
            return rng.choice(self.recent) if self.recent else None


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    """A temporary data directory, removed after a clean run and kept (for its logs)
    when the run fails."""
    path = Path(tempfile.mkdtemp(prefix="aftersales-bench-scans-"))
    try:
        yield path
    except BaseException:
        print(f"logs kept in {path}", file=sys.stderr)
        raise
    shutil.rmtree(path, ignore_errors=True)


def new_user(admin: requests.Session, base: str, role: str, department: str) -> str:
    """A user with ``role``, created by the admin; answers its access token."""
    username, password = f"bench_{role}", uuid.uuid4().hex
    created = admin.post(
        f"{base}/users",
        json={
            "username": username,
            "password": password,
            "roles": [role],
            "department": department,
        },
        timeout=15,
    )
    if created.status_code != 201:
        raise SystemExit(f"could not create {username}: {created.status_code} {created.text}")
    return login(base, username, password)


def new_scanner_key(admin: requests.Session, base: str, name: str) -> str:
    created = admin.post(
        f"{base}/api-keys", json={"name": name, "roles": ["warehouse"]}, timeout=15
    )
    if created.status_code != 201:
        raise SystemExit(f"could not create API key {name}: {created.status_code} {created.text}")
    return created.json()["key"]


def new_authorization(clerk: requests.Session, manager: requests.Session, base: str) -> str:
    """A sales return request filed and approved: the id of its return authorization."""
    filed = clerk.post(
        f"{base}/api/v1/returns/requests",
        json={
            "customer_id": f"bench-{uuid.uuid4().hex[:8]}",
            "class": "no_reason",
            "basis": "bench: scanner receipts",
            "lines": [{"sku": sku, "quantity": AUTHORIZED, "unit_price": "1.00"} for sku in SKUS],
        },
        timeout=30,
    )
    if filed.status_code != 201:
        raise SystemExit(f"could not file a return request: {filed.status_code} {filed.text}")
    decided = manager.post(
        f"{base}/api/v1/returns/requests/{filed.json()['id']}/decision",
        json={"decision": "approve"},
        timeout=30,
    )
    if decided.status_code != 200 or not decided.json().get("return_id"):
        raise SystemExit(f"could not approve the request: {decided.status_code} {decided.text}")
    return decided.json()["return_id"]


def send(session: requests.Session, base: str, scan: Scan) -> int:
    try:
        return session.post(
            f"{base}/api/v1/returns/{scan.return_id}/receipts", json=scan.body, timeout=30
        ).status_code
    except requests.RequestException:
        return 0


def scanner(
    index: int,
    session: requests.Session,
    base: str,
    return_id: str,
    scans: Scans,
    stop_at: float,
    posts: list[Post],
) -> None:
    """Posts until ``stop_at``: new scans of one or two skus, every fifth post a resend."""
    rng = random.Random(index)
    name = f"GUN{index + 1}"
    sent = 0
    while (begun := time.monotonic()) < stop_at:
        scan = scans.pick(rng) if sent % RESEND_EVERY == RESEND_EVERY - 1 else None
        kind = RESENT if scan is not None else NEW
        if scan is None:
            skus = rng.sample(SKUS, rng.choice((1, 2)))
            scan = Scan(
                scan_id=f"{name}-{sent:07d}",
                return_id=return_id,
                body={
                    "scan_id": f"{name}-{sent:07d}",
                    "scanner_id": name,
                    "lines": [
                        {"sku": sku, "quantity": rng.randint(1, 5), "lot": "L2611"} for sku in skus
                    ],
                },
            )
            scans.add(scan)  # before it is answered, so a resend may race it
        status = send(session, base, scan)
        posts.append(Post(scan.scan_id, kind, begun, time.monotonic() - begun, status))
        sent += 1
    session.close()


def settle(
    sessions: dict[str, requests.Session], base: str, scans: Scans, posts: list[Post]
) -> list[str]:
    """Resends (untimed) each scan that got no 200/201, as a scanner does when unsure,
    so the totals are known exactly; answers the scan ids still unanswered."""
    answered = {p.scan_id for p in posts if p.status in (200, 201)}
    unsure = [s for s in scans.by_id.values() if s.scan_id not in answered]
    session = next(iter(sessions.values()))
    for scan in unsure:
        for attempt in range(5):
            begun = time.monotonic()
            status = send(session, base, scan)
            posts.append(Post(scan.scan_id, "settle", begun, time.monotonic() - begun, status))
            if status in (200, 201):
                answered.add(scan.scan_id)
                break
            time.sleep(1 + attempt)
    return [s.scan_id for s in unsure if s.scan_id not in answered]


def row(name: str, posts: list[Post], duration: float) -> Result:
    ok = sorted(p.seconds * 1000 for p in posts if p.status in (200, 201))
    return Result(
        name=name,
        requests=len(ok),
        errors=len(posts) - len(ok),
        seconds=duration,
        rps=len(ok) / duration,
        p50_ms=percentile(ok, 0.50),
        p99_ms=percentile(ok, 0.99),
        mean_ms=statistics.fmean(ok) if ok else float("nan"),
    )


def check(
    reader: requests.Session, base: str, return_ids: list[str], scans: Scans, posts: list[Post]
) -> dict:
    """Per authorization: received quantities (per sku) against the unique scans', and
    its receipts against the unique scan ids; no scan created (201) twice."""
    created = Counter(p.scan_id for p in posts if p.status == 201)
    per_return = []
    for return_id in return_ids:
        answer = reader.get(f"{base}/api/v1/returns/{return_id}", timeout=120)
        answer.raise_for_status()
        body = answer.json()
        unique = [s for s in scans.by_id.values() if s.return_id == return_id]
        expected = sum((s.quantities() for s in unique), Counter())
        received = {line["sku"]: line["received_quantity"] for line in body["lines"]}
        receipts = {r["scan_id"] for r in body["receipts"]}
        per_return.append(
            {
                "return_id": return_id,
                "number": body["number"],
                "unique_scans": len(unique),
                "receipts": len(body["receipts"]),
                "expected_quantity": sum(expected.values()),
                "received_quantity": sum(received.values()),
                "ok": (
                    all(received.get(sku, 0) == expected[sku] for sku in SKUS)
                    and receipts == {s.scan_id for s in unique}
                    and len(body["receipts"]) == len(unique)
                ),
            }
        )
    return {
        "returns": per_return,
        "unique_scans": len(scans.by_id),
        "receipts": sum(r["receipts"] for r in per_return),
        "expected_quantity": sum(r["expected_quantity"] for r in per_return),
        "received_quantity": sum(r["received_quantity"] for r in per_return),
        "created_twice": sorted(scan_id for scan_id, n in created.items() if n > 1),
        "created_unseen": sum(1 for scan_id in scans.by_id if scan_id not in created),
        "ok": all(r["ok"] for r in per_return) and all(n == 1 for n in created.values()),
    }


def bench(args: argparse.Namespace, amqp_uri: str, data_dir: Path) -> dict:
    admin_password = uuid.uuid4().hex
    env = {"LOG_LEVEL": "WARNING", "READY_SERVICES": "returns"}
    env["AFTERSALES_ADMIN_PASSWORD"] = admin_password
    with suite_module.Suite(
        data_dir / "suite",
        gateway_port=free_port(),
        amqp_uri=amqp_uri,
        services=["returns"],
        instances={"returns": args.instances},
        gateway_workers=args.workers,
        env_overrides=env,
    ) as the_suite:
        base = the_suite.url
        admin = bearer_session(login(base, "admin", admin_password))()
        clerk = bearer_session(new_user(admin, base, "sales_clerk", "sales"))()
        manager = bearer_session(new_user(admin, base, "market_manager", "market"))()
        return_ids = [new_authorization(clerk, manager, base) for _ in range(args.returns)]
        sessions = {
            f"GUN{i + 1}": bearer_session(new_scanner_key(admin, base, f"scanner-{i + 1}"))()
            for i in range(args.clients)
        }
        scans = Scans()
        per_scanner: list[list[Post]] = [[] for _ in range(args.clients)]
        measure_from = time.monotonic() + args.warmup
        stop_at = measure_from + args.duration
        threads = [
            threading.Thread(
                target=scanner,
                args=(i, session, base, return_ids[i % args.returns], scans, stop_at),
                kwargs={"posts": per_scanner[i]},
                daemon=True,
            )
            for i, session in enumerate(sessions.values())
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        posts = [p for own in per_scanner for p in own]
        unanswered = settle(sessions, base, scans, posts)
        totals = check(clerk, base, return_ids, scans, posts)
    timed = [p for p in posts if p.kind in (NEW, RESENT) and p.begun >= measure_from]
    per_second = Counter(int(p.begun - measure_from) for p in timed if p.status in (200, 201))
    return {
        "results": [
            row("POST receipts, new scans", [p for p in timed if p.kind == NEW], args.duration),
            row(
                "POST receipts, resent scans", [p for p in timed if p.kind == RESENT], args.duration
            ),
            row("POST receipts, all", timed, args.duration),
        ],
        "statuses": {
            kind: dict(sorted(Counter(_status(p) for p in posts if p.kind == kind).items()))
            for kind in (NEW, RESENT, "settle")
        },
        "per_second": [per_second.get(s, 0) for s in range(int(args.duration))],
        "unanswered": unanswered,
        "check": totals,
    }


def _status(post: Post) -> str:
    return str(post.status) if post.status in (200, 201) else "other"


def report_check(totals: dict, unanswered: list[str]) -> bool:
    ok = totals["ok"] and not unanswered
    figures = (
        f"received {totals['received_quantity']} / unique scans' {totals['expected_quantity']}, "
        f"receipts {totals['receipts']} / unique scans {totals['unique_scans']}"
    )
    if ok:
        print(f"totals check: OK ({figures})")
        if totals["created_unseen"]:
            print(
                f"  ({totals['created_unseen']} scans' 201 was not seen: their post got no answer)"
            )
        return True
    bar = "!" * 72
    print(f"\n{bar}\nTOTALS CHECK: MISMATCH ({figures})", file=sys.stderr)
    for r in totals["returns"]:
        if not r["ok"]:
            print(
                f"  {r['number']} ({r['return_id']}): received {r['received_quantity']}, "
                f"expected {r['expected_quantity']}; receipts {r['receipts']}, "
                f"unique scans {r['unique_scans']}",
                file=sys.stderr,
            )
    if totals["created_twice"]:
        print(f"  answered 201 twice: {totals['created_twice'][:20]}", file=sys.stderr)
    if unanswered:
        print(f"  never answered 200/201: {unanswered[:20]}", file=sys.stderr)
    print(bar, file=sys.stderr)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="scanner threads, one API key each")
    parser.add_argument("--returns", type=int, default=4, help="authorizations the scanners share")
    parser.add_argument("--warmup", type=float, default=2.0, help="uncounted seconds first")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--instances", type=int, default=1, help="returns service processes")
    parser.add_argument(
        "--amqp-uri", default=os.environ.get("AMQP_URI", suite_module.DEFAULT_AMQP_URI)
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GATEWAY_WORKERS", "2")))
    args = parser.parse_args(argv)
    if not 1 <= args.returns <= args.clients:
        parser.error("--returns must be between 1 and --clients")

    with scratch_dir() as data_dir, suite_module.temporary_vhost(args.amqp_uri) as amqp_uri:
        print(
            f"{args.clients} scanners on {args.returns} return(s), 1 post in {RESEND_EVERY} "
            f"resent, {args.warmup:g} s warm-up + {args.duration:g} s, gunicorn -k gthread "
            f"-w {args.workers}, returns x{args.instances}; data in {data_dir}",
            flush=True,
        )
        outcome = bench(args, amqp_uri, data_dir)

    print()
    print(table(outcome["results"]))
    print()
    for kind, counts in outcome["statuses"].items():
        if counts:
            print(f"{kind:<7} " + "  ".join(f"{status}: {n}" for status, n in counts.items()))
    print(f"ok req/s by second: {outcome['per_second']}")
    ok = report_check(outcome["check"], outcome["unanswered"])

    report = {
        "settings": {
            "clients": args.clients,
            "returns": args.returns,
            "resend_every": RESEND_EVERY,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "gunicorn": f"-k gthread -w {args.workers}",
            "returns_instances": args.instances,
        },
        **outcome,
        "results": [asdict(r) for r in outcome["results"]],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "commit": git_commit(),
        "at": datetime.now(UTC).isoformat(),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / "scanner_receipts.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {out.relative_to(REPO)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
