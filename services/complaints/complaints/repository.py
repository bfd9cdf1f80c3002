"""The complaints service's repository: one per aggregate, on the unit of work
(``uow.complaints``), so handlers load and add cases and never write SQL."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from complaints.domain import Complaint, complaint_number
from complaints.models import complaint_numbers
from servicekit.contracts.complaints_vocabulary import ComplaintNotFound
from servicekit.db import history_of
from servicekit.repository import SqlRepository


class ComplaintRepository(SqlRepository[Complaint]):
    model = Complaint
    not_found = ComplaintNotFound
    id_key = "complaint_id"

    def next_number(self, year: int) -> str:
        """rule P2: TS-<year>-<sequence>, unique per year; the row lock serialises writers."""
        session = self.session
        for _ in range(3):
            last = session.execute(
                update(complaint_numbers)
                .where(complaint_numbers.c.year == year)
                .values(last=complaint_numbers.c.last + 1)
                .returning(complaint_numbers.c.last)
            ).scalar()
            if last is not None:
                return complaint_number(year, last)
            try:
                with session.begin_nested():
                    session.execute(insert(complaint_numbers).values(year=year, last=1))
                return complaint_number(year, 1)
            except IntegrityError:
                continue  # another instance created the year's row first
        raise RuntimeError("could not allocate a complaint number")

    def history(self, complaint_id: str) -> list[dict]:
        """The case's history as committed, oldest first (rule X3)."""
        return history_of(self.session, "complaint", complaint_id)


# What every unit of work of the service carries: ``uow.complaints``.
REPOSITORIES = {"complaints": ComplaintRepository}
