"""Finance endpoints (the CONTRACT section "Finance") with a fake RPC client: what the gateway
adds to the finance service: roles (finance data for finance only; the credit check also
for sales), request validation, the service's errors mapped, what goes over RPC (method,
arguments, actor, money as decimal strings), 201 for what is recorded, and the OpenAPI
document."""

import pytest

from gateway.tests import matrix
from servicekit.contracts.common import MAX_BODY_ITEMS
from servicekit.contracts.finance import (
    AGEING_BUCKETS,
    PROOF_METHODS,
    RECONCILIATION_STATUSES,
    VOUCHER_STATUSES,
    VOUCHER_TYPES,
    CustomerNotFound,
    CustomerUnknown,
    InvoiceAmountMismatch,
    InvoiceNumberTaken,
    LossComputed,
    NotAnException,
    ProofNotAccepted,
    ReconciliationNotFound,
    ResaleExceedsReturn,
    ResolutionMismatch,
    ReturnNotSettled,
    ReturnUnknown,
    SkuNotOnReturn,
    VoucherNotFound,
    VoucherPosted,
)
from servicekit.errors import invalid_fields

AT = "2026-11-27T08:00:00+00:00"
LATER = "2026-11-28T09:30:00+00:00"

RECONCILIATION = {
    "id": "rc-1",
    "return_id": "ra-1",
    "return_number": "RA-2026-000012",
    "complaint_id": "cp-1",
    "plan_id": "p-1",
    "customer_id": "c-1",
    "status": "exception",
    "ratio": "0.05",
    "lines": [{"sku": "P-100", "unit_price": "450.00", "approved_quantity": 10,
               "actual_quantity": 12, "accepted_quantity": None, "amount": None}],
    "amount": None,
    "voucher_id": None,
    "received_at": AT,
    "created_at": AT,
    "updated_at": AT,
    "resolved_at": None,
    "resolved_by": None,
    "comment": None,
    "history": [{"at": AT, "who": "system", "action": "exception", "changes": {}}],
}  # fmt: skip
RESOLVED = {
    **RECONCILIATION,
    "status": "resolved",
    "lines": [{**RECONCILIATION["lines"][0], "accepted_quantity": 11, "amount": "4950.00"}],
    "amount": "4950.00",
    "voucher_id": "v-1",
    "resolved_at": LATER,
    "resolved_by": "zhao.fin",
    "comment": "同意按实收入账",
}
LINES = [{"sku": "P-100", "quantity": 2, "unit_price": "150.00", "amount": "300.00"}]
VOUCHER = {
    "id": "v-2",
    "number": "PZ-2026-000031",
    "type": "allowance",
    "customer_id": "c-1",
    "complaint_id": "cp-1",
    "plan_id": "p-1",
    "action_id": "a-2",
    "return_id": None,
    "reconciliation_id": None,
    "amount": "300.00",
    "status": "issued",
    "lines": LINES,
    "certificate": {
        "number": "ZR-2026-000007",
        "title": "销货折让证明单",
        "customer_id": "c-1",
        "complaint_id": "cp-1",
        "complaint_number": "TS-2026-000123",
        "amount": "300.00",
        "lines": LINES,
        "signatories": ["manager", "general_manager", "customer"],
        "issued_at": AT,  # the service stores the certificate as issued (an ISO string)
    },
    "issued_at": AT,
    "posted_at": None,
    "posted_by": None,
    "proof_method": None,
    "proof_reference": None,
    "history": [],
}
POSTED = {
    **VOUCHER,
    "status": "posted",
    "posted_at": LATER,
    "posted_by": "zhao.fin",
    "proof_method": "allowance_certificate",
    "proof_reference": "ZR-2026-000007",
}
INVOICE_ENTRY = {
    "id": "e-1",
    "kind": "invoice",
    "date": "2026-11-01",
    "due_date": "2026-12-01",
    "amount": "900.00",
    "reference": "FP-0001",
    "order_no": "SO-1",
    "owner": "wang.sales",
    "voucher_id": None,
    "voucher_type": None,
    "complaint_id": None,
    "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}],
    "recorded_at": AT,
    "recorded_by": "zhao.fin",
}
PAYMENT_ENTRY = {
    **INVOICE_ENTRY,
    "id": "e-2",
    "kind": "payment",
    "date": "2026-11-20",
    "due_date": None,
    "amount": "500.00",
    "reference": "BANK-7781",
    "order_no": None,
    "lines": [],
}
LEDGER = {
    "customer_id": "c-1",
    "name": "华东机电有限公司",
    "owner": "wang.sales",
    "credit_limit": "200000.00",
    "settlement_terms": "net_30",
    "as_of": "2026-11-28",
    "balance": "400.00",
    "overdue": "0.00",
    "ageing": dict.fromkeys(AGEING_BUCKETS, "0.00"),
    "entries": [{**INVOICE_ENTRY, "balance": "900.00"}, {**PAYMENT_ENTRY, "balance": "400.00"}],
}
CREDIT_DECISION = {
    "customer_id": "c-1",
    "amount": "20000.00",
    "decision": "hold",
    "reason": "over_credit_limit",
    "available_credit": "15000.00",
    "credit_limit": "200000.00",
    "open_balance": "185000.00",
    "overdue": "0.00",
    "settlement_terms": "net_30",
}
COLLECTION_RATE = {
    "owner": "wang.sales",
    "from": "2026-10-01",
    "to": "2026-10-31",
    "receivable": "10000.00",
    "collected": "9200.00",
    "rate": "0.92",
    "excluded": "900.00",
    "invoices": 4,
    "excluded_invoices": 1,
}
RESALE = {
    "id": "rs-1",
    "return_id": "ra-1",
    "sku": "P-100",
    "quantity": 3,
    "unit_price": "400.00",
    "date": "2026-11-20",
    "within_window": True,
    "recorded_by": "zhao.fin",
    "recorded_at": AT,
}
LOSS = {
    "id": "l-1",
    "complaint_id": "cp-1",
    "complaint_number": "TS-2026-000123",
    "plan_id": "p-1",
    "customer_id": "c-1",
    "department": "production",
    "person": "张三",
    "share": "0.70",
    "amount": "210.00",
    "computed_at": LATER,
}


