"""The complaints service's repository: one per aggregate, on the unit of work
(``uow.complaints``), so handlers load and add cases and never write SQL."""

from __future__ import annotations

from complaints.domain import Complaint, complaint_number
from complaints.models import complaint_numbers
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


# What every unit of work of the service carries: ``uow.complaints``.
REPOSITORIES = {"complaints": ComplaintRepository}
