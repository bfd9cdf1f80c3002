"""What the rule groups of a complaint case share: settings, ids and times, the case's
children (lines, responsibility, investigation, steps, follow-ups) and its status
moves (rule P10 due times, rule X3 history)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from complaints.domain.calendar import WEEKDAYS, WorkingCalendar
from servicekit.contracts.complaints_vocabulary import IllegalTransition
from servicekit.domain import CENT, Aggregate, money, new_id

if TYPE_CHECKING:
    from collections.abc import Sequence

    from complaints.commands import Line

RATIO = Decimal("0.0001")  # shares and rates are kept to four places


HOUR = Decimal(3600)

# rule P10: who answers for each step (approval: see APPROVER_DEPARTMENTS;
# execution: the departments its open actions wait on, see Action.waiting_on).
STEP_DEPARTMENTS = {
    "acceptance": "customer_service",
    "investigation": "quality",
    "planning": "customer_service",
    "approval": "customer_service",
    "response": "customer_service",
    "execution": "customer_service",
    "follow_up": "customer_service",
    "closure": "customer_service",
}
APPROVER_DEPARTMENTS = {"cs_manager": "customer_service", "vp": "management", "gm": "management"}
CALENDARS = ("china", "weekdays")  # rule P10: what COMPLAINTS_CALENDAR may name


@dataclass(frozen=True)
class ComplaintSettings:
    """Numbers the seeds leave open (DOMAIN.md gives the defaults)."""

    cs_manager_limit: Decimal = Decimal("10000.00")  # rule P6, inclusive
    vp_limit: Decimal = Decimal("100000.00")  # rule P6, inclusive; above: gm
    # rule P10: due time of each step, from the moment the step starts, in working hours
    # of the calendar (complaints.domain.calendar: the clock stands still on days off).
    acceptance_hours: int = 24
    investigation_working_days: int = 1  # rule P4
    planning_hours: int = 48
    approval_hours: int = 24
    response_hours: int = 72
    execution_hours: int = 240
    follow_up_hours: int = 72
    closure_hours: int = 360  # the case's due date when acceptance promises no wait
    reminder_share: Decimal = Decimal("0.8")  # a reminder once this share of a step's time is gone
    notice_timer_seconds: int = 30  # rule P10: how often due notices are looked for
    # rule P11: the month's statistics are confirmed by the departments by this day of
    # the month after; how often the compilation timer looks (compile, notice).
    statistics_confirm_day: int = 10
    statistics_timer_seconds: int = 300
    # Working days and report months follow the business's calendar (China: UTC+8, no DST).
    business_utc_offset_hours: int = 8
    # rule P10: the working calendar by name (china | weekdays). The domain knows only
    # Monday to Friday; the service gives the named calendar's days as working_calendar
    # (complaints.calendars reads China's holidays from a maintained package).
    calendar: str = "china"
    working_calendar: WorkingCalendar = WEEKDAYS

    def __post_init__(self) -> None:
        if self.calendar not in CALENDARS:
            raise ValueError(f"calendar is one of {', '.join(CALENDARS)}, not {self.calendar!r}")

    @property
    def business_tz(self) -> timezone:
        return timezone(timedelta(hours=self.business_utc_offset_hours))

    def step_due(self, step: str, start: datetime) -> datetime:
        """When ``step`` started at ``start`` is due: the investigation after its working
        days (rule P4), the other steps after their working hours (rule P10)."""
        calendar, tz = self.working_calendar, self.business_tz
        if step == "investigation":
            return calendar.add_working_days(start, self.investigation_working_days, tz)
        hours = timedelta(hours=getattr(self, f"{step}_hours"))
        return calendar.add_working_time(start, hours, tz)

    def reminder_at(self, started_at: datetime, due_at: datetime) -> datetime:
        """rule P10: when the reminder share of a step's working time is gone."""
        calendar, tz = self.working_calendar, self.business_tz
        share = calendar.working_time(started_at, due_at, tz) * float(self.reminder_share)
        return calendar.add_working_time(started_at, share, tz)


DEFAULT_SETTINGS = ComplaintSettings()


def complaint_number(year: int, sequence: int) -> str:
    """The case number of the tracking sheet (rule P2): ``TS-2026-000123``."""
    return f"TS-{year}-{sequence:06d}"


def add_working_days(
    start: datetime, days: int, tz: timezone = UTC, calendar: WorkingCalendar = WEEKDAYS
) -> datetime:
    """rule P4: ``start`` moved on by ``days`` working days of ``calendar`` (Monday-Friday
    unless given) in ``tz``, same clock time."""
    return calendar.add_working_days(start, days, tz)


