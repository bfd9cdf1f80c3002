"""rule P11 on a real database: the report the service assembles with column queries
equals the domain's statistics over the same closed cases, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from complaints import queries
from complaints.domain import Complaint, ComplaintSettings, monthly_statistics
from complaints.models import start_mappers
from complaints.repository import REPOSITORIES
from complaints.testing import CaseBuilder, allowance, line, share
from servicekit.db import UnitOfWork
from servicekit.testing import migrated_database

SETTINGS = ComplaintSettings()
OCTOBER = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def closed_case(
    n: int, registered: datetime, days_open: float, shares, skus, customer
) -> Complaint:
    """An allowance case promised in 3 days, closed ``days_open`` days after registration."""
    return (
        CaseBuilder(
            start=registered,
            number=f"TS-2026-{n:06d}",
            customer_id=customer,
            order_no=f"SO-{n}",
            ship_date=date(2026, 8, 1),
            request="allowance",
            lines=[line(sku, 1, Decimal("100.00")) for sku in skus],
        )
        .accept(3, hour=2 + n)
        .investigate(
            [share(department, value) for department, value in shares],
            hour=30,
            cause=["包装不良", "模具磨损"][n % 2],
            improvement="加强包装" if n % 2 == 0 else None,
        )
        .plan([allowance(Decimal("50.00"))], hour=31)
        .approve(hour=32, roles=["cs_manager"])
        .customer_accepts(hour=33)
        .settle(hour=34)
        .follow_up(score=4, hour=days_open * 24)
        .build()
    )


@pytest.fixture
def database(db_url):
    with migrated_database("complaints", db_url, start_mappers) as database:
        yield database


def test_report_equals_the_domain_statistics(database):
    cases = [
        closed_case(1, OCTOBER, 2, [("production", "1.00")], ["P-1"], "c1"),
        closed_case(
            2, OCTOBER, 6, [("production", "0.5"), ("logistics", "0.5")], ["P-1", "P-2"], "c1"
        ),
        closed_case(3, OCTOBER + timedelta(days=3), 1.5, [("quality", "1")], ["P-3"], "c2"),
        closed_case(
            4, OCTOBER + timedelta(days=20), 30, [("sales", "1")], ["P-1"], "c3"
        ),  # November
        closed_case(
            5, OCTOBER - timedelta(days=40), 1, [("quality", "1")], ["P-9"], "c4"
        ),  # August
    ]
    with UnitOfWork(database, repositories=REPOSITORIES) as uow:
        for case in cases:
            uow.complaints.add(case)
        uow.commit()

    report = queries.monthly_report(UnitOfWork(database), SETTINGS, "2026-10")
    expected = monthly_statistics("2026-10", [c.summary() for c in cases], SETTINGS)
    assert report == expected
    assert report["closed"] == 3
    assert report["by_department"] == {"production": 2, "logistics": 1, "quality": 1}
    assert report["by_product"] == {"P-1": 2, "P-2": 1, "P-3": 1}
    assert report["by_customer"] == {"c1": 2, "c2": 1}
    assert report["on_time_closure_rate"] == Decimal("0.6667")  # case 2 closed after 3 days
