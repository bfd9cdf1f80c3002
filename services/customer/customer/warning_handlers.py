"""Use cases of warnings (rule C7: churn; rule C8: risk): raised once per cause and period,
naming the account's owner, and handled by the remedy taken (补救措施)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from customer.domain import Customer
from customer.domain.key_accounts import KeyAccount
from customer.domain.warnings import CustomerWarning
from customer.grading_commands import RecordRemedy
from servicekit.db import UnitOfWork
from servicekit.domain import Actor, utcnow


def owner_of(customer: Customer, account: KeyAccount | None) -> str | None:
    """Who a warning names: the key account's owner, else the customer's (rule C7)."""
    if account is not None and account.owner:
        return account.owner
    return customer.owner


def raise_warning(
    uow: UnitOfWork,
    customer: Customer,
    account: KeyAccount | None,
    type: str,
    key: str,
    reason: str,
    details: dict[str, Any],
    now: datetime,
) -> CustomerWarning | None:
    """A warning for ``key`` unless the customer has one for it already (inside the
    caller's unit of work), which shows the latest figures while open; the new warning,
    or None."""
    known = uow.warnings.by_key(customer.id, key)
    if known is not None:
        known.refresh(reason, details, now)
        return None
    warning = CustomerWarning(
        customer_id=customer.id,
        customer_name=customer.name,
        type=type,
        key=key,
        reason=reason,
        details=details,
        owner=owner_of(customer, account),
        now=now,
    )
    return warning if uow.warnings.add_once(warning) else None


def remedy_warning(
    uow: UnitOfWork,
    warning_id: str,
    command: RecordRemedy,
    actor: Actor,
    now: datetime | None = None,
) -> CustomerWarning:
    """The remedy taken: the warning is handled (409 when it was already)."""
    with uow:
        warning = uow.warnings.get(warning_id, for_update=True)
        warning.remedy(command.action, actor.username, now or utcnow())
        uow.commit()
        return warning
