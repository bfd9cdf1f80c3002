"""Loss apportionment: rule P12."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from complaints.domain.shared import CENT, DEFAULT_SETTINGS, ComplaintSettings
from servicekit.contracts.complaints_vocabulary import LOSS_APPORTIONED, IllegalTransition
from servicekit.domain import money
from servicekit.errors import invalid_fields


class Loss:
    """rule P12 on ``Complaint``: the accepted plan's amount split by the shares."""

    def _record_loss(self) -> None:
        """rule P12: the accepted plan's amount split by the shares, for finance's loss ledger."""
        plan = self.accepted_plan()
        if plan is None or self.investigation is None:
            return
        parts = self.loss_apportionment(plan.amount)
        self._record_event(
            LOSS_APPORTIONED,
            {
                **self._event_head(),
                "plan_id": plan.id,
                "loss": str(plan.amount),
                "parts": [
                    {**p, "share": str(p["share"]), "amount": str(p["amount"])} for p in parts
                ],
            },
        )

    def loss_apportionment(self, loss: Decimal) -> list[dict[str, Any]]:
        """rule P12: this case's loss split by its responsibility shares."""
        if self.investigation is None:
            raise IllegalTransition(
                "The case has no responsibility yet.",
                {"status": self.status, "action": "apportion"},
            )
        parts = self.investigation.responsibility
        amounts = apportion(loss, [p.share for p in parts])
        return [
            {"department": p.department, "person": p.person, "share": p.share, "amount": amount}
            for p, amount in zip(parts, amounts, strict=True)
        ]


def apportion(loss: Decimal, shares: Sequence[Decimal]) -> list[Decimal]:
    """rule P12: ``loss`` split by ``shares`` to the cent; the parts sum to ``loss`` exactly.

    One share bears all. Cents left over by rounding down go to the largest
    remainders (earlier parts first on a tie): 100.00 over three equal shares is
    33.34, 33.33, 33.33.
    """
    loss = money(loss)
    if loss < 0:
        raise invalid_fields({"loss": ["must not be negative"]})
    if not shares or any(Decimal(s) <= 0 for s in shares):
        raise invalid_fields({"shares": ["need at least one share, each greater than 0"]})
    if len(shares) == 1:
        return [loss]
    total = sum((Decimal(s) for s in shares), Decimal(0))
    cents = int(loss / CENT)
    exact = [cents * Decimal(s) / total for s in shares]
    parts = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    by_remainder = sorted(range(len(parts)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: cents - sum(parts)]:
        parts[i] += 1
    return [(Decimal(p) * CENT).quantize(CENT) for p in parts]


def returned_goods_loss(
    *,
    actual_loss: Decimal,
    returned_on: date,
    resold_on: date | None = None,
    sale_amount: Decimal | None = None,
    resale_amount: Decimal | None = None,
    settings: ComplaintSettings = DEFAULT_SETTINGS,
) -> Decimal:
    """rule P12: returned goods resold within the window (default 30 days) lose only
    the price difference; otherwise the actual loss counts."""
    if isinstance(returned_on, datetime):
        returned_on = returned_on.date()
    if isinstance(resold_on, datetime):
        resold_on = resold_on.date()
    window_end = returned_on + timedelta(days=settings.resale_window_days)
    if resold_on is not None and returned_on <= resold_on <= window_end:
        if sale_amount is None or resale_amount is None:
            raise invalid_fields({"resale_amount": ["needed with the sale amount for a resale"]})
        return max(money(sale_amount) - money(resale_amount), CENT * 0)
    return money(actual_loss)
