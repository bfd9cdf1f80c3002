"""Finance under ``/api/v1/finance``: reconciliations, vouchers and their proofs, invoices,
payments, the receivables ledger, the credit check, the collection rate, resales and the
loss ledger (rule F1 to rule F7, rule P12).

Each view makes one RPC to the ``finance`` service (methods documented in
``servicekit.contracts.finance``); commands get the acting user as ``actor``. Finance data
is for the finance role only (and admin); the credit check also for sales, who take the
orders. Money goes over RPC as decimal strings. The printable allowance certificate
(``GET /finance/vouchers/{id}/allowance-certificate.pdf``, from ``get_voucher``'s
``certificate``) belongs with the other printable forms, not here.
"""

from __future__ import annotations

from gateway.api._calls import ServiceCalls
from gateway.api._calls import actor as _actor
from gateway.auth.access import requires
from gateway.blueprint import ServiceBlueprint
from servicekit.contracts import finance as contract
from servicekit.contracts.common import PageArgsSchema

blp = ServiceBlueprint("finance", __name__, url_prefix="/api/v1", description="Finance")

# CONTRACT "Who may do what" (admin may do everything).
FINANCE = ("finance",)
CREDIT_CHECKERS = ("finance", "sales_clerk", "sales_manager")

EXAMPLE_RESOLUTION = {
    "lines": [{"sku": "P-100", "accepted_quantity": 11}],
    "comment": "客户多退 1 件，经核实同意按实收入账",
}
EXAMPLE_PROOF = {"method": "return_certificate", "reference": "TH-0012"}
EXAMPLE_INVOICE = {
    "customer_id": "3f2c9a1e",
    "number": "FP-20261101-0001",
    "date": "2026-11-01",
    "due_date": "2026-12-01",
    "amount": "900.00",
    "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}],
    "order_no": "SO-20261101-07",
}
EXAMPLE_PAYMENT = {
    "customer_id": "3f2c9a1e",
    "amount": "500.00",
    "date": "2026-11-20",
    "reference": "BANK-7781",
}
EXAMPLE_CREDIT_CHECK = {"customer_id": "3f2c9a1e", "amount": "20000.00"}
EXAMPLE_RESALE = {
    "return_id": "5b7c2d40",
    "sku": "P-100",
    "quantity": 3,
    "unit_price": "400.00",
    "date": "2026-11-20",
}


_finance = ServiceCalls(contract.SERVICE)
_page = _finance.page


# --- rule F1: reconciliations ---------------------------------------------------
@blp.route("/finance/reconciliations", methods=["GET"])
@requires(*FINANCE)
@blp.arguments(contract.ReconciliationFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, contract.ReconciliationPageSchema)
def list_reconciliations(filters, page_args):
    """Reconciliations of received returns (rule F1), by return, complaint, customer, status.

    One per received return: ``matched`` (every line within the customer's over-acceptance
    ratio, a voucher for the actual), ``exception`` (held for finance) or ``resolved``.
    Example: ``GET /api/v1/finance/reconciliations?status=exception`` -> ``{"items":
    [{"id": "...", "return_id": "...", "status": "exception", "ratio": "0.05", "lines":
    [{"sku": "P-100", "approved_quantity": 10, "actual_quantity": 12, ...}], "voucher_id":
    null, ...}], "total": 1, "page": 1, "per_page": 50}``
    """
    return _page("list_reconciliations", filters, page_args)


@blp.route("/finance/reconciliations/<reconciliation_id>", methods=["GET"])
@requires(*FINANCE)
@blp.response(200, contract.ReconciliationSchema)
def get_reconciliation(reconciliation_id):
    """One reconciliation with its lines, voucher and history (rule F1, rule X3).

    Example: ``GET /api/v1/finance/reconciliations/9a4e...`` -> ``{"id": "9a4e...",
    "return_number": "RA-2026-000012", "status": "matched", "amount": "900.00",
    "voucher_id": "...", "history": [{"at": "...", "who": "system", "action":
    "matched", ...}], ...}``
    """
    return _finance("get_reconciliation", reconciliation_id)


