"""The finance service's vocabulary (rule F1 to rule F7, rule P12): names, constants, event
types and error classes. Standard library only (and ``servicekit.errors``), so the service's
domain imports it without marshmallow; ``servicekit.contracts.finance`` re-exports all of it
beside the payload schemas."""

from decimal import Decimal

from servicekit.errors import Conflict, Invalid, NotFound

SERVICE = "finance"

# rule F1: a received return against the approved quantities. matched: every line within
# the tolerance, a voucher for the actual; exception: held until finance resolves it.
RECONCILIATION_STATUSES = ("matched", "exception", "resolved")
DEFAULT_OVER_ACCEPTANCE_RATIO = Decimal("0.05")  # the company default of rule F1

# Vouchers (传票): a return's credit (rule F1), an allowance or a compensation (rule F3).
VOUCHER_TYPES = ("return_credit", "allowance", "compensation")
VOUCHER_STATUSES = ("issued", "posted")
# rule F2: the proofs of a return; rule F3: an allowance's certificate (销货折让证明单).
PROOF_METHODS = ("original_invoice", "invoice_copy", "return_certificate", "allowance_certificate")
PROOFS_BY_VOUCHER_TYPE = {
    "return_credit": ("original_invoice", "invoice_copy", "return_certificate"),
    "allowance": ("allowance_certificate", "original_invoice", "invoice_copy"),
    "compensation": PROOF_METHODS,
}
# The plan's actions finance pays for by a voucher of their own (rule F3).
VOUCHER_ACTIONS = ("allowance", "compensation")
# The plan's actions whose goods are credited by the return's voucher (lines = approved
# quantities), and those whose goods come back only to be reworked (never credited).
CREDITED_ACTIONS = ("return", "exchange")
REWORK_ACTIONS = ("rework",)
# Who signs an allowance certificate (rule F3).
CERTIFICATE_SIGNATORIES = ("manager", "general_manager", "customer")

# rule F4: a customer's receivables ledger.
ENTRY_KINDS = ("invoice", "payment", "credit")
# Days an amount is overdue -> its bucket (an amount is overdue from the day after its due
# date: 1..30 days in "0-30", 91 and more in "90+").
AGEING_BUCKETS = ("0-30", "31-60", "61-90", "90+")
AGEING_LIMITS = (30, 60, 90)
# Settlement terms (customer's values, shorter first) -> days from an invoice to its due
# date; a monthly statement is due at the end of the month after the invoice's.
SETTLEMENT_DAYS = {
    "cash_on_delivery": 0,
    "net_15": 15,
    "net_30": 30,
    "net_60": 60,
    "net_90": 90,
}
MONTHLY_STATEMENT = "monthly_statement"

# rule F5: the credit check's answer and its reasons.
CREDIT_DECISIONS = ("pass", "hold")
CREDIT_REASONS = (
    "within_credit",  # pass
    "unknown_customer",  # finance has no card of the customer's (rule X1 copy)
    "customer_not_active",  # a lead, a card pending approval, a lost customer
    "no_credit_terms",  # the card's terms are not in effect
    "overdue",  # something is overdue past the terms
    "over_credit_limit",  # amount > credit limit - open balance
)
ORDERING_STATUSES = ("active", "dormant")  # customer statuses that may order (rule C3)

# rule P12, rule F7: a case's actual loss, split by its responsibility shares.
LOSS_STATUSES = ("waiting", "open", "computed")
LOSS_KINDS = ("price_difference", "not_resold", "allowance", "compensation")
UNASSIGNED_DEPARTMENT = "unassigned"  # a case with no responsibility recorded

# Events (published through the outbox as ``finance.<name>``).
INVOICE_RECORDED = "invoice_recorded"
LEDGER_CHANGED = "ledger_changed"
VOUCHER_ISSUED = "voucher_issued"
VOUCHER_POSTED = "voucher_posted"
RECONCILIATION_EXCEPTION = "reconciliation_exception"
EVENTS = (
    INVOICE_RECORDED,
    LEDGER_CHANGED,
    VOUCHER_ISSUED,
    VOUCHER_POSTED,
    RECONCILIATION_EXCEPTION,
)


# --- errors -----------------------------------------------------------------
class ReconciliationNotFound(NotFound):
    code = "reconciliation_not_found"
    default_message = "No such reconciliation."


class VoucherNotFound(NotFound):
    code = "voucher_not_found"
    default_message = "No such voucher."


class CustomerNotFound(NotFound):
    code = "customer_not_found"
    default_message = "Finance knows no such customer."


class CustomerUnknown(Invalid):
    code = "customer_unknown"
    default_message = "Finance knows no such customer (its card has not reached finance)."


class NotAnException(Conflict):
    code = "reconciliation_not_exception"
    default_message = "Only a reconciliation held as an exception is resolved."


class ResolutionMismatch(Invalid):
    code = "resolution_mismatch"
    default_message = (
        "A resolution names every sku of the reconciliation once, each accepted quantity"
        " from 0 to the actual quantity."
    )


class VoucherPosted(Conflict):
    code = "voucher_posted"
    default_message = "The voucher is posted already."


class ProofNotAccepted(Invalid):
    code = "proof_not_accepted"
    default_message = "This proof does not post this type of voucher."


class InvoiceNumberTaken(Conflict):
    code = "invoice_number_taken"
    default_message = "An invoice with this number is recorded already."


class InvoiceAmountMismatch(Invalid):
    code = "invoice_amount_mismatch"
    default_message = "The invoice's amount is not the sum of its lines."


class ReturnUnknown(Invalid):
    code = "return_unknown"
    default_message = "Finance has no reconciled return of a complaint with this id."


class ReturnNotSettled(Conflict):
    code = "return_not_settled"
    default_message = "The return's reconciliation is still held as an exception."


class SkuNotOnReturn(Invalid):
    code = "sku_not_on_return"
    default_message = "The sku was not credited on this return."


class ResaleExceedsReturn(Invalid):
    code = "resale_exceeds_return"
    default_message = "More would be resold than was credited on the return."


class LossComputed(Conflict):
    code = "loss_computed"
    default_message = "The case's loss is computed already; its resale window is closed."
