"""Money arithmetic the services share, standard library only: cents, and an amount split
by shares to the cent (rule P12 and rule F7 split losses by responsibility shares)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

from servicekit.domain import CENT, money
from servicekit.errors import invalid_fields


def apportion(amount: Decimal, shares: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` split by ``shares`` to the cent, the parts summing to it exactly (the
    largest remainder method: the cents left by rounding down go to the largest
    remainders, earlier parts first on a tie; 100.00 by three equal shares is 33.34,
    33.33, 33.33). A negative amount (a resale above the price) is split the same way."""
    amount = money(amount)
    if not shares or any(Decimal(s) <= 0 for s in shares):
        raise invalid_fields({"shares": ["need at least one share, each greater than 0"]})
    sign = -1 if amount < 0 else 1
    cents = int(abs(amount) / CENT)
    weight = sum((Decimal(s) for s in shares), Decimal(0))
    exact = [cents * Decimal(s) / weight for s in shares]
    parts = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    by_remainder = sorted(range(len(parts)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: cents - sum(parts)]:
        parts[i] += 1
    return [(Decimal(sign * p) * CENT).quantize(CENT) for p in parts]
