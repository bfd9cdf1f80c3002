"""Customer records: rule C1 to rule C4. Standard library only: values arrive parsed (the
schemas give the handlers typed commands), so this module checks rules, not shapes.

A card's terms (discount, settlement terms, credit limit, over-acceptance ratio) are
never set by one person: a new card's are a proposal until a manager approves the card
(rule C3), later changes need the market manager and finance (rule C4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from servicekit.contracts.customer_vocabulary import (
    CHANGE_REQUEST_SIDES,
    CUSTOMER_APPROVED,
    OWNER_CHANGED,
    STATUS_CHANGED,
    TERMS_CHANGED,
    TERMS_FIELDS,
    AlreadyDecided,
    ChangeRequestClosed,
    ChangeRequestRequired,
    DiscountBelowFloor,
    IllegalStatusChange,
    NotADecider,
    TermsNotInEffect,
)
from servicekit.domain import Aggregate, new_id, utcnow
from servicekit.errors import Invalid

# rule C3: the lifecycle. (from, to) -> the action that makes the move.
LIFECYCLE = {
    ("lead", "pending_approval"): "submitted",
    ("pending_approval", "active"): "approved",
    ("active", "dormant"): "went_dormant",
    ("dormant", "active"): "reactivated",
    ("active", "lost"): "lost",
    ("dormant", "lost"): "lost",
    ("lost", "active"): "won_back",
}

# rule C3: a card in these statuses has no orders and no terms in effect yet.
NEW_STATUSES = ("lead", "pending_approval")

# rule C4: the two parties whose approvals are both needed.
DECIDING_ROLES = CHANGE_REQUEST_SIDES

# rule C4: changed directly and audited.
DIRECT_FIELDS = (
    "name",
    "nature",
    "region",
    "industry",
    "address",
    "contacts",
    "license_no",
    "tax_no",
    "payment_method",
    "owner",
    "pickup",
    "legal_representative",  # seed 003 (issue 11.7): the card's business fields
    "business_scope",
    "purchase_needs",
    "purchase_frequency",
)


@dataclass(frozen=True)
class CustomerSettings:
    discount_floor: Decimal = Decimal("0.70")  # rule C4: of list price
    # --- grading, key accounts, risk (issue 11: customer/domain/grading.py, risk.py,
    # key_accounts.py; README "Configuration" says what each means) ---
    scale_large_amount: Decimal = Decimal("5000000.00")  # rule C5
    scale_medium_amount: Decimal = Decimal("1000000.00")  # rule C5
    history_long_years: int = 5  # rule C5
    history_medium_years: int = 2  # rule C5
    grade_a_score: Decimal = Decimal("80")  # rule C6
    grade_b_score: Decimal = Decimal("60")  # rule C6
    weight_purchases: Decimal = Decimal("0.35")  # rule C6: the score's weights
    weight_cooperation: Decimal = Decimal("0.15")
    weight_payment: Decimal = Decimal("0.20")
    weight_complaints: Decimal = Decimal("0.15")
    weight_satisfaction: Decimal = Decimal("0.15")
    purchases_full_score: Decimal = Decimal("5000000.00")  # rule C6: worth 100 points
    cooperation_full_score_years: int = 10  # rule C6: worth 100 points
    complaint_rate_zero_score: Decimal = Decimal("0.20")  # rule C6: complaints per invoice
    satisfaction_unknown: Decimal = Decimal("4")  # rule C6: assumed before any follow-up
    grading_window_months: int = 12  # rule C5: "annual" purchases
    regrade_months: int = 1  # rule C6: periodic re-grading
    large_change_points: Decimal = Decimal("10")  # rule C6: a score move that re-grades
    grading_timer_seconds: int = 3600
    regrade_batch_size: int = 200  # rule C6: customers re-graded per transaction (a run)
    regrade_lease_seconds: int = 120  # rule C6: a run's holder renews this with each batch
    business_utc_offset_hours: int = 8  # the business's calendar (months, quarters)
    key_account_grades: str = "A"  # rule C7: comma-separated
    key_account_scales: str = "large,medium"  # rule C7: comma-separated
    churn_fall_share: Decimal = Decimal("0.30")  # rule C7
    churn_key_accounts_only: bool = True  # rule C7
    complaint_spike_days: int = 30  # rule C7
    complaint_spike_count: int = 3  # rule C7
    complaint_spike_ratio: Decimal = Decimal("2")  # rule C7: against the window before
    risk_overdue_share_medium: Decimal = Decimal("0.10")  # rule C8: overdue / balance
    risk_overdue_share_high: Decimal = Decimal("0.50")
    risk_overdue_days_medium: int = 30  # rule C8: credit record
    risk_overdue_days_high: int = 90
    risk_disputes_medium: int = 1  # rule C8: open complaints
    risk_disputes_high: int = 3
    risk_complaints_medium: int = 2  # rule C8: complaints in the window
    risk_complaints_high: int = 5
    risk_complaint_window_days: int = 90
    risk_medium_points: int = 2  # rule C8: the factors' points that make the level
    risk_high_points: int = 4
    risk_credit_cut: Decimal = Decimal("0.50")  # rule C8: share of the limit cut
    risk_terms_steps: int = 1  # rule C8: how much shorter the settlement terms get
    # --- interactions (issue 11.4: customer/domain/interactions.py; README) ---
    follow_up_pickup_days: int = 90  # rule C9: pick-up customers at least quarterly
    follow_up_days: int = 180  # rule C9: the other customers
    follow_up_notice_days: int = 7  # rule C9: listed as due this many days ahead
    enquiry_reply_hours: int = 24  # rule C9: seed 003 客户咨询回复及时率
    suggestion_reply_hours: int = 72  # rule C9: seed 003 客户反馈意见处理及时率
    # --- information security (customer/domain/security.py; README) ---
    read_audit_days: int = 400  # rule C11: reads of cards kept this many days; 0: forever

    def __post_init__(self) -> None:
        # A run of 0 customers a batch would "finish" having graded nobody: refuse at start.
        for name in ("regrade_batch_size", "regrade_lease_seconds", "grading_timer_seconds"):
            if getattr(self, name) < 1:
                raise ValueError(f"CUSTOMER_{name.upper()} must be at least 1")


def _plain(value: Any) -> Any:
    """A value as it goes into history JSON."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def check_discount(discount: Decimal, settings: CustomerSettings) -> None:
    # rule C4: the discount may never go below the company floor.
    if discount < settings.discount_floor:
        raise DiscountBelowFloor(
            f"Discount {discount} is below the floor {settings.discount_floor}.",
            {"discount": [f"must be at least {settings.discount_floor}"]},
        )