CANNED = {
    "list_reconciliations": matrix.page_of(RECONCILIATION),
    "get_reconciliation": RECONCILIATION,
    "resolve_reconciliation": RESOLVED,
    "list_vouchers": matrix.page_of(VOUCHER),
    "get_voucher": VOUCHER,
    "record_proof": POSTED,
    "record_invoice": INVOICE_ENTRY,
    "record_payment": PAYMENT_ENTRY,
    "get_ledger": LEDGER,
    "check_credit": CREDIT_DECISION,
    "get_collection_rate": COLLECTION_RATE,
    "record_resale": RESALE,
    "list_losses": matrix.page_of(LOSS, amount="210.00"),
}


@pytest.fixture(autouse=True)
def finance_answers(rpc):
    return matrix.answer_with(rpc, "finance", CANNED)


@pytest.fixture
def api(client, rpc, token_for):
    return matrix.Api("finance", client, rpc, token_for)


FINANCE = ("finance",)
CREDIT_CHECKERS = ("finance", "sales_clerk", "sales_manager")

RESOLUTION = {"lines": [{"sku": "P-100", "accepted_quantity": 11}], "comment": "同意按实收入账"}
PROOF = {"method": "allowance_certificate", "reference": "ZR-2026-000007"}
INVOICE = {
    "customer_id": "c-1",
    "number": "FP-0001",
    "date": "2026-11-01",
    "due_date": "2026-12-01",
    "amount": "900.00",
    "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}],
    "order_no": "SO-1",
}
PAYMENT = {"customer_id": "c-1", "amount": "500.00", "date": "2026-11-20", "reference": "BANK-7781"}
CREDIT_CHECK = {"customer_id": "c-1", "amount": "20000.00"}
RESALE_BODY = {
    "return_id": "ra-1",
    "sku": "P-100",
    "quantity": 3,
    "unit_price": "400.00",
    "date": "2026-11-20",
}
BASE = "/api/v1/finance"
RECONCILIATIONS = f"{BASE}/reconciliations"
RESOLVE = f"{RECONCILIATIONS}/rc-1/resolve"
VOUCHERS = f"{BASE}/vouchers"
PROOF_PATH = f"{VOUCHERS}/v-2/proof"
INVOICES = f"{BASE}/invoices"
PAYMENTS = f"{BASE}/payments"
LEDGER_PATH = f"{BASE}/customers/c-1/ledger"
CREDIT = f"{BASE}/credit-check"
RATE = f"{BASE}/collection-rate"
RATE_QUERY = "?owner=wang.sales&from=2026-10-01&to=2026-10-31"
RESALES = f"{BASE}/resales"
LOSSES = f"{BASE}/losses"

# (method, path, body, roles besides admin, RPC method, status)
ENDPOINTS = [
    ("GET", RECONCILIATIONS, None, FINANCE, "list_reconciliations", 200),
    ("GET", f"{RECONCILIATIONS}/rc-1", None, FINANCE, "get_reconciliation", 200),
    ("POST", RESOLVE, RESOLUTION, FINANCE, "resolve_reconciliation", 200),
    ("GET", VOUCHERS, None, FINANCE, "list_vouchers", 200),
    ("GET", f"{VOUCHERS}/v-2", None, FINANCE, "get_voucher", 200),
    ("POST", PROOF_PATH, PROOF, FINANCE, "record_proof", 200),
    ("POST", INVOICES, INVOICE, FINANCE, "record_invoice", 201),
    ("POST", PAYMENTS, PAYMENT, FINANCE, "record_payment", 201),
    ("GET", LEDGER_PATH, None, FINANCE, "get_ledger", 200),
    ("POST", CREDIT, CREDIT_CHECK, CREDIT_CHECKERS, "check_credit", 200),
    ("GET", f"{RATE}{RATE_QUERY}", None, FINANCE, "get_collection_rate", 200),
    ("POST", RESALES, RESALE_BODY, FINANCE, "record_resale", 201),
    ("GET", LOSSES, None, FINANCE, "list_losses", 200),
]


