"""What the finance domain's modules share: settings, money, numbers, dates and the split
of an amount by shares. Standard library only.

Money is ``Decimal`` throughout, rounded half-up to the cent where a product or a share
makes more places (``servicekit.domain.money``); nothing goes through a binary float."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from servicekit.contracts.finance_vocabulary import DEFAULT_OVER_ACCEPTANCE_RATIO
from servicekit.domain import money
from servicekit.money import apportion  # noqa: F401 (the domain names it for its callers)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class FinanceSettings:
    """Numbers the seeds leave open (DOMAIN.md gives the defaults); ``FINANCE_<FIELD>``."""

    over_acceptance_ratio: Decimal = DEFAULT_OVER_ACCEPTANCE_RATIO  # rule F1 company default
    resale_window_days: int = 30  # rule P12: one month
    loss_timer_seconds: int = 60  # how often due losses are looked for (rule F7)
    # Due dates and ageing count business days in the business's calendar (UTC+8).
    business_utc_offset_hours: int = 8

    def business_date(self, now: datetime) -> date:
        """The business's calendar day at ``now``."""
        offset = timezone(timedelta(hours=self.business_utc_offset_hours))
        return aware(now).astimezone(offset).date()


DEFAULT_SETTINGS = FinanceSettings()


def aware(now: datetime) -> datetime:
    """Times come in timezone-aware (UTC); a naive one is a caller's bug, not a request's."""
    if now.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware UTC")
    return now


def line_amount(quantity: int, unit_price: Decimal) -> Decimal:
    """quantity x unit price, half-up to the cent."""
    return money(Decimal(quantity) * unit_price)


def total(amounts: Sequence[Decimal]) -> Decimal:
    return money(sum(amounts, ZERO))


def voucher_number(year: int, sequence: int) -> str:
    """A voucher's readable number (传票): ``PZ-2026-000123``."""
    return f"PZ-{year}-{sequence:06d}"


def certificate_number(voucher: str) -> str:
    """The allowance certificate (销货折让证明单) of voucher ``PZ-2026-000123``:
    ``ZR-2026-000123``."""
    return "ZR-" + voucher.split("-", 1)[1]
