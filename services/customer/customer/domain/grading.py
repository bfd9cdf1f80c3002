"""Scale and history bands (rule C5) and the A/B/C grade from a composite score (rule C6).

The score is 0..100: each component (purchases, cooperation, payment, complaints,
satisfaction) is scored 0..100 and the score is their weighted mean, so the weights need
not add up to one. Every threshold and weight is a ``CustomerSettings`` field. A customer
is graded the first time it has something to grade, then periodically (default monthly)
and at once on a large change: its scale or history band moves, or its score moves by
``large_change_points`` or more. Every grading that changes something is kept with its
reason and components (``GradeChange``); a new grade letter is announced as
``customer.grade_changed``.

Satisfaction is the average of every 1..5 score the customer gave within the grading
window: the follow-up scores of the complaint cases closed in it
(``complaints.complaint_closed``) and the scores of the surveys dated in it (interactions,
rule C9), each score weighing the same, a survey as much as a follow-up. Both ask the
customer the same question on the same scale, and neither seed weighs them: seed 001 only
asks for follow-ups (定期或不定期进行客户回访; 抽取一定比例的客户进行回访) and seed 003
names no satisfaction score. Without any score the setting ``satisfaction_unknown``
stands in. The handler loads the window's surveys; what is counted is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from customer.domain.card import Customer, CustomerSettings
from customer.domain.summaries import CustomerSummary, business_date, months_before
from servicekit.contracts.customer_grading_vocabulary import COMPONENTS, RegradeRunning
from servicekit.contracts.customer_vocabulary import GRADE_CHANGED
from servicekit.domain import Aggregate, new_id

HUNDRED = Decimal("100")
POINTS = Decimal("0.01")
ZERO = Decimal("0")


def scale_of(annual_purchases: Decimal, settings: CustomerSettings) -> str:
    """rule C5: large, medium or small by the annual purchase amount."""
    if annual_purchases >= settings.scale_large_amount:
        return "large"
    if annual_purchases >= settings.scale_medium_amount:
        return "medium"
    return "small"


def history_band_of(years: int, settings: CustomerSettings) -> str:
    """rule C5: long, medium or short by the completed years of cooperation."""
    if years >= settings.history_long_years:
        return "long"
    if years >= settings.history_medium_years:
        return "medium"
    return "short"


def grade_of(score: Decimal, settings: CustomerSettings) -> str:
    """rule C6: A from ``grade_a_score``, B from ``grade_b_score``, C below."""
    if score >= settings.grade_a_score:
        return "A"
    if score >= settings.grade_b_score:
        return "B"
    return "C"


def cooperation_years(since: date | None, today: date) -> int:
    """Completed years from ``since`` to ``today`` (an anniversary completes one)."""
    if since is None or since > today:
        return 0
    return today.year - since.year - ((today.month, today.day) < (since.month, since.day))


@dataclass(frozen=True)
class GradingInputs:
    """What a grading reads, on one day (rule C6)."""

    purchases: Decimal  # invoiced within the grading window
    invoices: int  # invoices within the window
    cooperation_years: int
    balance: Decimal
    overdue: Decimal
    complaints: int  # registered within the window (rejected ones left out)
    satisfaction: Decimal | None  # average follow-up and survey score 1..5 within the window

    def plain(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}


def _points(value: Decimal) -> Decimal:
    """A component's points: 0..100, to the hundredth."""
    return min(max(value, ZERO), HUNDRED).quantize(POINTS, rounding=ROUND_HALF_UP)


def _share(part: Decimal, whole: Decimal) -> Decimal:
    """``part / whole`` as points; a zero whole gives full points for anything."""
    if whole <= 0:
        return HUNDRED if part > 0 else ZERO
    return part / whole * HUNDRED


def components_of(inputs: GradingInputs, settings: CustomerSettings) -> dict[str, Decimal]:
    """rule C6: each component 0..100."""
    rate = Decimal(inputs.complaints) / max(inputs.invoices, 1)
    if settings.complaint_rate_zero_score > 0:
        complaints = HUNDRED - rate / settings.complaint_rate_zero_score * HUNDRED
    else:
        complaints = HUNDRED if rate == 0 else ZERO
    if inputs.balance > 0 and inputs.overdue > 0:
        payment = HUNDRED - inputs.overdue / inputs.balance * HUNDRED
    else:
        payment = HUNDRED
    satisfaction = inputs.satisfaction
    if satisfaction is None:
        satisfaction = settings.satisfaction_unknown
    years = Decimal(inputs.cooperation_years)
    return {
        "purchases": _points(_share(inputs.purchases, settings.purchases_full_score)),
        "cooperation": _points(_share(years, Decimal(settings.cooperation_full_score_years))),
        "payment": _points(payment),
        "complaints": _points(complaints),
        "satisfaction": _points((satisfaction - 1) / 4 * HUNDRED),
    }


def weights_of(settings: CustomerSettings) -> dict[str, Decimal]:
    return {name: getattr(settings, f"weight_{name}") for name in COMPONENTS}


