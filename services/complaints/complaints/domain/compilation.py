"""The monthly compilation: rule P11 (客户投诉案件统计表, seed 000: 总经理办公室每月10日前将上月份
结案的案件汇总, 会同生产部、质量管理部、研发部及有关部门主管判定责任归属确认).

On the 1st the statistics of the month before are compiled once and kept; each
department with a responsibility share that month confirms its part; when some have
not confirmed by the confirmation day (default the 10th), the general manager's office
gets one notice naming them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from complaints.domain.shared import DEFAULT_SETTINGS, ComplaintSettings

# raised over RPC: defined in the contract, where the gateway finds them (not RemoteError)
from servicekit.contracts.complaints_vocabulary import (  # noqa: F401
    MonthlyReportNotFound,
    NotResponsible,
    WrongDepartment,
)

# The general manager's office (总经理办公室), as the complaints' departments name it.
GM_OFFICE = "management"
UNCONFIRMED = "unconfirmed_statistics"
SYSTEM = "system"
_DAY = timedelta(days=1)


def previous_month(now: datetime, settings: ComplaintSettings = DEFAULT_SETTINGS) -> str:
    """The month before ``now`` on the business's calendar, ``"YYYY-MM"``."""
    local = now.astimezone(settings.business_tz)
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def confirmation_deadline(month: str, settings: ComplaintSettings = DEFAULT_SETTINGS) -> datetime:
    """rule P11: the end of the confirmation day (the 10th) of the month after ``month``,
    business time, in UTC."""
    year, number = (int(part) for part in month.split("-"))
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    local = datetime(year, number, settings.statistics_confirm_day, tzinfo=settings.business_tz)
    return (local + _DAY).astimezone(UTC)


def responsible_departments(statistics: dict[str, Any]) -> tuple[str, ...]:
    """rule P11: the departments with a responsibility share in the month's cases."""
    return tuple(sorted(statistics.get("by_department") or {}))


@dataclass(eq=False, kw_only=True)
class Confirmation:
    """rule P11: a department confirmed its share of the month's responsibility."""

    month: str
    department: str
    confirmed_by: str
    confirmed_at: datetime


@dataclass(eq=False, kw_only=True)
class MonthlyReport:
    """rule P11: the month's statistics as compiled on the 1st, and who confirmed them."""

    month: str
    compiled_at: datetime
    statistics: dict[str, Any]
    departments: list[str]
    confirmations: list[Confirmation] = field(default_factory=list)
    notice_issued_at: datetime | None = None
    notice_departments: list[str] | None = None

    @classmethod
    def compile(cls, month: str, statistics: dict[str, Any], now: datetime) -> MonthlyReport:
        return cls(
            month=month,
            compiled_at=now,
            statistics=statistics,
            departments=list(responsible_departments(statistics)),
        )

    def confirmed(self) -> set[str]:
        return {c.department for c in self.confirmations}

    def unconfirmed(self) -> list[str]:
        return [d for d in self.departments if d not in self.confirmed()]

    def confirm(
        self, department: str, username: str, actor_department: str | None, now: datetime
    ) -> Confirmation:
        """rule P11: a user of ``department`` confirms its share; confirming again keeps
        the first confirmation."""
        if department not in self.departments:
            raise NotResponsible(details={"department": [f"not one of {self.departments}"]})
        if (actor_department or "").strip().lower() != department.lower():
            raise WrongDepartment(
                details={"department": department, "your_department": actor_department}
            )
        for confirmation in self.confirmations:
            if confirmation.department == department:
                return confirmation
        confirmation = Confirmation(
            month=self.month, department=department, confirmed_by=username, confirmed_at=now
        )
        self.confirmations.append(confirmation)
        return confirmation

    def notice_due(self, now: datetime, settings: ComplaintSettings = DEFAULT_SETTINGS) -> bool:
        """rule P11: one notice to the general manager's office once the confirmation day
        is over with some department still unconfirmed."""
        return (
            self.notice_issued_at is None
            and bool(self.unconfirmed())
            and now >= confirmation_deadline(self.month, settings)
        )

    def issue_notice(self, now: datetime, settings: ComplaintSettings = DEFAULT_SETTINGS) -> bool:
        if not self.notice_due(now, settings):
            return False
        self.notice_issued_at = now
        self.notice_departments = self.unconfirmed()
        return True

    def view(self, settings: ComplaintSettings = DEFAULT_SETTINGS) -> dict[str, Any]:
        notice = None
        if self.notice_issued_at is not None:
            notice = {
                "department": GM_OFFICE,
                "kind": UNCONFIRMED,
                "issued_at": self.notice_issued_at,
                "unconfirmed": list(self.notice_departments or []),
            }
        return {
            "month": self.month,
            "compiled_at": self.compiled_at,
            "statistics": self.statistics,
            "departments": list(self.departments),
            "confirmations": [
                {"department": c.department, "by": c.confirmed_by, "at": c.confirmed_at}
                for c in self.confirmations
            ],
            "unconfirmed": self.unconfirmed(),
            "confirm_by": confirmation_deadline(self.month, settings),
            "notice": notice,
        }