# --- who may do what (CONTRACT "Who may do what") ------------------------------------
@pytest.mark.parametrize("case", matrix.role_cases(ENDPOINTS))
def test_role_matrix(api, case):
    api.check_role(case)


def test_the_matrix_covers_every_finance_endpoint(app):
    samples = {"reconciliation_id": "rc-1", "voucher_id": "v-2", "customer_id": "c-1"}
    matrix.check_matrix_covers(app, "finance", ENDPOINTS, samples)


def test_customer_readers_do_not_read_the_ledger_with_an_api_key(client, rpc, admin_headers):
    """Every role reads customers; a customer's ledger is finance data (an API key too)."""
    created = client.post(
        "/api-keys", json={"name": "scanner-07", "roles": ["warehouse"]}, headers=admin_headers
    )
    key = {"Authorization": f"Bearer {created.get_json()['key']}"}
    assert client.get("/api/v1/customers/c-1", headers=key).status_code == 200
    response = client.get(LEDGER_PATH, headers=key)
    assert response.status_code == 403, response.get_json()
    assert [c.service for c in rpc.calls] == ["customer"]


@pytest.mark.parametrize(
    "path, body, answer",
    [(INVOICES, INVOICE, INVOICE_ENTRY), (PAYMENTS, PAYMENT, PAYMENT_ENTRY),
     (RESALES, RESALE_BODY, RESALE)],
)  # fmt: skip
def test_what_is_recorded_is_201_with_the_new_record(client, token_for, path, body, answer):
    response = client.post(path, json=body, headers=token_for("finance"))
    assert response.status_code == 201, response.get_json()
    assert response.mimetype == "application/json"
    assert response.get_json() == answer


