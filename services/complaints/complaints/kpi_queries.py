"""Reads for the departments' KPIs (seed 001, seed 003; rule P10, rule P9): a few column
queries over the cases the period touches (registered, resolved, closed or called back
in it); the pure ``complaints.domain.kpis`` computes the counts and rates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select

from complaints.domain import ComplaintSettings
from complaints.domain.kpis import KpiFacts, KpiFollowUp, KpiStep, complaint_kpis, period_bounds
from complaints.models import complaints, follow_ups, steps
from servicekit.db import UnitOfWork


def _within(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def kpis(uow: UnitOfWork, settings: ComplaintSettings, period: str, now: datetime) -> dict:
    """The complaints desk's KPI counts and rates over ``period`` (see ``complaint_kpis``)."""
    start, end = period_bounds(period, settings)
    called_back = select(follow_ups.c.complaint_id).where(_within(follow_ups.c.at, start, end))
    touched = or_(
        _within(complaints.c.registered_at, start, end),
        _within(complaints.c.resolved_at, start, end),
        _within(complaints.c.closed_at, start, end),
        complaints.c.id.in_(called_back),
    )
    with uow:
        session = uow.session
        cases = session.execute(
            select(
                complaints.c.id,
                complaints.c.owner,
                complaints.c.status,
                complaints.c.registered_at,
                complaints.c.timely_acceptance,
                complaints.c.current_step,
                complaints.c.step_due_at,
                complaints.c.resolved_at,
                complaints.c.closed_at,
            ).where(touched)
        ).all()
        ids = [case.id for case in cases]
        calls: dict[str, list[KpiFollowUp]] = {}
        done: dict[str, list[KpiStep]] = {}
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for row in session.execute(
                select(
                    follow_ups.c.complaint_id,
                    follow_ups.c.at,
                    follow_ups.c.score,
                    follow_ups.c.satisfied,
                ).where(follow_ups.c.complaint_id.in_(chunk))
            ):
                calls.setdefault(row.complaint_id, []).append(
                    KpiFollowUp(row.at, row.score, row.satisfied)
                )
            for row in session.execute(
                select(
                    steps.c.complaint_id,
                    steps.c.name,
                    steps.c.department,
                    steps.c.started_at,
                    steps.c.done_at,
                ).where(
                    steps.c.complaint_id.in_(chunk),
                    steps.c.complaint_id.in_(
                        select(complaints.c.id).where(_within(complaints.c.closed_at, start, end))
                    ),
                )
            ):
                done.setdefault(row.complaint_id, []).append(
                    KpiStep(row.name, row.department, row.started_at, row.done_at)
                )
    facts: list[Any] = [
        KpiFacts(
            owner=case.owner,
            status=case.status,
            registered_at=case.registered_at,
            timely_acceptance=case.timely_acceptance,
            acceptance_due_at=case.step_due_at if case.current_step == "acceptance" else None,
            resolved_at=case.resolved_at,
            closed_at=case.closed_at,
            follow_ups=tuple(calls.get(case.id, ())),
            steps=tuple(done.get(case.id, ())),
        )
        for case in cases
    ]
    return complaint_kpis(period, facts, now, settings)
