"""Finance: reconciliation, vouchers, ledgers, credit checks, collection and losses.
Standard library only (and servicekit's pure parts).

- ``terms``: finance's own copy of a customer's card, newest fact first (rule X1)
- ``ledger``: receivables, balance, overdue and ageing (rule F4)
- ``account``: the card and the ledger of one customer; the credit check (rule F5)
- ``reconciliation``: plans and received returns kept, each return reconciled (rule F1)
- ``vouchers``: return credits, allowances and compensation, proofs (rule F2, rule F3)
- ``collection``: open complaints and the collection rate (rule F6)
- ``losses``: resales, a case's actual loss and the loss ledger (rule P12, rule F7)
- ``shared``: settings, money, numbers, the split by shares
"""

from finance.domain.account import Account, CreditDecision, check_credit
from finance.domain.collection import CollectionRate, TrackedComplaint, collection_rate
from finance.domain.ledger import LedgerEntry, Statement, allocate, statement
from finance.domain.losses import LossCase, LossEntry, Resale
from finance.domain.reconciliation import (
    Plan,
    ReceivedReturn,
    Reconciliation,
    ReconciliationLine,
    waiting_returns,
)
from finance.domain.shared import (
    DEFAULT_SETTINGS,
    FinanceSettings,
    apportion,
    voucher_number,
)
from finance.domain.vouchers import Voucher

__all__ = [
    "DEFAULT_SETTINGS",
    "Account",
    "CollectionRate",
    "CreditDecision",
    "FinanceSettings",
    "LedgerEntry",
    "LossCase",
    "LossEntry",
    "Plan",
    "ReceivedReturn",
    "Reconciliation",
    "ReconciliationLine",
    "Resale",
    "Statement",
    "TrackedComplaint",
    "Voucher",
    "allocate",
    "apportion",
    "check_credit",
    "collection_rate",
    "statement",
    "voucher_number",
    "waiting_returns",
]
