"""rule P10 timers with several instances: each notice is issued once."""

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook
from sqlalchemy import func, select

from complaints.models import notices
from complaints.service import ComplaintsService
from customer.service import CustomerService
from servicekit.db import Database
from servicekit.migrations import upgrade

AGENT = {"username": "agent1", "roles": ["cs_agent"]}


@pytest.fixture
def two_instances(db_url, rabbit_config, container_factory, tmp_path):
    customer_url = f"sqlite:///{tmp_path / 'customer.db'}"
    upgrade("customer", customer_url)
    upgrade("complaints", db_url)
    container_factory(CustomerService, {**rabbit_config, "DATABASE_URL": customer_url}).start()
    # Acceptance due at once: every new case needs its reminders right away.
    config = {**rabbit_config, "DATABASE_URL": db_url, "COMPLAINTS_ACCEPTANCE_HOURS": 0}
    first = container_factory(ComplaintsService, config)
    second = container_factory(ComplaintsService, config)
    first.start()
    second.start()
    with ClusterRpcProxy(rabbit_config, timeout=15) as rpc:
        yield rpc, (first, second), Database(db_url)


def test_two_instances_issue_each_notice_once(two_instances):
    rpc, containers, database = two_instances
    customer = rpc.customer.create_customer({"name": "华北客户", "nature": "agent"}, AGENT)
    rpc.customer.approve_customer(customer["id"], {"username": "m", "roles": ["sales_manager"]})
    for _ in range(5):
        rpc.complaints.register_complaint(
            {
                "customer_id": customer["id"],
                "channel": "email",
                "order_no": "SO-9",
                "ship_date": "2026-10-01",
                "description": "包装破损",
                "request": "exchange",
                "lines": [{"sku": "P-1", "quantity": 1, "unit_price": "10.00"}],
            },
            AGENT,
        )

    def fire(container):
        with entrypoint_hook(container, "issue_due_notices") as hook:
            return hook()

    for _ in range(3):  # several ticks, both instances at once
        threads = [eventlet.spawn(fire, c) for c in containers]
        [t.wait() for t in threads]

    with database.engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(notices))
        per_case = conn.execute(
            select(notices.c.complaint_id, func.count()).group_by(notices.c.complaint_id)
        ).all()
    # Each case is past its acceptance time at once: one overdue reminder, never twice.
    assert count == 5
    assert len(per_case) == 5 and all(n == 1 for _, n in per_case)
