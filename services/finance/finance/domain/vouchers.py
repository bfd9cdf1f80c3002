"""Vouchers (传票): a return's credit once its reconciliation is settled (rule F1), an
allowance with its sales allowance certificate (销货折让证明单) and a compensation payable
from the accepted plan (rule F3). Issued, then posted with its proof (rule F2), when the
ledger is credited (rule F4)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from finance.commands import PlanAction, RecordProof
from finance.domain.reconciliation import Plan, Reconciliation
from finance.domain.shared import aware, certificate_number, line_amount
from servicekit.contracts.finance_vocabulary import (
    CERTIFICATE_SIGNATORIES,
    PROOFS_BY_VOUCHER_TYPE,
    VOUCHER_ISSUED,
    VOUCHER_POSTED,
    ProofNotAccepted,
    VoucherPosted,
)
from servicekit.domain import Aggregate, money, new_id


class Voucher(Aggregate):
    entity_type = "voucher"

    def __init__(
        self,
        *,
        number: str,
        type: str,
        customer_id: str,
        amount: Decimal,
        now: datetime,
        complaint_id: str | None = None,
        plan_id: str | None = None,
        action_id: str | None = None,
        return_id: str | None = None,
        reconciliation_id: str | None = None,
        lines: list[dict[str, Any]] | None = None,
        certificate: dict[str, Any] | None = None,
        by: str = "finance",
    ) -> None:
        now = aware(now)
        self.id = new_id()
        self.number = number
        self.type = type
        self.customer_id = customer_id
        self.amount = money(amount)
        self.complaint_id = complaint_id
        self.plan_id = plan_id
        self.action_id = action_id
        self.return_id = return_id
        self.reconciliation_id = reconciliation_id
        self.lines = lines or []
        self.certificate = certificate
        self.status = "issued"
        self.issued_at = now
        self.posted_at = None
        self.posted_by = None
        self.proof_method = None
        self.proof_reference = None
        self._note(
            by,
            "issued",
            {"number": number, "type": type, "amount": str(self.amount)},
            at=now,
        )
        self._record_event(VOUCHER_ISSUED, {**self.event_head(), "issued_at": now.isoformat()})

    @classmethod
    def return_credit(
        cls, reconciliation: Reconciliation, number: str, now: datetime
    ) -> Voucher | None:
        """rule F1: the credit of a settled reconciliation's accepted quantities; None while
        it is an exception. When finance accepts none of it the voucher is 0.00 over every
        line: it still records the decision, and it is what finishes the case's return
        action (rule P8: "its reconciliation has a voucher")."""
        if not reconciliation.settled:
            return None
        lines = reconciliation.credited_lines() or reconciliation.lines
        voucher = cls(
            number=number,
            type="return_credit",
            customer_id=reconciliation.customer_id,
            amount=reconciliation.amount,
            now=now,
            complaint_id=reconciliation.complaint_id,
            plan_id=reconciliation.plan_id,
            return_id=reconciliation.return_id,
            reconciliation_id=reconciliation.id,
            lines=[
                {
                    "sku": line.sku,
                    "quantity": line.accepted_quantity,
                    "unit_price": str(line.unit_price),
                    "amount": str(line.amount),
                }
                for line in lines
            ],
        )
        reconciliation.voucher_issued(voucher.id, now)
        return voucher

    @classmethod
    def for_action(cls, plan: Plan, action: PlanAction, number: str, now: datetime) -> Voucher:
        """rule F3: an allowance (with its certificate) or a compensation (a payable)."""
        lines = [
            {
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "amount": str(line_amount(line.quantity, line.unit_price)),
            }
            for line in action.lines
        ]
        certificate = None
        if action.type == "allowance":
            certificate = {
                "number": certificate_number(number),
                "title": "销货折让证明单",
                "customer_id": plan.customer_id,
                "complaint_id": plan.complaint_id,
                "complaint_number": plan.complaint_number,
                "amount": str(money(action.amount)),
                "lines": lines,
                "signatories": list(CERTIFICATE_SIGNATORIES),
                "issued_at": aware(now).isoformat(),
            }
        return cls(
            number=number,
            type=action.type,
            customer_id=plan.customer_id,
            amount=action.amount,
            now=now,
            complaint_id=plan.complaint_id,
            plan_id=plan.id,
            action_id=action.action_id,
            lines=lines,
            certificate=certificate,
        )

    def post(self, proof: RecordProof, by: str, now: datetime) -> None:
        """rule F2: the proof makes the voucher final; rule F3: an allowance's proof is its
        signed certificate (or the invoice). Posted once."""
        if self.status == "posted":
            raise VoucherPosted(details={"status": self.status, "number": self.number})
        accepted = PROOFS_BY_VOUCHER_TYPE[self.type]
        if proof.method not in accepted:
            raise ProofNotAccepted(
                details={"method": [f"a {self.type} voucher is posted by {', '.join(accepted)}"]}
            )
        now = aware(now)
        self.status = "posted"
        self.posted_at = now
        self.posted_by = by
        self.proof_method = proof.method
        self.proof_reference = proof.reference
        self._note(
            by,
            "posted",
            {
                "status": {"old": "issued", "new": "posted"},
                "proof_method": proof.method,
                "proof_reference": proof.reference,
            },
            at=now,
        )
        self._record_event(
            VOUCHER_POSTED,
            {
                **self.event_head(),
                "proof_method": proof.method,
                "proof_reference": proof.reference,
                "posted_at": now.isoformat(),
            },
        )

    def event_head(self) -> dict[str, Any]:
        return {
            "voucher_id": self.id,
            "number": self.number,
            "type": self.type,
            "customer_id": self.customer_id,
            "complaint_id": self.complaint_id,
            "plan_id": self.plan_id,
            "action_id": self.action_id,
            "return_id": self.return_id,
            "reconciliation_id": self.reconciliation_id,
            "amount": str(self.amount),
        }
