"""Every finance handler through ``servicekit.testing.FakeUnitOfWork``: what is refused,
what is committed, which events go out."""

from datetime import timedelta
from decimal import Decimal

import pytest

from finance import handlers, queries
from finance.commands import (
    CheckCredit,
    RecordInvoice,
    RecordPayment,
    RecordProof,
    RecordResale,
    ResolveReconciliation,
)
from finance.domain import DEFAULT_SETTINGS
from finance.testing import (
    CLERK,
    FAKE_REPOSITORIES,
    FINANCE,
    NOW,
    allowance,
    compensation,
    complaint,
    customer,
    line,
    plan,
    received,
    return_action,
)
from servicekit.contracts.finance_vocabulary import (
    CustomerNotFound,
    CustomerUnknown,
    InvoiceNumberTaken,
    NotAnException,
    ReconciliationNotFound,
    ReturnNotSettled,
    ReturnUnknown,
    VoucherPosted,
)
from servicekit.testing import FakeUnitOfWork

SETTINGS = DEFAULT_SETTINGS
PLAN = plan(return_action(line("P-100", 10, "450.00")), allowance("300.00"), compensation("50.00"))


@pytest.fixture
def uow():
    return FakeUnitOfWork(FAKE_REPOSITORIES)


def test_a_plan_then_its_return_makes_one_matched_reconciliation_and_its_vouchers(uow):
    # rule F1, rule F3
    handlers.handle_plan_accepted(uow, SETTINGS, PLAN)
    assert uow.event_types() == ["voucher_issued", "voucher_issued"]
    reconciliation = handlers.handle_return_received(
        uow, SETTINGS, received(("P-100", 10, 10, "450.00"))
    )
    assert reconciliation.status == "matched"
    credit = uow.vouchers.get(reconciliation.voucher_id)
    assert (credit.type, credit.amount, credit.number) == (
        "return_credit",
        Decimal("4500.00"),
        "PZ-2026-000003",
    )
    assert sorted(v.type for v in uow.vouchers.all()) == [
        "allowance",
        "compensation",
        "return_credit",
    ]
    assert uow.event_types()[-1] == "voucher_issued"


def test_a_return_before_its_plan_is_kept_and_reconciled_when_the_plan_comes(uow):  # rule F1
    assert (
        handlers.handle_return_received(uow, SETTINGS, received(("P-100", 10, 9, "450.00"))) is None
    )
    assert uow.reconciliations.all() == [] and len(uow.received.all()) == 1
    handlers.handle_plan_accepted(uow, SETTINGS, PLAN)
    (reconciliation,) = uow.reconciliations.all()
    assert (reconciliation.status, reconciliation.amount) == ("matched", Decimal("4050.00"))
    assert reconciliation.voucher_id is not None


def test_a_return_naming_only_its_complaint_finds_that_complaints_plan(uow):  # rule F1
    handlers.handle_plan_accepted(uow, SETTINGS, PLAN)
    fact = received(("P-100", 10, 10, "450.00"), plan_id=None)
    assert handlers.handle_return_received(uow, SETTINGS, fact).plan_id == "plan-1"


def test_each_event_twice_still_makes_one_of_everything(uow):  # rule F1
    fact = received(("P-100", 10, 10, "450.00"))
    first = handlers.handle_return_received(uow, SETTINGS, fact)
    handlers.handle_plan_accepted(uow, SETTINGS, PLAN)
    handlers.handle_plan_accepted(uow, SETTINGS, PLAN)
    again = handlers.handle_return_received(uow, SETTINGS, fact)
    assert first is None and again is not None
    assert len(uow.reconciliations.all()) == 1
    assert len(uow.vouchers.all()) == 3
    assert len(uow.plans.all()) == 1 and len(uow.losses.all()) == 1


def test_an_exception_is_held_until_finance_resolves_it(uow):  # rule F1
    handlers.handle_plan_accepted(uow, SETTINGS, plan(return_action(line("P-100", 10, "450.00"))))
    reconciliation = handlers.handle_return_received(
        uow, SETTINGS, received(("P-100", 10, 11, "450.00"))
    )
    assert reconciliation.status == "exception" and reconciliation.voucher_id is None
    assert uow.event_types() == ["reconciliation_exception"]
    decision = ResolveReconciliation.of([{"sku": "P-100", "accepted_quantity": 11}], "同意")
    resolved = handlers.resolve_reconciliation(uow, SETTINGS, reconciliation.id, decision, FINANCE)
    assert resolved.status == "resolved"
    assert uow.vouchers.get(resolved.voucher_id).amount == Decimal("4950.00")
    assert uow.event_types() == ["reconciliation_exception", "voucher_issued"]
    with pytest.raises(NotAnException):
        handlers.resolve_reconciliation(uow, SETTINGS, reconciliation.id, decision, FINANCE)
    assert len(uow.vouchers.all()) == 1
    with pytest.raises(ReconciliationNotFound):
        handlers.resolve_reconciliation(uow, SETTINGS, "nope", decision, FINANCE)


