"""The complaints service's repository: one per aggregate, on the unit of work
(``uow.complaints``), so handlers load and add cases and never write SQL."""

from __future__ import annotations

from sqlalchemy import select

from complaints.domain import Complaint, complaint_number
from complaints.domain.compilation import MonthlyReport, MonthlyReportNotFound
from complaints.models import complaint_numbers, monthly_reports
from servicekit.contracts.complaints_vocabulary import ComplaintNotFound
from servicekit.db import history_of
from servicekit.repository import SqlRepository
from servicekit.sequences import next_in_year


class ComplaintRepository(SqlRepository[Complaint]):
    model = Complaint
    not_found = ComplaintNotFound
    id_key = "complaint_id"

    def next_number(self, year: int) -> str:
        """rule P2: TS-<year>-<sequence>, unique per year."""
        return complaint_number(year, next_in_year(self.session, complaint_numbers, year))

    def history(self, complaint_id: str) -> list[dict]:
        """The case's history as committed, oldest first (rule X3)."""
        return history_of(self.session, "complaint", complaint_id)


class MonthlyReportRepository:
    """rule P11: the compiled months (``uow.monthly_reports``), keyed by ``"YYYY-MM"``."""

    def __init__(self, uow) -> None:
        self.uow = uow

    @property
    def session(self):
        return self.uow.session

    def add(self, report: MonthlyReport) -> None:
        self.session.add(report)

    def find(self, month: str, for_update: bool = False) -> MonthlyReport | None:
        query = select(MonthlyReport).where(monthly_reports.c.month == month)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()

    def get(self, month: str, for_update: bool = False) -> MonthlyReport:
        report = self.find(month, for_update)
        if report is None:
            raise MonthlyReportNotFound(details={"month": month})
        return report

    def without_notice(self) -> list[str]:
        """The months whose notice to the general manager's office is not out yet."""
        query = select(monthly_reports.c.month).where(monthly_reports.c.notice_issued_at.is_(None))
        return list(self.session.scalars(query.order_by(monthly_reports.c.month)))


# What every unit of work of the service carries: ``uow.complaints``.
REPOSITORIES = {"complaints": ComplaintRepository, "monthly_reports": MonthlyReportRepository}
