"""How long the monthly statistics (rule P11) take with 100k cases in the database.

``make bench-report`` (or ``python bench/complaints_report.py --cases 100000 --db sqlite``)
seeds a fresh database with closed cases spread over twelve months (each with a line,
an investigation and one or two responsible departments), then times the report of
one month several times and prints the figures. A benchmark: it never fails on them.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from complaints import queries
from complaints.domain import ComplaintSettings
from complaints.models import (
    complaint_lines,
    complaints,
    investigations,
    responsibilities,
    start_mappers,
)
from servicekit.db import Database, UnitOfWork
from servicekit.migrations import upgrade
from servicekit.testing import postgres_database

DEPARTMENTS = ["production", "quality", "logistics", "r_and_d", "sales"]
CAUSES = ["模具磨损", "包装不良", "运输破损", "设计缺陷", "发错货"]


def seed(database: Database, cases: int, year: int) -> None:
    rng = random.Random(7)
    batch = 5000
    for start in range(0, cases, batch):
        rows, lines, invs, shares = [], [], [], []
        for i in range(start, min(start + batch, cases)):
            cid, iid = uuid.uuid4().hex, uuid.uuid4().hex
            registered = datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(525000))
            closed = registered + timedelta(hours=rng.randrange(4, 400))
            rows.append(
                {
                    "id": cid,
                    "number": f"TS-{year}-{i + 1:06d}",
                    "customer_id": f"c{rng.randrange(2000)}",
                    "channel": "hotline",
                    "order_no": f"SO-{i}",
                    "ship_date": registered.date(),
                    "description": "bench",
                    "request": "return",
                    "registered_by": "bench",
                    "registered_at": registered,
                    "status": "closed",
                    "round": 1,
                    "closed_at": closed,
                    "timely_acceptance": rng.random() < 0.9,
                    "on_time_closure": rng.random() < 0.8,
                    "satisfaction": 5,
                    "updated_at": closed,
                }
            )
            lines.append(
                {
                    "id": uuid.uuid4().hex,
                    "complaint_id": cid,
                    "position": 0,
                    "sku": f"P-{rng.randrange(300)}",
                    "quantity": 2,
                    "unit_price": Decimal("450.00"),
                }
            )
            invs.append(
                {
                    "id": iid,
                    "complaint_id": cid,
                    "findings": "bench",
                    "cause": rng.choice(CAUSES),
                    "cause_category": "non_sales",
                    "investigated_by": "qa",
                    "investigated_at": registered,
                }
            )
            parts = rng.sample(DEPARTMENTS, rng.choice((1, 2)))
            for position, department in enumerate(parts):
                share = Decimal("1.00") if len(parts) == 1 else Decimal("0.50")
                shares.append(
                    {
                        "id": uuid.uuid4().hex,
                        "investigation_id": iid,
                        "position": position,
                        "department": department,
                        "share": share,
                    }
                )
        with database.engine.begin() as conn:
            conn.execute(complaints.insert(), rows)
            conn.execute(complaint_lines.insert(), lines)
            conn.execute(investigations.insert(), invs)
            conn.execute(responsibilities.insert(), shares)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    start_mappers()
    year = datetime.now(UTC).year - 1
    with contextlib.ExitStack() as stack:
        if args.db == "sqlite":
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            url = f"sqlite:///{tmp / 'complaints.db'}"
        else:
            url = stack.enter_context(postgres_database("aftersales_bench"))
        upgrade("complaints", url)
        database = Database(url)
        began = time.perf_counter()
        seed(database, args.cases, year)
        seeded = time.perf_counter() - began
        settings = ComplaintSettings()
        month = f"{year}-06"
        timings, report = [], None
        for _ in range(args.runs):
            began = time.perf_counter()
            report = queries.monthly_report(UnitOfWork(database), settings, month)
            timings.append((time.perf_counter() - began) * 1000)
        database.dispose()
    print(f"database            {args.db}")
    print(f"cases in database   {args.cases:,} (seeded in {seeded:.1f} s)")
    print(f"cases in {month}     {report['closed']:,}")
    print(
        f"report time (ms)    median {statistics.median(timings):.0f}, "
        f"min {min(timings):.0f}, max {max(timings):.0f} over {args.runs} runs"
    )


if __name__ == "__main__":
    main()