def score_of(components: dict[str, Decimal], settings: CustomerSettings) -> Decimal:
    """rule C6: the weighted mean of the components, 0..100 to the hundredth."""
    weights = weights_of(settings)
    total = sum((max(w, ZERO) for w in weights.values()), ZERO)
    if total <= 0:
        return ZERO.quantize(POINTS)
    weighted = sum((max(weights[n], ZERO) * components[n] for n in COMPONENTS), ZERO)
    return (weighted / total).quantize(POINTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Grading:
    """One grading's outcome (rule C5, rule C6)."""

    grade: str
    score: Decimal
    components: dict[str, Decimal]
    scale: str
    history_band: str
    inputs: GradingInputs


def grade(inputs: GradingInputs, settings: CustomerSettings) -> Grading:
    components = components_of(inputs, settings)
    score = score_of(components, settings)
    return Grading(
        grade=grade_of(score, settings),
        score=score,
        components=components,
        scale=scale_of(inputs.purchases, settings),
        history_band=history_band_of(inputs.cooperation_years, settings),
        inputs=inputs,
    )


def period_start(today: date, settings: CustomerSettings) -> date:
    """The first day of the current grading period (rule C6: ``regrade_months`` months,
    calendar months of the business): a customer not graded since is due."""
    return months_before(today.replace(day=1), max(settings.regrade_months, 1) - 1)


def window_start(today: date, settings: CustomerSettings) -> date:
    """The first day of the grading window that ends ``today`` (rule C5: a year)."""
    return date.fromordinal(months_before(today, settings.grading_window_months).toordinal() + 1)


def cooperation_since(customer: Customer, summary: CustomerSummary, settings) -> date | None:
    """When cooperation began: the card's approval, or an earlier invoice."""
    started = customer.approved_at or customer.created_at
    days = [business_date(started, settings.business_utc_offset_hours)] if started else []
    first = summary.first_purchase_on()
    if first is not None:
        days.append(first)
    return min(days, default=None)


def inputs_for(
    customer: Customer,
    summary: CustomerSummary,
    today: date,
    settings: CustomerSettings,
    surveys: Iterable[tuple[datetime, int]] = (),
) -> GradingInputs:
    """The grading inputs of a customer from the summaries kept of it (rule X1) and its
    ``surveys`` (when, score; those outside the window are left out)."""
    start = window_start(today, settings)
    offset = settings.business_utc_offset_hours
    return GradingInputs(
        purchases=summary.purchases_between(start, today),
        invoices=summary.invoices_between(start, today),
        cooperation_years=cooperation_years(cooperation_since(customer, summary, settings), today),
        balance=summary.balance,
        overdue=summary.overdue_on(today),
        complaints=summary.complaints_between(start, today, offset),
        satisfaction=summary.satisfaction_between(start, today, offset, surveys),
    )


def large_change(record: GradeRecord, new: Grading, settings: CustomerSettings) -> str | None:
    """rule C6: what makes a change large (its reason), or None: the scale or the
    history band moves (seed 003: 规模、合作历史发生重大变化), or the score moves by
    ``large_change_points`` or more."""
    parts = []
    if record.scale != new.scale:
        parts.append(f"scale {record.scale} -> {new.scale}")
    if record.history_band != new.history_band:
        parts.append(f"history {record.history_band} -> {new.history_band}")
    if record.score is not None and abs(new.score - record.score) >= settings.large_change_points:
        parts.append(f"score {record.score} -> {new.score}")
    return "; ".join(parts) or None


def _plain_points(components: dict[str, Decimal]) -> dict[str, str]:
    return {name: str(value) for name, value in components.items()}


@dataclass(eq=False, kw_only=True)
class GradeChange:
    """One entry of a customer's grade history: what the grading found and why it ran."""

    id: str = field(default_factory=new_id)
    customer_id: str
    at: datetime
    by: str
    trigger: str  # first | periodic | large_change | manual
    reason: str
    grade: str
    previous_grade: str | None
    score: Decimal
    previous_score: Decimal | None
    components: dict[str, str]
    inputs: dict[str, Any]
    scale: str
    history_band: str


class GradeRecord(Aggregate):
    """A customer's current grade, scale and history band (rule C5, rule C6)."""

    entity_type = "customer_grade"

    def __init__(self, customer_id: str, now: datetime) -> None:
        self.id = customer_id
        self.grade: str | None = None
        self.score: Decimal | None = None
        self.components: dict[str, str] = {}
        self.inputs: dict[str, Any] = {}
        self.scale: str | None = None
        self.history_band: str | None = None
        self.trigger: str | None = None
        self.reason: str | None = None
        self.graded_at: datetime | None = None
        self.graded_by: str | None = None
        self.created_at = now

    def due(self, period_start: datetime) -> bool:
        """Whether the periodic grading is due: not graded since ``period_start``."""
        return self.graded_at is None or self.graded_at < period_start

    def regrade(
        self,
        grading: Grading,
        trigger: str,
        reason: str,
        by: str,
        now: datetime,
        keep: bool = False,
    ) -> GradeChange | None:
        """Take ``grading`` as the customer's; the history entry when something changed
        (or ``keep``: a person asked for this customer's grading), else None."""
        before = (self.grade, self.score, self.scale, self.history_band)
        after = (grading.grade, grading.score, grading.scale, grading.history_band)
        previous_grade, previous_score = self.grade, self.score
        self.grade, self.score, self.scale, self.history_band = after
        self.components = _plain_points(grading.components)
        self.inputs = grading.inputs.plain()
        self.trigger = trigger
        self.reason = reason
        self.graded_at = now
        self.graded_by = by
        if before == after and not keep:
            return None
        return GradeChange(
            customer_id=self.id,
            at=now,
            by=by,
            trigger=trigger,
            reason=reason,
            grade=grading.grade,
            previous_grade=previous_grade,
            score=grading.score,
            previous_score=previous_score,
            components=dict(self.components),
            inputs=dict(self.inputs),
            scale=grading.scale,
            history_band=grading.history_band,
        )


def grade_card(customer: Customer, record: GradeRecord, by: str, now: datetime) -> bool:
    """The card shows the record's grade; a new grade letter goes into the card's history
    and is announced as ``customer.grade_changed`` with the customer's next version
    (rule X1). True when the grade letter changed."""
    previous = customer.grade
    if previous == record.grade:
        return False
    customer.grade = record.grade
    # The card's own history and version (card.py's Customer keeps both).
    customer._note(
        by,
        "graded",
        {
            "grade": {"old": previous, "new": record.grade},
            "score": str(record.score),
            "reason": record.reason,
        },
        at=now,
    )
    customer._announce(
        GRADE_CHANGED,
        {
            "customer_id": customer.id,
            "name": customer.name,
            "grade": record.grade,
            "previous_grade": previous,
            "score": str(record.score),
            "components": dict(record.components),
            "scale": record.scale,
            "history_band": record.history_band,
            "trigger": record.trigger,
            "reason": record.reason,
            "graded_at": now.isoformat(),
            "owner": customer.owner,
        },
    )
    return True


# --- rule C6: re-grading every customer, in batches ------------------------------------
RUNNING_SLOT = "regrade"  # a unique column: one unfinished run at a time


class RegradeRun:
    """A person's re-grading of every customer with terms in effect (rule C6), one batch
    per transaction. ``cursor`` is the last customer graded (created_at, id; the order the
    customers are graded in), committed with its batch: a run started again after a crash
    grades the customers after it, each once per run. An instance ``holder`` works on the
    run while its ``lease_until`` lasts, renewed with each batch; ``running_slot`` (unique)
    is set while the run is unfinished (running or failed), so only one exists."""

    def __init__(
        self, run_id: str, by: str, holder: str, now: datetime, lease: timedelta, total: int
    ) -> None:
        self.id = run_id
        self.status = "running"
        self.running_slot: str | None = RUNNING_SLOT
        self.requested_by = by
        self.started_at = now
        self.finished_at: datetime | None = None
        self.total = total
        self.graded = 0
        self.changed = 0
        self.batches = 0
        self.resumed = 0
        self.error: str | None = None
        self.after_created_at: datetime | None = None
        self.after_id: str | None = None
        self.holder: str | None = holder
        self.lease_until: datetime | None = now + lease
        self.updated_at = now

    @property
    def cursor(self) -> tuple[datetime, str] | None:
        """The last customer graded (created_at, id), or None before the first batch."""
        if self.after_id is None or self.after_created_at is None:
            return None
        return self.after_created_at, self.after_id

    def works_for(self, holder: str) -> bool:
        """Whether ``holder`` is to grade the next batch (no other took the run over)."""
        return self.status == "running" and self.holder == holder

    def take_over(self, holder: str, now: datetime, lease: timedelta) -> None:
        """Start an unfinished run again on ``holder``: a failed one, or one whose holder
        stopped renewing its lease (an instance gone); it goes on from its cursor. A run
        still held -> ``RegradeRunning`` with its id."""
        if self.status == "running" and self.lease_until is not None and self.lease_until > now:
            raise RegradeRunning(details={"run_id": self.id})
        self.status = "running"
        self.error = None
        self.resumed += 1
        self.holder = holder
        self.lease_until = now + lease
        self.updated_at = now

    def record_batch(
        self,
        graded: int,
        changed: int,
        last: tuple[datetime, str],
        now: datetime,
        lease: timedelta,
    ) -> None:
        """A batch graded, up to and including the customer ``last``; the lease renewed."""
        self.graded += graded
        self.changed += changed
        self.batches += 1
        self.after_created_at, self.after_id = last
        self.lease_until = now + lease
        self.updated_at = now

    def finish(self, now: datetime) -> None:
        """Every customer graded: the run is done and frees its slot."""
        self.status = "done"
        self.running_slot = None
        self.finished_at = now
        self.holder = None
        self.lease_until = None
        self.updated_at = now

    def fail(self, error: str, now: datetime) -> None:
        """A batch raised: the run stops, keeps its slot and cursor; starting the
        re-grading again resumes it."""
        self.status = "failed"
        self.error = error
        self.holder = None
        self.lease_until = None
        self.updated_at = now