@blp.route("/finance/reconciliations/<reconciliation_id>/resolve", methods=["POST"])
@requires(*FINANCE)
@blp.arguments(contract.ResolveReconciliationSchema, example=EXAMPLE_RESOLUTION)
@blp.response(200, contract.ReconciliationSchema)
def resolve_reconciliation(body, reconciliation_id):
    """Finance decides a reconciliation held as an exception (rule F1): ``resolved``.

    Every sku of the reconciliation once, each accepted quantity from 0 to the actual
    (422 ``resolution_mismatch``); a voucher for the accepted quantities is issued
    (``voucher_id``). Not an exception -> 409 ``reconciliation_not_exception``.
    Example body: ``{"lines": [{"sku": "P-100", "accepted_quantity": 11}], "comment":
    "同意按实收入账"}`` -> the reconciliation.
    """
    return _finance("resolve_reconciliation", reconciliation_id, body, _actor())


# --- rule F2, rule F3: vouchers -----------------------------------------------------
@blp.route("/finance/vouchers", methods=["GET"])
@requires(*FINANCE)
@blp.arguments(contract.VoucherFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, contract.VoucherPageSchema)
def list_vouchers(filters, page_args):
    """Vouchers (传票): return credits, allowances and compensations, newest first.

    By customer, complaint, ``type`` and ``status`` (``issued`` or ``posted``). Example:
    ``GET /api/v1/finance/vouchers?complaint_id=8d1e...`` -> ``{"items": [{"id": "...",
    "number": "PZ-2026-000031", "type": "allowance", "amount": "300.00", "status":
    "issued", "certificate": {"title": "销货折让证明单", ...}, ...}], "total": 1, ...}``
    """
    return _page("list_vouchers", filters, page_args)


@blp.route("/finance/vouchers/<voucher_id>", methods=["GET"])
@requires(*FINANCE)
@blp.response(200, contract.VoucherSchema)
def get_voucher(voucher_id):
    """One voucher with its lines, proof and history; an allowance with its certificate.

    An allowance voucher carries its sales allowance certificate (销货折让证明单, rule F3)
    in ``certificate``. Example: ``GET /api/v1/finance/vouchers/7c1f...`` -> ``{"id":
    "7c1f...", "type": "return_credit", "status": "posted", "proof_method":
    "return_certificate", "proof_reference": "TH-0012", "history": [...], ...}``
    """
    return _finance("get_voucher", voucher_id)


@blp.route("/finance/vouchers/<voucher_id>/proof", methods=["POST"])
@requires(*FINANCE)
@blp.arguments(contract.ProofSchema, example=EXAMPLE_PROOF)
@blp.response(200, contract.VoucherSchema)
def record_proof(body, voucher_id):
    """A voucher's proof (rule F2, rule F3): ``posted``, the receivables ledger credited.

    ``method``: original_invoice, invoice_copy, return_certificate or
    allowance_certificate; one the voucher's type does not take -> 422
    ``proof_not_accepted``; posted already -> 409 ``voucher_posted``. Example body:
    ``{"method": "return_certificate", "reference": "TH-0012"}`` -> the voucher.
    """
    return _finance("record_proof", voucher_id, body, _actor())


# --- rule F4: the receivables ledger ------------------------------------------------
@blp.route("/finance/invoices", methods=["POST"])
@requires(*FINANCE)
@blp.arguments(contract.RecordInvoiceSchema, example=EXAMPLE_INVOICE)
@blp.response(201, contract.LedgerEntrySchema)
@blp.alt_response(409, response="CONFLICT")
def record_invoice(body):
    """Record an invoice on a customer's receivables ledger (rule F4): its ledger entry.

    ``due_date`` defaults from the customer's settlement terms; ``lines`` (optional) must
    sum to ``amount`` (422 ``invoice_amount_mismatch``); ``order_no`` ties it to the
    complaints on that order (rule F6). A number recorded before -> 409
    ``invoice_number_taken``; a customer finance does not know -> 422
    ``customer_unknown``. Example body: ``{"customer_id": "3f2c9a1e", "number": "FP-0001",
    "date": "2026-11-01", "amount": "900.00"}`` -> ``{"id": "...", "kind": "invoice",
    "due_date": "2026-12-01", "amount": "900.00", ...}``
    """
    return _finance("record_invoice", body, _actor())


@blp.route("/finance/payments", methods=["POST"])
@requires(*FINANCE)
@blp.arguments(contract.RecordPaymentSchema, example=EXAMPLE_PAYMENT)
@blp.response(201, contract.LedgerEntrySchema)
def record_payment(body):
    """Record a customer's payment on the receivables ledger (rule F4): its ledger entry.

    A customer finance does not know -> 422 ``customer_unknown``. Example body:
    ``{"customer_id": "3f2c9a1e", "amount": "500.00", "date": "2026-11-20", "reference":
    "BANK-7781"}`` -> ``{"id": "...", "kind": "payment", "amount": "500.00", ...}``
    """
    return _finance("record_payment", body, _actor())