class Customer(Aggregate):
    entity_type = "customer"

    def __init__(
        self,
        *,
        name: str,
        nature: str,
        created_by: str,
        settings: CustomerSettings,
        now: datetime | None = None,
        status: str = "pending_approval",
        discount: Decimal = Decimal("1.00"),
        settlement_terms: str = "cash_on_delivery",
        credit_limit: Decimal = Decimal("0.00"),
        over_acceptance_ratio: Decimal | None = None,
        contacts: list[dict] | None = None,
        payment_method: str = "bank_transfer",
        pickup: bool = False,
        region: str | None = None,
        industry: str | None = None,
        address: str | None = None,
        license_no: str | None = None,
        tax_no: str | None = None,
        owner: str | None = None,
        legal_representative: str | None = None,
        business_scope: str | None = None,
        purchase_needs: str | None = None,
        purchase_frequency: str | None = None,
    ) -> None:
        if status not in NEW_STATUSES:
            raise IllegalStatusChange(
                f"A new customer starts as lead or pending_approval, not {status}."
            )
        check_discount(discount, settings)  # rule C4 (and rule C3: terms within limits)
        now = now or utcnow()
        self.id = new_id()
        self.name = name
        self.nature = nature  # rule C2
        self.status = status
        # rule C3: the terms asked for take effect only with the card's approval; until
        # then none are in effect, so no reader (nor finance) takes a proposal for a grant.
        self.proposed_terms = {
            "discount": _plain(discount),
            "settlement_terms": settlement_terms,
            "credit_limit": _plain(credit_limit),
            "over_acceptance_ratio": _plain(over_acceptance_ratio),
        }
        self.discount = None
        self.settlement_terms = None
        self.credit_limit = None
        self.over_acceptance_ratio = None
        self.contacts = list(contacts or [])
        self.payment_method = payment_method
        self.pickup = pickup
        self.region = region
        self.industry = industry
        self.address = address
        self.license_no = license_no
        self.tax_no = tax_no
        self.owner = owner or created_by
        # seed 003 (客户信息收集): who represents the company, what it does and buys, how often.
        self.legal_representative = legal_representative
        self.business_scope = business_scope
        self.purchase_needs = purchase_needs
        self.purchase_frequency = purchase_frequency
        self.grade = None
        self.risk = None
        self.key_account = False
        self.created_at = now
        self.updated_at = now
        self.approved_at = None
        self.approved_by = None
        # rule X1: counts the facts announced about this customer, so a consumer keeping a
        # copy never lets a late, older event overwrite a newer one.
        self.version = 0
        self._note(
            created_by,
            "created",
            {"status": status, "name": name, "proposed_terms": dict(self.proposed_terms)},
            at=now,
        )

    # --- rule C3: lifecycle ---------------------------------------------------
    @property
    def terms_in_effect(self) -> bool:
        """rule C3: a card's terms are in effect from its approval on."""
        return self.status not in NEW_STATUSES

    def _move(
        self,
        to: str,
        by: str,
        reason: str | None,
        now: datetime,
        also: dict[str, Any] | None = None,
    ) -> str:
        action = LIFECYCLE.get((self.status, to))
        if action is None:
            raise IllegalStatusChange(
                f"A {self.status} customer cannot become {to}.",
                {"status": self.status, "requested": to},
            )
        changes = {"status": {"old": self.status, "new": to}}
        if reason:
            changes["reason"] = reason
        changes.update(also or {})
        self.status = to
        self.updated_at = now
        self._note(by, action, changes, at=now)
        return action

    def submit(self, by: str, now: datetime | None = None) -> None:
        self._move("pending_approval", by, None, now or utcnow())

    def approve(self, by: str, now: datetime | None = None) -> None:
        """rule C3: orders are allowed only once a manager approved the card, and the
        card's proposed terms take effect with that approval (kept in its history)."""
        now = now or utcnow()
        proposal = self.proposed_terms or {f: _plain(v) for f, v in self.terms().items()}
        took_effect = {
            f: {"old": _plain(getattr(self, f)), "new": proposal.get(f)} for f in TERMS_FIELDS
        }
        self._move("active", by, None, now, took_effect)
        for field in TERMS_FIELDS:
            setattr(self, field, _typed(field, proposal.get(field)))
        self.proposed_terms = None
        self.approved_at = now
        self.approved_by = by
        self._announce(CUSTOMER_APPROVED, self.terms_payload())

    def change_status(self, to: str, by: str, reason: str | None, now: datetime | None = None):
        if to == "active" and self.status in NEW_STATUSES:
            raise IllegalStatusChange(
                "A new customer becomes active only by approval.",
                {"status": self.status, "requested": to},
            )
        action = self._move(to, by, reason, now or utcnow())
        self._announce(STATUS_CHANGED, {**self.terms_payload(), "action": action})

    # --- rule C4: direct changes, audited --------------------------------------
    def update_card(
        self,
        changes: dict[str, Any],
        by: str,
        now: datetime | None = None,
        settings: CustomerSettings | None = None,
    ) -> None:
        terms = {f: v for f, v in changes.items() if f in TERMS_FIELDS}
        if terms and self.terms_in_effect:
            raise ChangeRequestRequired(
                details={f: ["change through a change request"] for f in sorted(terms)}
            )
        unknown = sorted(set(changes) - set(DIRECT_FIELDS) - set(TERMS_FIELDS))
        if unknown:
            raise Invalid("Unknown fields.", {f: ["unknown field"] for f in unknown})
        if terms.get("discount") is not None:
            check_discount(terms["discount"], settings or CustomerSettings())  # rule C4
        now = now or utcnow()
        if terms:
            # rule C3: before approval the terms are only a proposal, which the clerk may
            # still correct; the manager's approval is what makes them effective.
            self._propose(terms, by, now)
        changes = {f: v for f, v in changes.items() if f not in TERMS_FIELDS}
        previous_owner = self.owner
        diff = self._apply(changes)
        if diff:
            self.updated_at = now
            self._note(by, "updated", diff, at=self.updated_at)
        if "owner" in diff:
            # rule X1: finance keeps its own copy of the owner (for its collection rate).
            self._announce(
                OWNER_CHANGED,
                {
                    "customer_id": self.id,
                    "name": self.name,
                    "status": self.status,
                    "owner": self.owner,
                    "previous_owner": previous_owner,
                    "changed_by": by,
                },
            )

    def _propose(self, terms: dict[str, Any], by: str, now: datetime) -> None:
        proposal = dict(self.proposed_terms or {})
        diff = {}
        for field, value in terms.items():
            new = _plain(value)
            if proposal.get(field) != new:
                diff[field] = {"old": proposal.get(field), "new": new}
                proposal[field] = new
        if diff:
            self.proposed_terms = proposal  # a new dict, so the mapping sees the change
            self.updated_at = now
            self._note(by, "proposal_updated", diff, at=now)

    def _apply(self, changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Set the fields that change; ``{field: {"old", "new"}}`` of those that did."""
        diff = {}
        for field, new in changes.items():
            old = getattr(self, field)
            if old != new:
                diff[field] = {"old": _plain(old), "new": _plain(new)}
                setattr(self, field, new)
        return diff

    def terms(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in TERMS_FIELDS}

    def apply_terms(self, changes: dict[str, Any], by: str, request_id: str, now: datetime):
        diff = self._apply(changes)
        self.updated_at = now
        self._note(by, "terms_changed", {**diff, "change_request": request_id}, at=now)
        self._announce(TERMS_CHANGED, {**self.terms_payload(), "change_request_id": request_id})

    def _announce(self, event_type: str, payload: dict[str, Any]) -> None:
        """Record an event about this customer with the next ``version`` (rule X1)."""
        self.version = (self.version or 0) + 1
        self._record_event(event_type, {**payload, "version": self.version})

    def terms_payload(self) -> dict[str, Any]:
        return {
            "customer_id": self.id,
            "name": self.name,
            "status": self.status,
            "credit_limit": _plain(self.credit_limit),
            "settlement_terms": self.settlement_terms,
            "discount": _plain(self.discount),
            "over_acceptance_ratio": _plain(self.over_acceptance_ratio),
            "owner": self.owner,
        }


class ChangeRequest(Aggregate):
    """rule C4: a discount/settlement/credit/over-acceptance change that needs both the
    market manager and finance; the second approval applies it, any rejection ends it."""

    entity_type = "change_request"

    def __init__(
        self,
        customer: Customer,
        changes: dict[str, Any],
        reason: str,
        by: str,
        settings: CustomerSettings,
        now: datetime | None = None,
    ) -> None:
        if not customer.terms_in_effect:
            # rule C3: a new card's proposal takes effect with its approval, not before.
            raise TermsNotInEffect(details={"status": customer.status})
        if not reason or not reason.strip():
            raise Invalid("A change request needs a reason.", {"reason": ["required"]})
        requested = {f: v for f, v in changes.items() if f in TERMS_FIELDS}
        if not requested:
            raise Invalid(
                "Name at least one of " + ", ".join(TERMS_FIELDS) + ".",
                {f: ["one of these is required"] for f in TERMS_FIELDS},
            )
        if "discount" in requested:
            check_discount(requested["discount"], settings)
        current = customer.terms()
        diff = {
            f: {"old": _plain(current[f]), "new": _plain(v)}
            for f, v in requested.items()
            if current[f] != v
        }
        if not diff:
            raise Invalid(
                "The requested terms are the customer's current terms.",
                {f: ["same as current"] for f in requested},
            )
        now = now or utcnow()
        self.id = new_id()
        self.customer_id = customer.id
        self.changes = diff
        self.reason = reason
        self.status = "pending"
        self.requested_by = by
        self.requested_at = now
        self.decisions: list[dict] = []
        self.decided_at = None
        self._note(by, "requested", {"changes": diff, "reason": reason}, at=now)

    def _side(self, roles: Sequence[str]) -> str:
        decided = {d["role"] for d in self.decisions}
        sides = [r for r in DECIDING_ROLES if r in roles]
        if not sides and "admin" in roles:
            sides = list(DECIDING_ROLES)
        open_sides = [s for s in sides if s not in decided]
        if not sides:
            raise NotADecider()
        if not open_sides:
            raise AlreadyDecided()
        return open_sides[0]

    def decide(
        self,
        customer: Customer,
        decision: str,
        by: str,
        roles: Sequence[str],
        comment: str | None = None,
        now: datetime | None = None,
    ) -> None:
        if self.status not in ("pending", "partially_approved"):
            raise ChangeRequestClosed(details={"status": self.status})
        side = self._side(roles)
        if decision == "approve" and any(
            d["by"] == by and d["decision"] == "approve" for d in self.decisions
        ):
            # Two parties means two people, even if one holds both roles.
            raise AlreadyDecided("The second approval must come from another person.")
        now = now or utcnow()
        self.decisions = [
            *self.decisions,
            {
                "role": side,
                "by": by,
                "decision": decision,
                "comment": comment,
                "at": now.isoformat(),
            },
        ]
        if decision == "reject":
            self.status = "rejected"
            self.decided_at = now
            self._note(by, "rejected", {"role": side, "comment": comment}, at=now)
            return
        approved = {d["role"] for d in self.decisions if d["decision"] == "approve"}
        if approved >= set(DECIDING_ROLES):
            self.status = "applied"
            self.decided_at = now
            self._note(by, "applied", {"role": side, "comment": comment}, at=now)
            customer.apply_terms(
                {f: _typed(f, c["new"]) for f, c in self.changes.items()}, by, self.id, now
            )
        else:
            self.status = "partially_approved"
            self._note(by, "approved", {"role": side, "comment": comment}, at=now)


def _typed(field: str, value: Any) -> Any:
    """A terms value from history/JSON form back to its domain type."""
    if value is None or field == "settlement_terms":
        return value
    return Decimal(value)
