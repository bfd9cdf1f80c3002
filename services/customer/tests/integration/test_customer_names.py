"""Customers' names by id (the console's lookup where answers carry ids), on SQLite and
PostgreSQL: up to 100 ids, unknown ones absent, only id and company name read, so no
read of a card is audited (rule C11); and the same over the broker."""

from __future__ import annotations

from decimal import Decimal

import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select

from customer import handlers, queries
from customer.commands import CreateCustomer
from customer.domain import CustomerSettings
from customer.models import start_mappers
from customer.repository import REPOSITORIES
from customer.security_keys import protect_history
from customer.security_models import customer_reads
from customer.service import CustomerService
from servicekit.db import UnitOfWork
from servicekit.domain import Actor
from servicekit.errors import Invalid
from servicekit.migrations import upgrade
from servicekit.testing import migrated_database

CLERK = Actor("li.na", ("sales_clerk",))


@pytest.fixture
def database(db_url, keys):
    with migrated_database("customer", db_url, start_mappers) as database:
        yield database


def uow_on(database) -> UnitOfWork:
    return UnitOfWork(database, repositories=REPOSITORIES, history_changes=protect_history)


def card(database, name: str) -> str:
    new = CreateCustomer(
        name=name, nature="distributor", discount=Decimal("0.85"), tax_no="91310000MA1K000001"
    )
    return handlers.create_customer(uow_on(database), new, CLERK, CustomerSettings()).id


def reads(database) -> int:
    with uow_on(database) as uow:
        return uow.session.execute(select(func.count()).select_from(customer_reads)).scalar()


def test_names_of_known_ids_in_their_order_unknown_absent_and_no_read_audited(database):
    east = card(database, "华东机电有限公司")
    south = card(database, "广州恒达电器贸易有限公司")
    card(database, "北京未列出有限公司")
    names = queries.customer_names(uow_on(database), [south, "no-such-id", east, south])
    assert names == [
        {"id": south, "name": "广州恒达电器贸易有限公司"},
        {"id": east, "name": "华东机电有限公司"},
    ]
    assert queries.customer_names(uow_on(database), []) == []
    assert reads(database) == 0  # rule C11: no personal data read, nothing to audit


def test_a_hundred_ids_at_once(database):
    ids = [card(database, f"公司{n}") for n in range(3)]
    asked = ids + [f"unknown-{n}" for n in range(97)]
    assert [n["id"] for n in queries.customer_names(uow_on(database), asked)] == ids


@pytest.fixture
def customer_rpc(db_url, rabbit_config, container_factory):
    upgrade("customer", db_url)
    config = {**rabbit_config, "DATABASE_URL": db_url}
    container_factory(CustomerService, config).start()
    with ServiceRpcProxy("customer", rabbit_config, timeout=10) as proxy:
        yield proxy


def test_names_over_the_broker_without_a_read_audited(customer_rpc):
    created = customer_rpc.create_customer(
        {"name": "华东机电有限公司", "nature": "distributor"},
        {"username": "c1", "roles": ["sales_clerk"]},
    )
    answer = customer_rpc.customer_names([created["id"], "no-such-id"])
    assert answer == [{"id": created["id"], "name": "华东机电有限公司"}]
    audit = customer_rpc.get_audit(created["id"], {"username": "adm", "roles": ["admin"]})
    views = [e["changes"]["view"] for e in audit if e["action"] == "read"]
    assert "card" not in views and "list" not in views  # rule C11: nothing to audit


def test_more_than_a_hundred_ids_or_not_a_list_are_invalid(customer_rpc):
    with pytest.raises(Invalid) as info:
        customer_rpc.customer_names([f"c-{n}" for n in range(101)])
    assert "ids" in info.value.details
    with pytest.raises(Invalid):
        customer_rpc.customer_names("c-1")
    assert customer_rpc.customer_names([]) == []