def test_accepting_none_of_an_exception_still_gives_the_case_its_voucher(uow):
    # rule F1, rule P8: a 0.00 credit records the decision and finishes the return action
    handlers.handle_plan_accepted(uow, SETTINGS, plan(return_action(line("P-100", 10, "450.00"))))
    held = handlers.handle_return_received(uow, SETTINGS, received(("P-100", 10, 12, "450.00")))
    decision = ResolveReconciliation.of([{"sku": "P-100", "accepted_quantity": 0}], "全部退回")
    resolved = handlers.resolve_reconciliation(uow, SETTINGS, held.id, decision, FINANCE)
    voucher = uow.vouchers.get(resolved.voucher_id)
    assert (voucher.type, voucher.amount) == ("return_credit", Decimal("0.00"))
    assert [(li["sku"], li["quantity"]) for li in voucher.lines] == [("P-100", 0)]
    assert uow.event_types()[-1] == "voucher_issued"
    handlers.handle_customer_fact(uow, customer())
    proof = RecordProof("return_certificate", "TH-9")
    posted = handlers.record_proof(uow, SETTINGS, voucher.id, proof, FINANCE)
    assert posted.status == "posted"  # a proof of nothing credits nothing


def test_the_customers_own_ratio_decides_the_tolerance(uow):  # rule F1
    handlers.handle_customer_fact(uow, customer(ratio="0.10"))
    handlers.handle_plan_accepted(uow, SETTINGS, plan(return_action(line("P-100", 10, "450.00"))))
    reconciliation = handlers.handle_return_received(
        uow, SETTINGS, received(("P-100", 10, 11, "450.00"))
    )
    assert (reconciliation.status, reconciliation.ratio) == ("matched", Decimal("0.10"))


def test_a_return_of_a_sales_request_is_reconciled_at_once(uow):  # rule F1
    fact = received(("A-1", 4, 4, "2.50"), plan_id=None, complaint_id=None)
    reconciliation = handlers.handle_return_received(uow, SETTINGS, fact)
    assert (reconciliation.status, reconciliation.amount) == ("matched", Decimal("10.00"))
    assert uow.vouchers.get(reconciliation.voucher_id).complaint_id is None


def test_a_proof_posts_the_voucher_and_credits_the_ledger_once(uow):  # rule F2
    handlers.handle_customer_fact(uow, customer())
    handlers.handle_plan_accepted(uow, SETTINGS, PLAN)
    reconciliation = handlers.handle_return_received(
        uow, SETTINGS, received(("P-100", 10, 10, "450.00"))
    )
    proof = RecordProof("return_certificate", "TH-0001")
    voucher = handlers.record_proof(uow, SETTINGS, reconciliation.voucher_id, proof, FINANCE)
    assert voucher.status == "posted"
    assert sorted(uow.event_types()[-2:]) == ["ledger_changed", "voucher_posted"]
    (changed,) = [e for e in uow.events if e.event_type == "ledger_changed"]
    assert changed.payload["balance"] == "-4500.00"
    with pytest.raises(VoucherPosted):
        handlers.record_proof(uow, SETTINGS, voucher.id, proof, FINANCE)
    ledger = queries.ledger(uow, SETTINGS, "cust-1")
    assert ledger["balance"] == Decimal("-4500.00")  # rule F4: the credit note
    assert [(e["kind"], e["reference"]) for e in ledger["entries"]] == [("credit", voucher.number)]


def test_a_proof_credits_a_customer_finance_has_no_card_of_yet(uow):  # rule F4
    handlers.handle_plan_accepted(uow, SETTINGS, plan(allowance("300.00")))
    (voucher,) = uow.vouchers.all()
    handlers.record_proof(
        uow, SETTINGS, voucher.id, RecordProof("allowance_certificate", "ZR"), FINANCE
    )
    assert queries.ledger(uow, SETTINGS, "cust-1")["balance"] == Decimal("-300.00")


def test_invoices_and_payments_need_a_customer_finance_knows(uow):  # rule F4
    invoice = RecordInvoice("cust-1", "FP-1", NOW.date(), Decimal("900.00"))
    with pytest.raises(CustomerUnknown):
        handlers.record_invoice(uow, SETTINGS, invoice, FINANCE)
    with pytest.raises(CustomerUnknown):
        handlers.record_payment(
            uow, SETTINGS, RecordPayment("cust-1", Decimal("1.00"), NOW.date(), "B"), FINANCE
        )
    with pytest.raises(CustomerNotFound):
        queries.ledger(uow, SETTINGS, "cust-1")
    assert uow.events == []


def test_an_invoice_number_is_recorded_once(uow):  # rule F4
    handlers.handle_customer_fact(uow, customer())
    handlers.handle_customer_fact(uow, customer("cust-2"))
    entry = handlers.record_invoice(
        uow, SETTINGS, RecordInvoice("cust-1", "FP-1", NOW.date(), Decimal("900.00")), FINANCE
    )
    assert entry.due_date == NOW.date() + timedelta(days=30)
    assert uow.event_types() == ["invoice_recorded", "ledger_changed"]
    with pytest.raises(InvoiceNumberTaken):
        handlers.record_invoice(
            uow, SETTINGS, RecordInvoice("cust-2", "FP-1", NOW.date(), Decimal("1.00")), FINANCE
        )
    handlers.record_payment(
        uow, SETTINGS, RecordPayment("cust-1", Decimal("400.00"), NOW.date(), "B-1"), FINANCE
    )
    assert queries.ledger(uow, SETTINGS, "cust-1")["balance"] == Decimal("500.00")


