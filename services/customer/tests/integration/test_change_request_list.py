"""Every customer's change requests listed (rule C4, the console's "my approvals"), on
SQLite and PostgreSQL: newest first with the customer's name, filtered by status,
customer and the side whose decision is still missing, paged; each with its changes (old
and new), reason, requester and the decisions so far."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from customer import handlers, queries
from customer.commands import CreateCustomer, DecideChangeRequest
from customer.domain import ChangeRequest, CustomerSettings
from customer.models import start_mappers
from customer.repository import REPOSITORIES
from customer.security_keys import protect_history
from servicekit.contracts.customer import ChangeRequestFilterSchema
from servicekit.db import UnitOfWork
from servicekit.domain import Actor
from servicekit.errors import Invalid
from servicekit.testing import migrated_database
from servicekit.validation import load_list_args

SETTINGS = CustomerSettings()
CLERK = Actor("li.na", ("sales_clerk",))
MANAGER = Actor("liu.yang", ("sales_manager",))
MARKET = Actor("chen.jing", ("market_manager",))
FINANCE = Actor("zhao.min", ("finance",))
START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def database(db_url, keys):
    with migrated_database("customer", db_url, start_mappers) as database:
        yield database


def uow_on(database) -> UnitOfWork:
    return UnitOfWork(database, repositories=REPOSITORIES, history_changes=protect_history)


def approved_customer(database, name: str) -> str:
    card = CreateCustomer(
        name=name, nature="distributor", discount=Decimal("0.85"), credit_limit=Decimal("1000")
    )
    customer_id = handlers.create_customer(uow_on(database), card, CLERK, SETTINGS).id
    handlers.approve_customer(uow_on(database), customer_id, MANAGER)
    return customer_id


def requested(database, customer_id: str, minutes: int, **terms) -> str:
    """A change request made ``minutes`` after START (so the order is known)."""
    with uow_on(database) as uow:
        customer = uow.customers.get(customer_id)
        request = ChangeRequest(
            customer,
            terms,
            "年度框架协议",
            CLERK.username,
            SETTINGS,
            now=START + timedelta(minutes=minutes),
        )
        uow.change_requests.add(request)
        uow.commit()
        return request.id


def decide(database, request_id: str, actor: Actor, decision: str = "approve") -> None:
    command = DecideChangeRequest(decision, f"{decision} by {actor.username}")
    handlers.decide_change_request(uow_on(database), request_id, command, actor)


def listed(database, page: int = 1, per_page: int = 50, **filters) -> dict:
    return queries.list_all_change_requests(uow_on(database), filters, page, per_page)


def ids(result: dict) -> list[str]:
    return [request.id for request, _name in result["items"]]


@pytest.fixture
def requests(database):
    """Four requests of two customers: pending, partially approved (by the market
    manager), applied, rejected (by finance)."""
    east = approved_customer(database, "华东机电有限公司")
    south = approved_customer(database, "广州恒达电器贸易有限公司")
    made = {
        "pending": requested(database, east, 1, discount=Decimal("0.80")),
        "partial": requested(database, south, 2, credit_limit=Decimal("3000.00")),
        "applied": requested(database, east, 3, settlement_terms="net_60"),
        "rejected": requested(database, south, 4, discount=Decimal("0.75")),
    }
    decide(database, made["partial"], MARKET)
    decide(database, made["applied"], FINANCE)
    decide(database, made["applied"], MARKET)
    decide(database, made["rejected"], FINANCE, "reject")
    return {"east": east, "south": south, **made}


def test_every_request_is_listed_newest_first_with_its_customer_and_decisions(
    database, requests
):  # rule C4
    result = listed(database)
    assert result["total"] == 4 and (result["page"], result["per_page"]) == (1, 50)
    assert ids(result) == [requests[k] for k in ("rejected", "applied", "partial", "pending")]
    by_id = {request.id: (request, name) for request, name in result["items"]}

    pending, name = by_id[requests["pending"]]
    assert name == "华东机电有限公司" and pending.customer_id == requests["east"]
    assert pending.changes == {"discount": {"old": "0.8500", "new": "0.80"}}
    assert (pending.reason, pending.requested_by, pending.status) == (
        "年度框架协议",
        "li.na",
        "pending",
    )
    assert pending.requested_at == START + timedelta(minutes=1)
    assert pending.decisions == []

    partial, name = by_id[requests["partial"]]
    assert name == "广州恒达电器贸易有限公司"
    assert partial.changes == {"credit_limit": {"old": "1000.00", "new": "3000.00"}}
    assert [(d["role"], d["by"], d["decision"], d["comment"]) for d in partial.decisions] == [
        ("market_manager", "chen.jing", "approve", "approve by chen.jing")
    ]
    assert partial.decisions[0]["at"]

    applied, _ = by_id[requests["applied"]]
    assert applied.status == "applied"
    assert [d["role"] for d in applied.decisions] == ["finance", "market_manager"]


@pytest.mark.parametrize(
    "status, expected",
    [("pending", ["pending"]), ("partially_approved", ["partial"]), ("applied", ["applied"]),
     ("rejected", ["rejected"])],
)  # fmt: skip
def test_status_filter(database, requests, status, expected):
    assert ids(listed(database, status=status)) == [requests[k] for k in expected]


def test_customer_filter(database, requests):
    assert ids(listed(database, customer_id=requests["east"])) == [
        requests["applied"],
        requests["pending"],
    ]
    assert listed(database, customer_id="nobody") == {
        "items": [],
        "total": 0,
        "page": 1,
        "per_page": 50,
    }


def test_awaiting_a_side_lists_the_open_requests_it_has_not_decided(database, requests):
    # rule C4: both sides approve; the market manager approved "partial" already
    assert ids(listed(database, awaiting="market_manager")) == [requests["pending"]]
    assert ids(listed(database, awaiting="finance")) == [requests["partial"], requests["pending"]]
    decide(database, requests["pending"], FINANCE)
    assert ids(listed(database, awaiting="finance")) == [requests["partial"]]
    assert ids(listed(database, awaiting="market_manager")) == [requests["pending"]]
    decide(database, requests["partial"], FINANCE)
    assert ids(listed(database, awaiting="finance")) == []
    assert ids(listed(database, status="applied")) == [requests["applied"], requests["partial"]]


def test_filters_combine(database, requests):
    assert ids(listed(database, awaiting="finance", customer_id=requests["south"])) == [
        requests["partial"]
    ]
    assert ids(listed(database, awaiting="finance", status="pending")) == [requests["pending"]]
    assert ids(listed(database, awaiting="market_manager", status="partially_approved")) == []


def test_pages_neither_repeat_nor_skip(database, requests):
    pages = [listed(database, page=n, per_page=3) for n in (1, 2, 3)]
    assert [p["total"] for p in pages] == [4, 4, 4]
    assert ids(pages[0]) + ids(pages[1]) == ids(listed(database))
    assert ids(pages[2]) == []


@pytest.mark.parametrize(
    "filters, page, per_page, fields",
    [({"awaiting": "vp"}, 1, 50, {"awaiting"}), ({"status": "open"}, 1, 50, {"status"}),
     ({"customer_id": ""}, 1, 50, {"customer_id"}), ({}, 0, 50, {"page"}),
     ({}, 1, 201, {"per_page"})],
)  # fmt: skip
def test_bad_filters_are_invalid(filters, page, per_page, fields):
    with pytest.raises(Invalid) as raised:
        load_list_args(ChangeRequestFilterSchema, filters, page, per_page)
    assert set(raised.value.details) == fields
