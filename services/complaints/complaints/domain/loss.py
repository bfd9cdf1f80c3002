"""Loss apportionment: rule P12, as an estimate.

At closure the case announces its plan's amount split by the responsibility shares
(``loss_apportioned``, ``"estimate": true``). The actual loss (resales within the window,
the value of goods not resold) is finance's to compute and keep (rule F7,
``services/finance``), from the same shares."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from servicekit.contracts.complaints_vocabulary import LOSS_APPORTIONED, IllegalTransition
from servicekit.domain import money
from servicekit.errors import invalid_fields
from servicekit.money import apportion as split_by_shares


class Loss:
    """rule P12 on ``Complaint``: the accepted plan's amount split by the shares."""

    def _record_loss(self) -> None:
        """rule P12: the accepted plan's amount split by the shares: an estimate for the
        departments at closure; finance keeps the actual loss (rule F7)."""
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
                "estimate": True,
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
    """rule P12: ``loss`` split by ``shares`` to the cent; the parts sum to ``loss`` exactly
    (``servicekit.money.apportion``: 100.00 over three equal shares is 33.34, 33.33, 33.33).
    A case's loss is never negative."""
    if money(loss) < 0:
        raise invalid_fields({"loss": ["must not be negative"]})
    return split_by_shares(loss, shares)