def _plain(value: Any) -> Any:
    """A value as it goes into history and event JSON."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware UTC")
    return now


def _hours(delta: timedelta) -> Decimal:
    seconds = Decimal(delta.days * 86400 + delta.seconds)
    return (seconds / HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


# --- children ---------------------------------------------------------------
@dataclass(eq=False, kw_only=True)
class ComplaintLine:
    """A product the customer complains about (rule P2)."""

    sku: str
    quantity: int
    unit_price: Decimal
    description: str | None = None
    id: str = field(default_factory=new_id)

    def payload(self) -> dict[str, Any]:
        amount = money(self.quantity * self.unit_price)
        return _line_payload(self.sku, self.description, self.quantity, self.unit_price, amount)


@dataclass(eq=False, kw_only=True)
class ActionLine:
    sku: str
    quantity: int
    unit_price: Decimal
    amount: Decimal  # quantity * unit_price
    description: str | None = None
    id: str = field(default_factory=new_id)

    def payload(self) -> dict[str, Any]:
        return _line_payload(
            self.sku, self.description, self.quantity, self.unit_price, self.amount
        )


def _line_payload(sku, description, quantity, unit_price, amount) -> dict[str, Any]:
    return {
        "sku": sku,
        "description": description,
        "quantity": quantity,
        "unit_price": str(unit_price),
        "amount": str(amount),
    }


@dataclass(eq=False, kw_only=True)
class Step:
    """rule P10: a step of the case with its due time; ``closure`` runs from
    acceptance to the promised due date."""

    complaint_id: str
    name: str
    round: int
    department: str
    started_at: datetime
    due_at: datetime
    done_at: datetime | None = None
    id: str = field(default_factory=new_id)

    def reminder_at(self, settings: ComplaintSettings) -> datetime:
        """rule P10: once the reminder share of the step's working time is gone."""
        return settings.reminder_at(self.started_at, self.due_at)


@dataclass(eq=False, kw_only=True)
class Responsibility:
    """rule P4: a department (and person) bearing ``share`` of the responsibility."""

    department: str
    share: Decimal
    person: str | None = None
    id: str = field(default_factory=new_id)

    def payload(self) -> dict[str, Any]:
        return {"department": self.department, "person": self.person, "share": str(self.share)}


@dataclass(eq=False, kw_only=True)
class Investigation:
    """rule P4: quality's report on a case."""

    complaint_id: str
    findings: str
    cause: str
    cause_category: str  # sales | non_sales
    responsibility: list[Responsibility]
    investigated_by: str
    investigated_at: datetime
    improvement: str | None = None
    id: str = field(default_factory=new_id)


@dataclass(eq=False, kw_only=True)
class FollowUp:
    """rule P9: the call back after resolution."""

    complaint_id: str
    round: int
    satisfied: bool
    score: int
    by: str
    at: datetime
    notes: str | None = None
    id: str = field(default_factory=new_id)


# --- what the schemas let through -----------------------------------------
# The contract's schemas check every value's shape once (types, choices, ranges,
# cents) and hand over typed commands (complaints.commands). Text of spaces only
# passes them; a form or report that says nothing there is not complete.
def _filled(value: str | None, name: str, problems: dict[str, Any]) -> str:
    """``value`` stripped; ``problems[name]`` says "required" when nothing is left."""
    text = value.strip() if value else ""
    if not text:
        problems[name] = ["required"]
    return text


def _checked_lines(
    lines: Sequence[Line], problems: dict[str, Any], required: bool
) -> list[dict[str, Any]]:
    """rule P2, rule P5: the lines as the case keeps them; at least one where
    ``required``, and each names its product (problems per index)."""
    if not lines:
        if required:
            problems["lines"] = ["at least one line is required"]
        return []
    checked, by_index = [], {}
    for i, line in enumerate(lines):
        errors: dict[str, list[str]] = {}
        sku = _filled(line.sku, "sku", errors)
        if errors:
            by_index[str(i)] = errors
            continue
        checked.append(
            {
                "sku": sku,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
        )
    if by_index:
        problems["lines"] = by_index
    return checked


# --- the case's backbone ----------------------------------------------------
class CaseBase(Aggregate):
    """What every rule group of ``Complaint`` uses: status moves, history, steps."""

    def _shares(self) -> list[Responsibility]:
        return self.investigation.responsibility if self.investigation else []

    def _event_head(self) -> dict[str, Any]:
        return {"complaint_id": self.id, "number": self.number, "customer_id": self.customer_id}

    def _require(self, action: str, *statuses: str) -> None:
        if self.status not in statuses:
            raise IllegalTransition(
                f"A {self.status} complaint cannot be {action}.",
                {"status": self.status, "action": action, "allowed_from": list(statuses)},
            )

    def _move(self, to: str, actor: str, action: str, now: datetime, **changes: Any) -> None:
        diff = {"status": {"old": self.status, "new": to}} if to != self.status else {}
        diff.update({k: _plain(v) for k, v in changes.items()})
        self.status = to
        self.updated_at = now
        self._note(actor, action, diff, at=now)

    def _open_step(self, name: str) -> Step | None:
        return next((s for s in reversed(self.steps) if s.name == name and not s.done_at), None)

    def _finish_step(self, name: str, now: datetime) -> Step | None:
        step = self._open_step(name)
        if step is not None:
            step.done_at = now
            if self.current_step == name:
                self.current_step, self.step_due_at = None, None
        return step

    def _start_step(
        self,
        name: str,
        now: datetime,
        settings: ComplaintSettings,
        *,
        department: str | None = None,
        due_at: datetime | None = None,
    ) -> Step:
        step = Step(
            complaint_id=self.id,
            name=name,
            round=self.round,
            department=department or STEP_DEPARTMENTS[name],
            started_at=now,
            due_at=due_at or settings.step_due(name, now),
        )
        self.steps.append(step)
        if name != "closure":
            self.current_step, self.step_due_at = name, step.due_at
        return step