def test_the_credit_check_answers_from_finances_copy(uow):  # rule F5
    handlers.handle_customer_fact(uow, customer(credit_limit="1000.00"))
    handlers.record_invoice(
        uow, SETTINGS, RecordInvoice("cust-1", "FP-1", NOW.date(), Decimal("400.00")), FINANCE
    )
    passed = handlers.credit_check(uow, SETTINGS, CheckCredit("cust-1", Decimal("600.00")))
    held = handlers.credit_check(uow, SETTINGS, CheckCredit("cust-1", Decimal("600.01")))
    unknown = handlers.credit_check(uow, SETTINGS, CheckCredit("cust-9", Decimal("1.00")))
    assert (passed.decision, passed.available_credit) == ("pass", Decimal("600.00"))
    assert (held.decision, held.reason) == ("hold", "over_credit_limit")
    assert (unknown.decision, unknown.reason) == ("hold", "unknown_customer")
    assert uow.commits == 2  # the checks changed nothing


def test_customer_events_v2_then_v1_keep_v2(uow):  # rule X1
    handlers.handle_customer_fact(uow, customer(version=2, credit_limit="20000.00"))
    handlers.handle_customer_fact(uow, customer(version=1, credit_limit="5000.00"))
    assert uow.accounts.get("cust-1").credit_limit == Decimal("20000.00")


def test_complaints_are_followed_open_until_closed_or_rejected(uow):  # rule F6
    handlers.handle_complaint_fact(uow, complaint())
    assert uow.complaints.open_for(["cust-1"])
    handlers.handle_complaint_fact(uow, complaint(open=False))
    assert uow.complaints.open_for(["cust-1"]) == []
    handlers.handle_complaint_fact(uow, complaint("case-2", open=False))
    handlers.handle_complaint_fact(uow, complaint("case-2"))  # late registration
    assert uow.complaints.open_for(["cust-1"]) == []


def test_the_collection_rate_leaves_out_receivables_of_open_complaints(uow):  # rule F6
    handlers.handle_customer_fact(uow, customer())
    for number, order in (("FP-1", "SO-1"), ("FP-2", "SO-2")):
        handlers.record_invoice(
            uow,
            SETTINGS,
            RecordInvoice("cust-1", number, NOW.date(), Decimal("100.00"), order_no=order),
            FINANCE,
        )
    handlers.handle_complaint_fact(uow, complaint(order_no="SO-2"))
    due = NOW.date() + timedelta(days=30)
    rate = queries.get_collection_rate(uow, "wang.sales", NOW.date(), due)
    assert (rate.receivable, rate.excluded, rate.rate) == (
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("0.0000"),
    )


def test_the_loss_is_computed_when_the_window_closes_and_only_once(uow):  # rule P12
    handlers.handle_plan_accepted(uow, SETTINGS, PLAN)
    handlers.handle_return_received(uow, SETTINGS, received(("P-100", 10, 10, "450.00")))
    resale = RecordResale("ret-1", "P-100", 10, Decimal("430.00"), NOW.date())
    assert handlers.record_resale(uow, SETTINGS, resale, FINANCE).within_window
    (case,) = uow.losses.all()
    assert handlers.compute_due_losses(uow, case.due_at - timedelta(seconds=1)) == 0
    assert handlers.compute_due_losses(uow, case.due_at) == 1
    assert handlers.compute_due_losses(uow, case.due_at) == 0
    # rule F7: 10 x 20.00 + 300.00 allowance + 50.00 compensation, all to 张三
    (entry,) = uow.losses.entries()
    assert (entry.person, entry.amount) == ("张三", Decimal("550.00"))


def test_a_resale_names_a_settled_return_of_a_complaint(uow):  # rule P12
    resale = RecordResale("ret-1", "P-100", 1, Decimal("1.00"), NOW.date())
    with pytest.raises(ReturnUnknown):
        handlers.record_resale(uow, SETTINGS, resale, CLERK)
    handlers.handle_plan_accepted(uow, SETTINGS, PLAN)
    handlers.handle_return_received(uow, SETTINGS, received(("P-100", 10, 12, "450.00")))
    with pytest.raises(ReturnNotSettled):
        handlers.record_resale(uow, SETTINGS, resale, FINANCE)


def test_reads_of_a_reconciliation_and_a_voucher_carry_their_history(uow):  # rule F1
    handlers.handle_plan_accepted(uow, SETTINGS, PLAN)
    reconciliation = handlers.handle_return_received(
        uow, SETTINGS, received(("P-100", 10, 10, "450.00"))
    )
    _, history = queries.get_reconciliation(uow, reconciliation.id)
    assert [h["action"] for h in history] == ["reconciled"]
    _, history = queries.get_voucher(uow, reconciliation.voucher_id)
    assert [h["action"] for h in history] == ["issued"]