@blp.route("/finance/customers/<customer_id>/ledger", methods=["GET"])
@requires(*FINANCE)
@blp.response(200, contract.LedgerSchema)
def get_ledger(customer_id):
    """A customer's receivables ledger (rule F4): balance, overdue, ageing and entries.

    ``balance`` = invoices - payments - credits (positive: the customer owes); each
    entry carries the balance after it. Example: ``GET
    /api/v1/finance/customers/3f2c9a1e/ledger`` -> ``{"balance": "400.00", "overdue":
    "0.00", "ageing": {"0-30": "0.00", "31-60": "0.00", "61-90": "0.00", "90+": "0.00"},
    "entries": [{"kind": "invoice", "amount": "900.00", "balance": "900.00", ...}], ...}``
    """
    return _finance("get_ledger", customer_id)


# --- rule F5: the credit check --------------------------------------------------------
@blp.route("/finance/credit-check", methods=["POST"])
@requires(*CREDIT_CHECKERS)
@blp.arguments(contract.CreditCheckSchema, example=EXAMPLE_CREDIT_CHECK)
@blp.response(200, contract.CreditDecisionSchema)
def check_credit(body):
    """Check an order against the customer's credit (rule F5): pass or hold, with reason.

    Pass when the amount is at most ``available_credit`` (credit limit - open balance,
    before this order) and nothing is overdue past the terms. Changes nothing. Example
    body: ``{"customer_id": "3f2c9a1e", "amount": "20000.00"}`` -> ``{"decision":
    "hold", "reason": "over_credit_limit", "available_credit": "15000.00", ...}``
    """
    return _finance("check_credit", body)


# --- rule F6: the collection rate -----------------------------------------------------
@blp.route("/finance/collection-rate", methods=["GET"])
@requires(*FINANCE)
@blp.arguments(contract.CollectionRateArgsSchema, location="query")
@blp.response(200, contract.CollectionRateSchema)
def get_collection_rate(args):
    """A sales owner's collection rate over a period (rule F6), dates inclusive.

    Receivables tied to open complaints are left out (``excluded``); ``rate`` is null when
    nothing fell due. Example: ``GET
    /api/v1/finance/collection-rate?owner=wang.sales&from=2026-10-01&to=2026-10-31`` ->
    ``{"owner": "wang.sales", "receivable": "10000.00", "collected": "9200.00", "rate":
    "0.92", "excluded": "900.00", ...}``
    """
    return _finance("get_collection_rate", args)


# --- rule P12, rule F7: resales and actual losses -----------------------------------
@blp.route("/finance/resales", methods=["POST"])
@requires(*FINANCE)
@blp.arguments(contract.RecordResaleSchema, example=EXAMPLE_RESALE)
@blp.response(201, contract.ResaleSchema)
@blp.alt_response(409, response="CONFLICT")
def record_resale(body):
    """Record the resale of returned goods (rule P12): the case's loss is the difference.

    ``within_window`` tells whether it counts for the case's loss. 422
    ``return_unknown`` / ``sku_not_on_return`` / ``resale_exceeds_return``; 409
    ``return_not_settled`` / ``loss_computed``. Example body: ``{"return_id": "5b7c...",
    "sku": "P-100", "quantity": 3, "unit_price": "400.00", "date": "2026-11-20"}`` ->
    ``{"id": "...", "within_window": true, ...}``
    """
    return _finance("record_resale", body, _actor())


@blp.route("/finance/losses", methods=["GET"])
@requires(*FINANCE)
@blp.arguments(contract.LossFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, contract.LossPageSchema)
def list_losses(filters, page_args):
    """The loss ledger (rule F7): each case's actual loss split by responsibility share.

    By department, person and complaint, newest first; ``amount`` sums every matching
    entry (not only this page). Example: ``GET /api/v1/finance/losses?department=production``
    -> ``{"items": [{"complaint_number": "TS-2026-000123", "department": "production",
    "person": "张三", "share": "0.70", "amount": "210.00", ...}], "amount": "210.00",
    "total": 1, "page": 1, "per_page": 50}``
    """
    return _page("list_losses", filters, page_args)
