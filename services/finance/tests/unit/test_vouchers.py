"""Vouchers on the aggregate alone: a settled return's credit, an allowance with its
certificate, a compensation payable, and the proofs that post them."""

from decimal import Decimal

import pytest

from finance.commands import RecordProof
from finance.domain import Plan, ReceivedReturn, Reconciliation, Voucher
from finance.domain.shared import certificate_number, voucher_number
from finance.testing import NOW, allowance, compensation, line, plan, received, return_action
from servicekit.contracts.finance_vocabulary import ProofNotAccepted, VoucherPosted


def settled(actual: int = 10) -> Reconciliation:
    accepted = Plan.of(plan(return_action(line("P-100", 10, "450.00"))))
    returned = ReceivedReturn.of(received(("P-100", 10, actual, "450.00")))
    return Reconciliation(returned, accepted, Decimal("0.05"), NOW)


def test_voucher_numbers_are_readable_per_year():
    assert voucher_number(2026, 123) == "PZ-2026-000123"
    assert certificate_number("PZ-2026-000123") == "ZR-2026-000123"


def test_a_matched_return_gets_a_credit_for_what_arrived():  # rule F1
    reconciliation = settled(7)
    voucher = Voucher.return_credit(reconciliation, "PZ-2026-000001", NOW)
    assert (voucher.type, voucher.status, voucher.amount) == (
        "return_credit",
        "issued",
        Decimal("3150.00"),
    )
    assert reconciliation.voucher_id == voucher.id
    assert voucher.lines == [
        {"sku": "P-100", "quantity": 7, "unit_price": "450.00", "amount": "3150.00"}
    ]
    (event,) = voucher.pull_events()
    assert event.event_type == "voucher_issued"
    assert event.payload["action_id"] is None  # complaints settles the return actions
    assert (event.payload["complaint_id"], event.payload["return_id"]) == ("case-1", "ret-1")
    assert event.payload["amount"] == "3150.00"


def test_an_exception_gets_no_credit_until_resolved():  # rule F1
    reconciliation = settled(11)
    assert Voucher.return_credit(reconciliation, "PZ-2026-000001", NOW) is None
    assert reconciliation.voucher_id is None


def test_an_allowance_voucher_carries_its_certificate():  # rule F3
    accepted = Plan.of(plan(allowance("300.00")))
    (action,) = accepted.actions
    voucher = Voucher.for_action(accepted, action, "PZ-2026-000007", NOW)
    assert (voucher.type, voucher.amount, voucher.action_id) == (
        "allowance",
        Decimal("300.00"),
        "act-allowance",
    )
    certificate = voucher.certificate
    assert certificate["number"] == "ZR-2026-000007"
    assert certificate["title"] == "销货折让证明单"
    assert certificate["signatories"] == ["manager", "general_manager", "customer"]
    assert certificate["amount"] == "300.00"
    assert certificate["complaint_number"] == "TS-2026-000001"


def test_a_compensation_voucher_is_a_payable_with_no_certificate():  # rule F3
    accepted = Plan.of(plan(compensation("88.80")))
    voucher = Voucher.for_action(accepted, accepted.actions[0], "PZ-2026-000008", NOW)
    assert (voucher.type, voucher.amount, voucher.certificate) == (
        "compensation",
        Decimal("88.80"),
        None,
    )


@pytest.mark.parametrize("method", ["original_invoice", "invoice_copy", "return_certificate"])
def test_a_return_credit_is_posted_by_any_return_proof(method):  # rule F2
    voucher = Voucher.return_credit(settled(), "PZ-2026-000001", NOW)
    voucher.pull_events()
    voucher.post(RecordProof(method, "盖章-01"), "zhao.min", NOW)
    assert (voucher.status, voucher.proof_method, voucher.posted_by) == (
        "posted",
        method,
        "zhao.min",
    )
    (event,) = voucher.pull_events()
    assert event.event_type == "voucher_posted"
    assert event.payload["proof_method"] == method and event.payload["type"] == "return_credit"


def test_an_allowance_certificate_is_no_proof_of_a_return():  # rule F2
    voucher = Voucher.return_credit(settled(), "PZ-2026-000001", NOW)
    with pytest.raises(ProofNotAccepted):
        voucher.post(RecordProof("allowance_certificate"), "zhao.min", NOW)
    assert voucher.status == "issued"


def test_an_allowance_is_posted_by_its_signed_certificate_not_a_return_certificate():  # rule F3
    accepted = Plan.of(plan(allowance("300.00")))
    voucher = Voucher.for_action(accepted, accepted.actions[0], "PZ-2026-000002", NOW)
    with pytest.raises(ProofNotAccepted):
        voucher.post(RecordProof("return_certificate"), "zhao.min", NOW)
    voucher.post(RecordProof("allowance_certificate", "ZR-2026-000002"), "zhao.min", NOW)
    assert voucher.status == "posted"


def test_a_voucher_is_posted_once():  # rule F2
    voucher = Voucher.return_credit(settled(), "PZ-2026-000001", NOW)
    voucher.post(RecordProof("original_invoice"), "zhao.min", NOW)
    voucher.pull_events()
    with pytest.raises(VoucherPosted):
        voucher.post(RecordProof("invoice_copy"), "zhao.min", NOW)
    assert voucher.proof_method == "original_invoice" and voucher.pull_events() == []
