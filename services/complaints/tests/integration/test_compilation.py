"""rule P11 and the KPIs on a real database (SQLite and PostgreSQL): two timer passes at
once compile the month before into one report; confirmations and the notice to the
general manager's office are kept; the KPI query equals the domain over the same cases."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from complaints import compilation_handlers, kpi_queries, queries
from complaints.domain import ComplaintSettings
from complaints.domain.kpis import complaint_kpis, facts_of
from complaints.models import monthly_reports, start_mappers
from complaints.repository import REPOSITORIES
from complaints.testing import CaseBuilder, closed_case, resolved_case, share
from servicekit.contracts.complaints import MonthlyReportSchema
from servicekit.db import UnitOfWork
from servicekit.domain import Actor
from servicekit.errors import Forbidden
from servicekit.testing import migrated_database

SETTINGS = ComplaintSettings()
OCTOBER = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
FIRST_OF_NOVEMBER = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)  # 01:00 on 1 Nov in Beijing


@pytest.fixture
def database(db_url):
    with migrated_database("complaints", db_url, start_mappers) as database:
        yield database


def uow(database):
    return UnitOfWork(database, repositories=REPOSITORIES)


def store(database, *cases):
    with uow(database) as unit:
        for case in cases:
            unit.complaints.add(case)
        unit.commit()


def october_cases():
    return [
        closed_case(start=OCTOBER, number="TS-2026-000001", owner="li.na").build(),
        closed_case(
            start=OCTOBER,
            number="TS-2026-000002",
            responsibility=[share("production", "0.6"), share("quality", "0.4")],
        ).build(),
        resolved_case(start=OCTOBER, number="TS-2026-000003", owner="wang.wu").build(),
        CaseBuilder(start=OCTOBER, number="TS-2026-000004").reject(hour=60).build(),
        CaseBuilder(start=OCTOBER, number="TS-2026-000005").build(),
    ]


def statistics_of(database):
    def statistics(month):
        return MonthlyReportSchema().dump(queries.monthly_report(uow(database), SETTINGS, month))

    return statistics


def test_two_passes_at_once_compile_the_month_once(database):
    store(database, *october_cases())
    both_read = threading.Barrier(2, timeout=10)
    plain = statistics_of(database)

    def statistics(month):
        result = plain(month)
        both_read.wait()  # each pass found no report before either adds one
        return result

    results = []

    def run():
        results.append(
            compilation_handlers.compile_previous_month(
                uow(database), SETTINGS, FIRST_OF_NOVEMBER, statistics
            )
        )

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == ["2026-10", None]
    with database.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(monthly_reports)) == 1
    again = compilation_handlers.compile_previous_month(
        uow(database), SETTINGS, FIRST_OF_NOVEMBER + timedelta(hours=5), plain
    )
    assert again is None
    view = compilation_handlers.compiled_month(uow(database), SETTINGS, "2026-10")
    assert view["statistics"]["closed"] == 2
    assert view["departments"] == ["logistics", "production", "quality"]


def test_confirmations_and_the_notice_after_the_tenth_are_kept(database):
    store(database, *october_cases())
    compilation_handlers.compile_previous_month(
        uow(database), SETTINGS, FIRST_OF_NOVEMBER, statistics_of(database)
    )
    at = FIRST_OF_NOVEMBER + timedelta(days=2)
    producer = Actor("zhang.san", ("production",), "production")
    with pytest.raises(Forbidden):
        compilation_handlers.confirm_share(
            uow(database), SETTINGS, "2026-10", "quality", producer, at
        )
    view = compilation_handlers.confirm_share(
        uow(database), SETTINGS, "2026-10", "production", producer, at
    )
    assert [c["department"] for c in view["confirmations"]] == ["production"]
    assert view["unconfirmed"] == ["logistics", "quality"]

    tenth_evening = datetime(2026, 11, 10, 15, 59, tzinfo=UTC)  # 23:59 on the 10th, Beijing
    assert (
        compilation_handlers.issue_unconfirmed_notices(uow(database), SETTINGS, tenth_evening) == []
    )
    eleventh = tenth_evening + timedelta(minutes=1)
    assert compilation_handlers.issue_unconfirmed_notices(uow(database), SETTINGS, eleventh) == [
        "2026-10"
    ]
    assert (
        compilation_handlers.issue_unconfirmed_notices(
            uow(database), SETTINGS, eleventh + timedelta(hours=1)
        )
        == []
    )  # once
    notice = compilation_handlers.compiled_month(uow(database), SETTINGS, "2026-10")["notice"]
    assert notice["department"] == "management" and notice["kind"] == "unconfirmed_statistics"
    assert notice["unconfirmed"] == ["logistics", "quality"]


def test_the_kpi_query_equals_the_domain_over_the_same_cases(database):
    cases = october_cases()
    store(database, *cases)
    now = OCTOBER + timedelta(days=20)
    for period in ("2026-10", "2026-Q4", "2026", "2026-09"):
        expected = complaint_kpis(period, [facts_of(c) for c in cases], now, SETTINGS)
        assert kpi_queries.kpis(uow(database), SETTINGS, period, now) == expected
    october = kpi_queries.kpis(uow(database), SETTINGS, "2026-10", now)
    assert october["registered"] == 5 and october["acceptance_counted"] == 5
    assert set(october["by_owner"]) == {"li.na", "wang.wu"}  # the builder owns by li.na
