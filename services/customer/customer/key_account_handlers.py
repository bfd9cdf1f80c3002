"""Use cases of key accounts (rule C7): the rule's identification after each grading, a
manager's designation with its maintenance plan, and the churn warnings."""

from __future__ import annotations

from datetime import date, datetime

from customer.domain import Customer, CustomerSettings
from customer.domain.grading import GradeRecord
from customer.domain.key_accounts import KeyAccount, churn_signals, key_account_card, qualifies
from customer.domain.summaries import CustomerSummary
from customer.grading_commands import SetKeyAccount
from customer.warning_handlers import raise_warning
from servicekit.contracts.customer_grading_vocabulary import SYSTEM
from servicekit.db import UnitOfWork
from servicekit.domain import Actor, utcnow


def follow_rule(
    uow: UnitOfWork,
    settings: CustomerSettings,
    customer: Customer,
    record: GradeRecord,
    now: datetime,
) -> KeyAccount | None:
    """rule C7: a key account by grade and scale, unless a manager decided."""
    account = uow.key_accounts.find(customer.id, for_update=True)
    qualifying = qualifies(record.grade, record.scale, settings)
    if account is None and qualifying:
        account = uow.key_accounts.get_or_add(customer.id, now)
    if account is not None:
        account.follow_rule(qualifying, now)
    key_account_card(customer, account, SYSTEM, now)
    return account


def watch_churn(
    uow: UnitOfWork,
    settings: CustomerSettings,
    customer: Customer,
    summary: CustomerSummary,
    account: KeyAccount | None,
    today: date,
    now: datetime,
) -> list:
    """rule C7: a churn warning per signal (purchase fall, complaint spike), once per
    period; for key accounts only unless ``churn_key_accounts_only`` is off."""
    if settings.churn_key_accounts_only and not (account and account.key_account):
        return []
    raised = []
    for signal in churn_signals(summary, today, settings):
        warning = raise_warning(
            uow, customer, account, "churn", signal.key, signal.reason, signal.details, now
        )
        if warning is not None:
            raised.append(warning)
    return raised


def set_key_account(
    uow: UnitOfWork,
    customer_id: str,
    command: SetKeyAccount,
    actor: Actor,
    now: datetime | None = None,
) -> tuple[KeyAccount, Customer, GradeRecord | None]:
    """A manager designates a key account with its maintenance plan, or removes one
    (rule C7); the decision stands against the rule. The account, the card and its grade."""
    now = now or utcnow()
    with uow:
        customer = uow.customers.get(customer_id, for_update=True)
        account = uow.key_accounts.get_or_add(customer_id, now)
        account.decide(command.key_account, command.plan, command.owner, actor.username, now)
        key_account_card(customer, account, actor.username, now)
        uow.commit()
        return account, customer, uow.grades.find(customer_id)
