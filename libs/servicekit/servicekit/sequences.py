"""Readable numbers per year (``TS-2026-000123``, ``RA-2026-000007``) from a counter
table with the columns ``year`` (primary key) and ``last``."""

from __future__ import annotations

from sqlalchemy import Table, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def next_in_year(session: Session, counters: Table, year: int) -> int:
    """The next number of ``year``, in the caller's transaction: the row lock of the
    ``UPDATE`` serialises writers; the first writer of a year inserts its row, and a
    race for it ends on the primary key (the loser counts on the winner's row)."""
    for _ in range(3):
        last = session.execute(
            update(counters)
            .where(counters.c.year == year)
            .values(last=counters.c.last + 1)
            .returning(counters.c.last)
        ).scalar()
        if last is not None:
            return last
        try:
            with session.begin_nested():
                session.execute(insert(counters).values(year=year, last=1))
            return 1
        except IntegrityError:
            continue  # another instance created the year's row first
    raise RuntimeError(f"could not allocate a number of {year} in {counters.name}")