@pytest.mark.parametrize(
    "path, body, answer",
    [(RESOLVE, RESOLUTION, RESOLVED), (PROOF_PATH, PROOF, POSTED), (CREDIT, CREDIT_CHECK,
     CREDIT_DECISION)],
)  # fmt: skip
def test_actions_and_the_credit_check_are_200_with_the_whole_answer(
    client, token_for, path, body, answer
):
    response = client.post(path, json=body, headers=token_for("finance"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == answer


def test_a_payment_retried_with_its_idempotency_key_is_recorded_once(client, rpc, token_for):
    headers = {**token_for("finance"), "Idempotency-Key": "pay-BANK-7781"}
    first = client.post(PAYMENTS, json=PAYMENT, headers=headers)
    again = client.post(PAYMENTS, json=PAYMENT, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json() == PAYMENT_ENTRY
    assert [c.method for c in rpc.calls] == ["record_payment"]


# --- request validation -----------------------------------------------------------
def invoice(**changes):
    return {**INVOICE, **changes}


def payment(**changes):
    return {**PAYMENT, **changes}


def resale(**changes):
    return {**RESALE_BODY, **changes}


def without(body, name):
    return {k: v for k, v in body.items() if k != name}


def resolution_line(**changes):
    return {"lines": [{"sku": "P-100", "accepted_quantity": 11, **changes}]}


def invoice_line(**changes):
    return invoice(lines=[{"sku": "P-100", "quantity": 2, "unit_price": "450.00", **changes}])


TOO_MANY_LINES = [
    {"sku": f"P-{n}", "quantity": 1, "unit_price": "1.00"} for n in range(MAX_BODY_ITEMS + 1)
]
TOO_MANY_RESOLVED = [{"sku": f"P-{n}", "accepted_quantity": 1} for n in range(MAX_BODY_ITEMS + 1)]
FIN, CLERK = "finance", "sales_clerk"

# (id, method, path, body, role, fields named in details)
INVALID = [
    ("resolve without lines", "POST", RESOLVE, {"comment": "ok"}, FIN, {"lines"}),
    ("resolve with no lines", "POST", RESOLVE, {"lines": []}, FIN, {"lines"}),
    ("resolve over 500 lines", "POST", RESOLVE, {"lines": TOO_MANY_RESOLVED}, FIN, {"lines"}),
    ("resolve negative quantity", "POST", RESOLVE, resolution_line(accepted_quantity=-1), FIN,
     {"lines"}),
    ("resolve quantity as text", "POST", RESOLVE, resolution_line(accepted_quantity="11"), FIN,
     {"lines"}),
    ("resolve quantity as float", "POST", RESOLVE, resolution_line(accepted_quantity=10.5), FIN,
     {"lines"}),
    ("resolve line without sku", "POST", RESOLVE, {"lines": [{"accepted_quantity": 1}]}, FIN,
     {"lines"}),
    ("resolve comment too long", "POST", RESOLVE, {**RESOLUTION, "comment": "长" * 2001}, FIN,
     {"comment"}),
    ("proof unknown method", "POST", PROOF_PATH, {"method": "fax_copy"}, FIN, {"method"}),
    ("proof without method", "POST", PROOF_PATH, {"reference": "TH-0012"}, FIN, {"method"}),
    ("proof unknown field", "POST", PROOF_PATH, {**PROOF, "amount": "1.00"}, FIN, {"amount"}),
    ("invoice missing fields", "POST", INVOICES, {"lines": []}, FIN,
     {"customer_id", "number", "date", "amount"}),
    ("invoice negative amount", "POST", INVOICES, invoice(amount="-900.00"), FIN, {"amount"}),
    ("invoice zero amount", "POST", INVOICES, invoice(amount="0.00"), FIN, {"amount"}),
    ("invoice amount not a number", "POST", INVOICES, invoice(amount="九百"), FIN, {"amount"}),
    ("invoice amount NaN", "POST", INVOICES, invoice(amount="NaN"), FIN, {"amount"}),
    ("invoice amount Infinity", "POST", INVOICES, invoice(amount="Infinity"), FIN, {"amount"}),
    ("invoice amount a boolean", "POST", INVOICES, invoice(amount=True), FIN, {"amount"}),
    ("invoice amount an object", "POST", INVOICES, invoice(amount={"value": "900"}), FIN,
     {"amount"}),
    ("invoice bad date", "POST", INVOICES, invoice(date="2026-13-01"), FIN, {"date"}),
    ("invoice date as a time", "POST", INVOICES, invoice(date="2026-11-01T00:00:00+08:00"), FIN,
     {"date"}),
    ("invoice bad due date", "POST", INVOICES, invoice(due_date="01/12/2026"), FIN,
     {"due_date"}),
    ("invoice empty number", "POST", INVOICES, invoice(number=""), FIN, {"number"}),
    ("invoice over 500 lines", "POST", INVOICES, invoice(lines=TOO_MANY_LINES), FIN, {"lines"}),
    ("invoice line negative price", "POST", INVOICES, invoice_line(unit_price="-1.00"), FIN,
     {"lines"}),
    ("invoice line quantity zero", "POST", INVOICES, invoice_line(quantity=0), FIN, {"lines"}),
    ("invoice line quantity as text", "POST", INVOICES, invoice_line(quantity="2"), FIN,
     {"lines"}),
    ("invoice unknown field", "POST", INVOICES, invoice(currency="CNY"), FIN, {"currency"}),
    ("payment negative amount", "POST", PAYMENTS, payment(amount="-500.00"), FIN, {"amount"}),
    ("payment zero amount", "POST", PAYMENTS, payment(amount="0"), FIN, {"amount"}),
    ("payment rounds to zero", "POST", PAYMENTS, payment(amount="0.001"), FIN, {"amount"}),
    ("payment bad date", "POST", PAYMENTS, payment(date="2026-02-30"), FIN, {"date"}),
    ("payment without reference", "POST", PAYMENTS, without(PAYMENT, "reference"), FIN,
     {"reference"}),
    ("credit check negative amount", "POST", CREDIT, {**CREDIT_CHECK, "amount": "-1"}, CLERK,
     {"amount"}),
    ("credit check without customer", "POST", CREDIT, {"amount": "1.00"}, CLERK,
     {"customer_id"}),
    ("resale negative price", "POST", RESALES, resale(unit_price="-400.00"), FIN,
     {"unit_price"}),
    ("resale quantity zero", "POST", RESALES, resale(quantity=0), FIN, {"quantity"}),
    ("resale quantity as float", "POST", RESALES, resale(quantity=2.5), FIN, {"quantity"}),
    ("resale bad date", "POST", RESALES, resale(date="20.11.2026"), FIN, {"date"}),
    ("resale without return", "POST", RESALES, without(RESALE_BODY, "return_id"), FIN,
     {"return_id"}),
    ("collection rate without owner", "GET", f"{RATE}?from=2026-10-01&to=2026-10-31", None, FIN,
     {"owner"}),
    ("collection rate without period", "GET", f"{RATE}?owner=wang.sales", None, FIN,
     {"from", "to"}),
    ("collection rate bad from", "GET", f"{RATE}?owner=w&from=2026-10&to=2026-10-31", None, FIN,
     {"from"}),
    ("reconciliations bogus status", "GET", f"{RECONCILIATIONS}?status=open", None, FIN,
     {"status"}),
    ("vouchers bogus type", "GET", f"{VOUCHERS}?type=refund", None, FIN, {"type"}),
    ("vouchers bogus status", "GET", f"{VOUCHERS}?status=paid", None, FIN, {"status"}),
    ("losses per_page 201", "GET", f"{LOSSES}?per_page=201", None, FIN, {"per_page"}),
    ("vouchers page zero", "GET", f"{VOUCHERS}?page=0", None, FIN, {"page"}),
]  # fmt: skip


@pytest.mark.parametrize("case", matrix.named(INVALID))
def test_invalid_requests_are_422_and_reach_no_service(api, case):
    api.check_invalid(*case)


def test_nested_problems_name_their_line(client, token_for):
    body = invoice(lines=[INVOICE["lines"][0], {**INVOICE["lines"][0], "unit_price": "-1"}])
    response = client.post(INVOICES, json=body, headers=token_for("finance"))
    assert response.get_json()["error"]["details"] == {
        "lines": {"1": {"unit_price": ["Must be greater than or equal to 0."]}}
    }


CANNED_METHOD = {RESOLVE: "resolve_reconciliation", RESALES: "record_resale",
                 INVOICES: "record_invoice"}  # fmt: skip


@pytest.mark.parametrize(
    "path, body, role",
    [(RESOLVE, resolution_line(accepted_quantity=0), "finance"),  # rule F1: none accepted
     (RESALES, resale(unit_price="0"), "finance"),  # goods given away: the whole value lost
     (INVOICES, invoice_line(unit_price="0"), "finance")],  # a free sample on the invoice
)  # fmt: skip
def test_zero_where_zero_is_allowed(client, rpc, token_for, path, body, role):
    response = client.post(path, json=body, headers=token_for(role))
    assert response.status_code in (200, 201), response.get_json()
    assert [c.method for c in rpc.calls] == [CANNED_METHOD[path]]


# --- the service's errors -----------------------------------------------------------
# (id, method, path, body, role, RPC method, raised, status, code)
SERVICE_ERRORS = [
    ("reconciliation not found", "GET", f"{RECONCILIATIONS}/nope", None, FIN,
     "get_reconciliation", ReconciliationNotFound(details={"id": "nope"}), 404,
     "reconciliation_not_found"),
    ("resolve an unknown reconciliation", "POST", RESOLVE, RESOLUTION, FIN,
     "resolve_reconciliation", ReconciliationNotFound(), 404, "reconciliation_not_found"),
    ("resolve a matched reconciliation", "POST", RESOLVE, RESOLUTION, FIN,
     "resolve_reconciliation", NotAnException(details={"status": "matched"}), 409,
     "reconciliation_not_exception"),
    ("resolution misses a sku", "POST", RESOLVE, RESOLUTION, FIN, "resolve_reconciliation",
     ResolutionMismatch(details={"missing": ["P-200"]}), 422, "resolution_mismatch"),
    ("voucher not found", "GET", f"{VOUCHERS}/nope", None, FIN, "get_voucher",
     VoucherNotFound(), 404, "voucher_not_found"),
    ("proof of an unknown voucher", "POST", PROOF_PATH, PROOF, FIN, "record_proof",
     VoucherNotFound(), 404, "voucher_not_found"),
    ("voucher posted twice", "POST", PROOF_PATH, PROOF, FIN, "record_proof",
     VoucherPosted(details={"posted_at": AT}), 409, "voucher_posted"),
    ("proof of another voucher type", "POST", PROOF_PATH, {"method": "return_certificate"}, FIN,
     "record_proof", ProofNotAccepted(details={"type": "allowance"}), 422, "proof_not_accepted"),
    ("invoice number taken", "POST", INVOICES, INVOICE, FIN, "record_invoice",
     InvoiceNumberTaken(details={"number": "FP-0001"}), 409, "invoice_number_taken"),
    ("invoice lines do not sum", "POST", INVOICES, INVOICE, FIN, "record_invoice",
     InvoiceAmountMismatch(details={"amount": "900.00", "lines": "450.00"}), 422,
     "invoice_amount_mismatch"),
    ("invoice of an unknown customer", "POST", INVOICES, INVOICE, FIN, "record_invoice",
     CustomerUnknown(details={"customer_id": "c-1"}), 422, "customer_unknown"),
    ("payment of an unknown customer", "POST", PAYMENTS, PAYMENT, FIN, "record_payment",
     CustomerUnknown(), 422, "customer_unknown"),
    ("ledger of an unknown customer", "GET", LEDGER_PATH, None, FIN, "get_ledger",
     CustomerNotFound(details={"id": "c-1"}), 404, "customer_not_found"),
    ("collection period backwards", "GET", f"{RATE}?owner=w&from=2026-10-31&to=2026-10-01",
     None, FIN, "get_collection_rate", invalid_fields({"to": ["must not be before from"]}), 422,
     "invalid"),
    ("resale of an unknown return", "POST", RESALES, RESALE_BODY, FIN, "record_resale",
     ReturnUnknown(), 422, "return_unknown"),
    ("resale of a sku not credited", "POST", RESALES, RESALE_BODY, FIN, "record_resale",
     SkuNotOnReturn(details={"sku": "P-100"}), 422, "sku_not_on_return"),
    ("resale beyond the return", "POST", RESALES, RESALE_BODY, FIN, "record_resale",
     ResaleExceedsReturn(details={"credited": 2, "resold": 3}), 422, "resale_exceeds_return"),
    ("resale while the return is held", "POST", RESALES, RESALE_BODY, FIN, "record_resale",
     ReturnNotSettled(), 409, "return_not_settled"),
    ("resale after the loss", "POST", RESALES, RESALE_BODY, FIN, "record_resale",
     LossComputed(), 409, "loss_computed"),
]  # fmt: skip


@pytest.mark.parametrize("case", matrix.named(SERVICE_ERRORS))
def test_service_errors_are_mapped(api, case):
    api.check_service_error(*case)


def test_a_hold_is_an_answer_not_an_error(client, rpc, token_for):  # rule F5
    hold = {**CREDIT_DECISION, "reason": "unknown_customer", "available_credit": None,
            "credit_limit": None, "open_balance": "0.00", "settlement_terms": None}  # fmt: skip
    rpc.answers[("finance", "check_credit")] = hold
    response = client.post(CREDIT, json=CREDIT_CHECK, headers=token_for("sales_manager"))
    assert response.status_code == 200
    assert response.get_json() == hold


# --- what goes over RPC -------------------------------------------------------------
# (path, body, expected args before the actor)
COMMANDS = [
    (RESOLVE, RESOLUTION, ("rc-1", RESOLUTION)),
    (RESOLVE, resolution_line(), ("rc-1", {**resolution_line(), "comment": None})),
    (PROOF_PATH, PROOF, ("v-2", PROOF)),
    (PROOF_PATH, {"method": "original_invoice"}, ("v-2", {"method": "original_invoice",
                                                          "reference": None})),
    (INVOICES, INVOICE, (INVOICE,)),
    (PAYMENTS, PAYMENT, (PAYMENT,)),
    (RESALES, RESALE_BODY, (RESALE_BODY,)),
]  # fmt: skip


@pytest.mark.parametrize(
    "path, body, args", COMMANDS, ids=[f"{c[0]} {sorted(c[1])}" for c in COMMANDS]
)
def test_commands_carry_the_logged_in_user_as_actor(api, path, body, args):
    api.check_actor(path, body, "finance", args, username="zhao.fin", department="财务部")


def test_the_credit_check_is_a_question_without_an_actor(client, rpc, token_for):  # rule F5
    headers = token_for("sales_clerk", username="li.clerk", department="销售部")
    response = client.post(CREDIT, json={"customer_id": "c-1", "amount": "20000"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert (rpc.last.service, rpc.last.method, rpc.last.args) == (
        "finance",
        "check_credit",
        ({"customer_id": "c-1", "amount": "20000.00"},),
    )


def test_an_invoice_goes_over_rpc_with_decimal_strings_and_its_defaults(client, rpc, token_for):
    body = {
        "customer_id": "c-1",
        "number": "FP-0002",
        "date": "2026-11-01",
        "amount": "912.5",
        "lines": [
            {"sku": "P-100", "quantity": 2, "unit_price": "450"},
            {"sku": "P-200", "quantity": 1, "unit_price": "12.50"},
        ],
    }
    response = client.post(INVOICES, json=body, headers=token_for("finance"))
    assert response.status_code == 201, response.get_json()
    data, _actor = rpc.last.args
    assert data == {
        "customer_id": "c-1",
        "number": "FP-0002",
        "date": "2026-11-01",
        "due_date": None,  # from the customer's settlement terms, in the service (rule F4)
        "amount": "912.50",
        "lines": [
            {"sku": "P-100", "quantity": 2, "unit_price": "450.00"},
            {"sku": "P-200", "quantity": 1, "unit_price": "12.50"},
        ],
        "order_no": None,
    }


def test_an_invoice_without_lines_sends_an_empty_list(client, rpc, token_for):
    body = without(without(INVOICE, "lines"), "order_no")
    response = client.post(INVOICES, json=body, headers=token_for("finance"))
    assert response.status_code == 201, response.get_json()
    assert rpc.last.args[0] == {**body, "lines": [], "order_no": None}


# A JSON number where CONTRACT says "decimal string" is read as the number's decimal text
# (never a float over RPC): Money takes str(number) and keeps two places.
@pytest.mark.parametrize(
    "path, body, name, sent",
    [(INVOICES, invoice(amount=900), "amount", "900.00"),
     (PAYMENTS, payment(amount=500.5), "amount", "500.50"),
     (CREDIT, {"customer_id": "c-1", "amount": 0.1}, "amount", "0.10"),
     (RESALES, resale(unit_price=399.99), "unit_price", "399.99")],
)  # fmt: skip
def test_money_sent_as_a_json_number_goes_over_rpc_as_a_decimal_string(
    client, rpc, token_for, path, body, name, sent
):
    response = client.post(path, json=body, headers=token_for("finance"))
    assert response.status_code in (200, 201), response.get_json()
    value = rpc.last.args[0][name]
    assert isinstance(value, str) and value == sent


def test_no_float_goes_over_rpc(client, rpc, token_for):
    """Every money value of every command reaches the service as a string."""
    headers = token_for("finance")
    bodies = [(INVOICES, invoice(amount=900.0, lines=[{"sku": "P-100", "quantity": 2,
                                                       "unit_price": 450.0}])),
              (PAYMENTS, payment(amount=500.25)), (CREDIT, {"customer_id": "c-1", "amount": 1.5}),
              (RESALES, resale(unit_price=400.0))]  # fmt: skip

    def floats(value):
        if isinstance(value, dict):
            return [f for v in value.values() for f in floats(v)]
        if isinstance(value, list):
            return [f for v in value for f in floats(v)]
        return [value] if isinstance(value, float) else []

    for path, body in bodies:
        assert client.post(path, json=body, headers=headers).status_code in (200, 201)
        assert floats(rpc.last.args) == [], path
    assert rpc.calls[0].args[0]["lines"][0]["unit_price"] == "450.00"


@pytest.mark.parametrize("method", PROOF_METHODS)
def test_every_proof_method_reaches_the_service(client, rpc, token_for, method):  # rule F2
    response = client.post(PROOF_PATH, json={"method": method}, headers=token_for("finance"))
    assert response.status_code == 200, response.get_json()
    assert rpc.last.args[1] == {"method": method, "reference": None}


# (path, query, filters, page, per_page)
LISTS = [
    (RECONCILIATIONS, "", {}, 1, 50),
    (RECONCILIATIONS,
     "?return_id=ra-1&complaint_id=cp-1&customer_id=c-1&status=exception&page=2&per_page=10",
     {"return_id": "ra-1", "complaint_id": "cp-1", "customer_id": "c-1", "status": "exception"},
     2, 10),
    (VOUCHERS, "?customer_id=c-1&complaint_id=cp-1&type=allowance&status=issued&per_page=200",
     {"customer_id": "c-1", "complaint_id": "cp-1", "type": "allowance", "status": "issued"},
     1, 200),
    (LOSSES, "?department=production&person=张三&complaint_id=cp-1&page=3",
     {"department": "production", "person": "张三", "complaint_id": "cp-1"}, 3, 50),
    (LOSSES, "?unknown=ignored", {}, 1, 50),
]  # fmt: skip


@pytest.mark.parametrize(
    "path, query, filters, page, per_page", LISTS, ids=[f"{c[0]}{c[1]}" for c in LISTS]
)
def test_lists_pass_filters_and_paging(api, path, query, filters, page, per_page):
    api.check_list(path, query, filters, page, per_page, role="finance")


def test_the_loss_ledger_answers_its_sum_beside_the_page(client, token_for):  # rule F7
    response = client.get(LOSSES, headers=token_for("finance"))
    assert response.get_json() == {"items": [LOSS], "total": 1, "page": 1, "per_page": 50,
                                   "amount": "210.00"}  # fmt: skip


def test_the_collection_rate_passes_owner_and_period_as_named_in_contract(
    client, rpc, token_for
):  # rule F6
    response = client.get(f"{RATE}{RATE_QUERY}&page=2", headers=token_for("finance"))
    assert response.status_code == 200, response.get_json()
    assert rpc.last.args == ({"owner": "wang.sales", "from": "2026-10-01", "to": "2026-10-31"},)
    assert response.get_json() == COLLECTION_RATE


@pytest.mark.parametrize(
    "path, values, name",
    [(RECONCILIATIONS, RECONCILIATION_STATUSES, "status"), (VOUCHERS, VOUCHER_TYPES, "type"),
     (VOUCHERS, VOUCHER_STATUSES, "status")],
)  # fmt: skip
def test_every_contract_value_is_a_valid_filter(api, path, values, name):
    api.check_filter_values(path, values, name, role="finance")


@pytest.mark.parametrize(
    "path, rpc_method, args",
    [(f"{RECONCILIATIONS}/rc-9", "get_reconciliation", ("rc-9",)),
     (f"{VOUCHERS}/v-9", "get_voucher", ("v-9",)),
     (f"{BASE}/customers/c-9/ledger", "get_ledger", ("c-9",))],
)  # fmt: skip
def test_reads_pass_only_ids(api, path, rpc_method, args):
    api.check_read(path, rpc_method, args, role="finance")


def test_service_answers_pass_through_with_chinese_text_unescaped(client, rpc, token_for):
    answer = {**VOUCHER, "added_by_a_newer_service": {"kept": True}}
    rpc.answers[("finance", "get_voucher")] = answer
    response = client.get(f"{VOUCHERS}/v-2", headers=token_for("finance"))
    assert response.get_json() == answer
    text = response.get_data(as_text=True)
    assert "销货折让证明单" in text and "\\u9500" not in text


# --- OpenAPI ----------------------------------------------------------------------
@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


P = "/api/v1/finance"
# (path, method): (request schema, status, response schema, x-roles)
OPERATIONS = {
    (f"{P}/reconciliations", "get"): (None, "200", "ReconciliationPage", FINANCE),
    (f"{P}/reconciliations/{{reconciliation_id}}", "get"): (
        None, "200", "Reconciliation", FINANCE),
    (f"{P}/reconciliations/{{reconciliation_id}}/resolve", "post"): (
        "ResolveReconciliation", "200", "Reconciliation", FINANCE),
    (f"{P}/vouchers", "get"): (None, "200", "VoucherPage", FINANCE),
    (f"{P}/vouchers/{{voucher_id}}", "get"): (None, "200", "Voucher", FINANCE),
    (f"{P}/vouchers/{{voucher_id}}/proof", "post"): ("Proof", "200", "Voucher", FINANCE),
    (f"{P}/invoices", "post"): ("RecordInvoice", "201", "LedgerEntry", FINANCE),
    (f"{P}/payments", "post"): ("RecordPayment", "201", "LedgerEntry", FINANCE),
    (f"{P}/customers/{{customer_id}}/ledger", "get"): (None, "200", "Ledger", FINANCE),
    (f"{P}/credit-check", "post"): ("CreditCheck", "200", "CreditDecision", CREDIT_CHECKERS),
    (f"{P}/collection-rate", "get"): (None, "200", "CollectionRate", FINANCE),
    (f"{P}/resales", "post"): ("RecordResale", "201", "Resale", FINANCE),
    (f"{P}/losses", "get"): (None, "200", "LossPage", FINANCE),
}  # fmt: skip


@pytest.mark.parametrize(
    "path, method, request_schema, status, response_schema, roles",
    [(*key, *value) for key, value in OPERATIONS.items()],
)
def test_openapi_documents_every_finance_operation_with_its_roles(
    spec, path, method, request_schema, status, response_schema, roles
):
    matrix.check_operation(spec, path, method, request_schema, status, response_schema, roles)


def test_openapi_has_every_finance_path(app, spec):
    matrix.check_documented_paths(app, spec, "finance", OPERATIONS)


def test_openapi_documents_the_conflicts_of_recording(spec):
    """A taken invoice number and a held or computed case are 409s, though the paths name
    no resource (gateway.blueprint documents 409 only for commands on a matrix.named thing)."""
    for path in (f"{P}/invoices", f"{P}/resales"):
        responses = spec["paths"][path]["post"]["responses"]
        assert {"409", "413", "422"} <= set(responses), path
    assert "409" not in spec["paths"][f"{P}/payments"]["post"]["responses"]


def test_openapi_documents_query_parameters(spec):
    matrix.check_query_parameters(
        spec,
        {
            f"{P}/reconciliations": {"return_id", "complaint_id", "customer_id", "status"},
            f"{P}/vouchers": {"customer_id", "complaint_id", "type", "status"},
            f"{P}/losses": {"department", "person", "complaint_id"},
        },
    )
    assert matrix.query_enum(spec, f"{P}/reconciliations", "status") == list(
        RECONCILIATION_STATUSES
    )
    assert matrix.query_enum(spec, f"{P}/vouchers", "type") == list(VOUCHER_TYPES)
    assert matrix.query_enum(spec, f"{P}/vouchers", "status") == list(VOUCHER_STATUSES)

    rate = matrix.query_parameters(spec, f"{P}/collection-rate")
    assert set(rate) == {"owner", "from", "to"}  # CONTRACT's names; not paged
    assert all(p["in"] == "query" and p["required"] for p in rate.values())
    assert rate["from"]["schema"]["format"] == rate["to"]["schema"]["format"] == "date"


def test_openapi_request_schemas_carry_the_contract_values(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["Proof"]["properties"]["method"]["enum"] == list(PROOF_METHODS)
    assert schemas["Proof"]["required"] == ["method"]
    invoice_schema = schemas["RecordInvoice"]
    assert set(invoice_schema["required"]) == {"customer_id", "number", "date", "amount"}
    assert invoice_schema["properties"]["lines"]["maxItems"] == MAX_BODY_ITEMS
    resolve = schemas["ResolveReconciliation"]["properties"]["lines"]
    assert (resolve["minItems"], resolve["maxItems"]) == (1, MAX_BODY_ITEMS)
    for name in ("RecordInvoice", "RecordPayment", "CreditCheck"):
        amount = schemas[name]["properties"]["amount"]
        assert (amount["type"], amount["format"]) == ("string", "decimal"), name
        assert (amount["minimum"], amount["exclusiveMinimum"]) == (0, True), name
    assert schemas["RecordResale"]["properties"]["unit_price"]["minimum"] == 0
    assert "exclusiveMinimum" not in schemas["RecordResale"]["properties"]["unit_price"]
    assert set(schemas["RecordPayment"]["required"]) == {
        "customer_id", "amount", "date", "reference"
    }  # fmt: skip
    assert "certificate" in schemas["Voucher"]["properties"]
    assert "amount" in schemas["LossPage"]["required"]
