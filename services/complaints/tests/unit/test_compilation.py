"""The monthly compilation's rules (rule P11) without a database: the month before, the
responsible departments, who may confirm, and the one notice after the 10th."""

from datetime import UTC, datetime, timedelta

import pytest

from complaints.domain.compilation import (
    MonthlyReport,
    confirmation_deadline,
    previous_month,
    responsible_departments,
)
from servicekit.errors import Forbidden, Invalid

COMPILED = datetime(2026, 10, 31, 17, tzinfo=UTC)  # 1 Nov 01:00 in Beijing
STATISTICS = {"month": "2026-10", "closed": 3, "by_department": {"quality": 1, "production": 2}}


def report() -> MonthlyReport:
    return MonthlyReport.compile("2026-10", STATISTICS, COMPILED)


def test_the_month_before_is_taken_on_beijing_time():  # rule P11
    assert previous_month(datetime(2026, 10, 31, 16, tzinfo=UTC)) == "2026-10"  # 1 Nov 00:00
    assert previous_month(datetime(2026, 10, 31, 15, 59, tzinfo=UTC)) == "2026-09"
    assert previous_month(datetime(2027, 1, 1, 0, tzinfo=UTC)) == "2026-12"


def test_the_confirmation_day_ends_at_midnight_after_the_tenth():  # rule P11
    assert confirmation_deadline("2026-10") == datetime(2026, 11, 10, 16, tzinfo=UTC)
    assert confirmation_deadline("2026-12") == datetime(2027, 1, 10, 16, tzinfo=UTC)


def test_the_responsible_departments_are_those_with_shares():  # rule P11
    assert responsible_departments(STATISTICS) == ("production", "quality")
    assert responsible_departments({"by_department": {}}) == ()


def test_only_a_user_of_the_department_confirms_its_share():  # rule P11
    month = report()
    with pytest.raises(Forbidden):
        month.confirm("quality", "zhang", "production", COMPILED)
    with pytest.raises(Forbidden):
        month.confirm("quality", "zhang", None, COMPILED)
    with pytest.raises(Invalid):
        month.confirm("logistics", "li", "logistics", COMPILED)
    first = month.confirm("quality", "qa1", "quality", COMPILED)
    again = month.confirm("quality", "qa2", "Quality", COMPILED + timedelta(hours=1))
    assert again is first and month.unconfirmed() == ["production"]


def test_one_notice_after_the_tenth_when_a_department_has_not_confirmed():  # rule P11
    month = report()
    deadline = confirmation_deadline("2026-10")
    assert not month.issue_notice(deadline - timedelta(seconds=1))
    assert month.issue_notice(deadline)
    assert not month.issue_notice(deadline + timedelta(days=1))  # once
    notice = month.view()["notice"]
    assert notice["department"] == "management" and notice["kind"] == "unconfirmed_statistics"
    assert notice["unconfirmed"] == ["production", "quality"]


def test_no_notice_when_every_department_confirmed_or_none_was_responsible():  # rule P11
    month = report()
    month.confirm("quality", "qa1", "quality", COMPILED)
    month.confirm("production", "p1", "production", COMPILED)
    assert not month.issue_notice(confirmation_deadline("2026-10"))
    empty = MonthlyReport.compile("2026-10", {"by_department": {}}, COMPILED)
    assert not empty.issue_notice(confirmation_deadline("2026-10"))
    assert empty.view()["notice"] is None
