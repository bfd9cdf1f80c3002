"""The card's business fields of seed 003 (issue 11.7): legal representative, business
scope, purchase needs and frequency, kept on the card and changed directly, audited
(rule C1, rule C4), and checked by the contract's schemas."""

import pytest

from customer import handlers
from customer.commands import CreateCustomer, UpdateCustomer
from customer.domain import DIRECT_FIELDS, CustomerSettings
from customer.repository import REPOSITORIES
from servicekit.contracts.customer import (
    CreateCustomerSchema,
    CustomerSchema,
    UpdateCustomerSchema,
)
from servicekit.domain import Actor
from servicekit.errors import Invalid
from servicekit.testing import FakeUnitOfWork
from servicekit.validation import load

CLERK = Actor("li.na", ("sales_clerk",))
FIELDS = {
    "legal_representative": "张伟",
    "business_scope": "机电设备、五金交电的批发零售",
    "purchase_needs": "变频器、伺服电机",
    "purchase_frequency": "每月一次",
}


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork(REPOSITORIES)


def test_the_fields_are_changed_directly():  # rule C4: not terms, no change request
    assert set(FIELDS) <= set(DIRECT_FIELDS)


def test_a_card_is_created_with_them_and_they_are_dumped(uow):  # rule C1
    card = CreateCustomer(name="华东机电有限公司", nature="distributor", **FIELDS)
    customer = handlers.create_customer(uow, card, CLERK, CustomerSettings())
    stored = handlers.get_customer(uow, customer.id)
    assert {f: getattr(stored, f) for f in FIELDS} == FIELDS
    dumped = CustomerSchema().dump(stored)
    assert {f: dumped[f] for f in FIELDS} == FIELDS


def test_a_card_without_them_has_them_empty(uow):
    card = CreateCustomer(name="华东机电有限公司", nature="distributor")
    customer = handlers.create_customer(uow, card, CLERK, CustomerSettings())
    assert all(getattr(customer, f) is None for f in FIELDS)


def test_an_approved_card_changes_them_directly_and_the_change_is_audited(uow):  # rule C4
    card = CreateCustomer(name="华东机电有限公司", nature="distributor")
    customer_id = handlers.create_customer(uow, card, CLERK, CustomerSettings()).id
    handlers.approve_customer(uow, customer_id, Actor("liu.yang", ("sales_manager",)))
    changes = {"purchase_frequency": "每季度", "legal_representative": "李强"}
    customer = handlers.update_customer(
        uow, customer_id, UpdateCustomer(changes), CLERK, CustomerSettings()
    )
    assert (customer.purchase_frequency, customer.legal_representative) == ("每季度", "李强")
    entry = uow.history[-1]
    assert (entry.action, entry.actor) == ("updated", "li.na")
    assert entry.changes == {
        "purchase_frequency": {"old": None, "new": "每季度"},
        "legal_representative": {"old": None, "new": "李强"},
    }


def test_the_schemas_load_them_and_refuse_too_long_values():
    loaded = load(CreateCustomerSchema, {"name": "华东", "nature": "agent", **FIELDS})
    assert {f: loaded[f] for f in FIELDS} == FIELDS
    assert load(UpdateCustomerSchema, {"business_scope": None}, partial=True) == {
        "business_scope": None
    }
    for field, limit in [
        ("legal_representative", 100),
        ("business_scope", 2000),
        ("purchase_needs", 2000),
        ("purchase_frequency", 100),
    ]:
        assert load(UpdateCustomerSchema, {field: "x" * limit}, partial=True)
        with pytest.raises(Invalid) as refused:
            load(UpdateCustomerSchema, {field: "x" * (limit + 1)}, partial=True)
        assert field in refused.value.details
