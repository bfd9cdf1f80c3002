"""The bulk import (issue 11.8) through its handler on the fake unit of work
(customer.imports_testing): pending_approval cards with an ``imported`` history entry,
duplicates by tax number (or, without one, by name) against the cards and within the
batch, the domain's refusals as problems, a dry run that keeps nothing. No broker, no
database."""

from decimal import Decimal

import pytest

from customer import imports_handlers
from customer.commands import CreateCustomer
from customer.domain import Customer, CustomerSettings
from customer.domain.security import normal_number
from customer.imports_commands import ImportCustomers, ImportRow
from customer.imports_service import _rows
from customer.imports_testing import FAKE_REPOSITORIES
from servicekit.contracts import customer_imports as contract
from servicekit.domain import Actor
from servicekit.testing import FakeUnitOfWork

S = CustomerSettings()
CLERK = Actor("li.na", ("sales_clerk",))


def card(name: str, tax_no: str | None = None, **fields) -> CreateCustomer:
    return CreateCustomer(name=name, nature="distributor", tax_no=tax_no, **fields)


def existing(name: str, tax_no: str | None) -> Customer:
    return Customer(name=name, nature="agent", tax_no=tax_no, created_by="old", settings=S)


def run(uow, rows, dry_run=False):
    command = ImportCustomers(tuple(ImportRow(n, c) for n, c in rows), dry_run)
    return imports_handlers.import_customers(uow, command, CLERK, S)


@pytest.fixture
def uow():
    return FakeUnitOfWork(FAKE_REPOSITORIES)


def test_rows_become_pending_cards_with_an_imported_history_in_one_commit(uow):
    report = run(uow, [(2, card("甲公司", "9131-0000-A")), (3, card("乙公司", status="lead"))])

    assert [c["row"] for c in report.cards] == [2, 3]
    assert uow.commits == 1
    cards = {c.id: c for c in uow.customers.items.values()}
    assert set(cards) == {c["customer_id"] for c in report.cards}
    # rule C3: imported cards wait for approval, whatever the row said
    assert {c.status for c in cards.values()} == {"pending_approval"}
    assert {c.owner for c in cards.values()} == {"li.na"}  # no owner column: the importer
    actions = [(h.entity_id, h.action, h.changes.get("row")) for h in uow.history]
    for row in report.cards:
        assert (row["customer_id"], "created", None) in actions
        assert (row["customer_id"], "imported", row["row"]) in actions
    assert report.problems == [] and report.duplicates == []


def test_a_tax_number_on_a_card_already_is_reported_not_doubled_however_typed(uow):
    old = existing("老客户", "91310000MA1FL0000X")
    uow.customers.add(old)

    report = run(
        uow, [(2, card("老客户新名", "9131 0000-ma1fl0000x")), (3, card("新客户", "TAX-NEW"))]
    )

    assert [(d.row, d.by, d.existing_customer_id) for d in report.duplicates] == [
        (2, "tax_no", old.id)
    ]
    assert [c["row"] for c in report.cards] == [3]
    assert len(uow.customers.items) == 2


def test_a_tax_number_twice_in_the_batch_creates_the_first_row_only(uow):
    report = run(uow, [(2, card("甲", "T-1")), (3, card("乙", "t1")), (4, card("丙", "T2"))])

    assert [c["row"] for c in report.cards] == [2, 4]
    assert [(d.row, d.first_row, d.existing_customer_id) for d in report.duplicates] == [
        (3, 2, None)
    ]


def test_a_row_without_tax_number_is_matched_by_its_name(uow):
    old = existing("华东机电有限公司", None)
    uow.customers.add(old)

    report = run(
        uow,
        [
            (2, card(" 华东机电有限公司 ")),
            (3, card("华南机电")),
            (4, card("华南机电")),
            (5, card("华东机电有限公司", "NEW-TAX")),  # a tax number: compared by that
        ],
    )

    assert [(d.row, d.by, d.existing_customer_id, d.first_row) for d in report.duplicates] == [
        (2, "name", old.id, None),
        (4, "name", None, 3),
    ]
    assert [c["row"] for c in report.cards] == [3, 5]


def test_a_discount_below_the_floor_is_a_problem_of_its_row_only(uow):
    # rule C4: the discount floor (0.70 by default) holds for imported cards too
    report = run(uow, [(2, card("甲", discount=Decimal("0.50"))), (3, card("乙"))])

    assert [(p["row"], p["field"], p["code"]) for p in report.problems] == [
        (2, "discount", "discount_below_floor")
    ]
    assert [c["row"] for c in report.cards] == [3]
    assert len(uow.customers.items) == 1


def test_a_dry_run_answers_the_same_and_keeps_nothing(uow):
    old = existing("老客户", "T-OLD")
    uow.customers.add(old)
    rows = [(2, card("甲", "T-1")), (3, card("乙", "T-OLD")), (4, card("丙", "T-1"))]

    dry = run(uow, rows, dry_run=True)

    assert [(c["row"], c["customer_id"]) for c in dry.cards] == [(2, None)]
    assert [d.row for d in dry.duplicates] == [3, 4]
    assert uow.commits == 0 and list(uow.customers.items) == [old.id]

    real = run(uow, rows)
    assert [c["row"] for c in real.cards] == [2]
    assert [d.row for d in real.duplicates] == [3, 4]
    assert len(uow.customers.items) == 2


def test_importing_the_same_rows_again_creates_nothing(uow):
    rows = [(2, card("甲", "T-1")), (3, card("乙"))]
    first = run(uow, rows)
    again = run(uow, rows)

    assert len(first.cards) == 2
    assert again.cards == []
    assert {(d.row, d.by) for d in again.duplicates} == {(2, "tax_no"), (3, "name")}
    assert len(uow.customers.items) == 2


def test_the_service_checks_each_row_with_the_contract_and_reports_in_its_terms():
    report = imports_handlers.ImportReport()
    batch = [
        {"row": 2, "card": {"nature": "distributor"}},
        {"row": 3, "card": {"name": "甲", "nature": "wholesaler"}},
        {"row": 4, "card": {"name": "乙", "nature": "agent", "discount": "1.5"}},
        {"row": 5, "card": {"name": "丙", "nature": "agent", "discount": "abc"}},
        {"row": 6, "card": {"name": "丁", "nature": "agent", "contacts": [{"email": "x"}]}},
        {"row": 7, "card": {"name": "戊", "nature": "end_user", "status": "active"}},
    ]

    rows = _rows({"rows": batch}, report)

    assert [(r.row, r.card.name) for r in rows] == [(7, "戊")]
    found = {(p["row"], p["field"], p["code"]) for p in report.problems}
    assert found == {
        (2, "name", "required"),
        (3, "nature", "not_allowed"),
        (4, "discount", "out_of_range"),
        (5, "discount", "invalid"),
        (6, "contacts.0.name", "required"),
        (6, "contacts.0.email", "invalid"),
    }


@pytest.mark.parametrize(
    "typed",
    [
        "91310000MA1FL0000X",
        "9131 0000-ma1f.l0000/x",
        "９１３１００００ＭＡ１ＦＬ００００Ｘ",
        " ",
        "",
    ],
)
def test_the_gateway_compares_tax_numbers_as_the_service_does(typed):
    # rule C11's normalisation (customer.domain.security) and the contract's for the gateway
    assert contract.tax_no_key(typed) == normal_number(typed)
