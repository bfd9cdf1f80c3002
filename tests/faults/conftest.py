"""Fault tests run their own small suite (customer x2 + gateway) so that killing
processes or restarting the broker cannot disturb the end-to-end tests."""

import uuid

import pytest

ADMIN_PASSWORD = "faults-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def fault_suite(tmp_path_factory, suite_tools):
    with suite_tools.module.temporary_vhost() as amqp_uri:
        the_suite = suite_tools.module.Suite(
            tmp_path_factory.mktemp("faults"),
            gateway_port=suite_tools.free_port(),
            amqp_uri=amqp_uri,
            services=["customer"],
            instances={"customer": 2},
            env_overrides={
                "AFTERSALES_ADMIN_PASSWORD": ADMIN_PASSWORD,
                "READY_SERVICES": "customer",
                "RPC_TIMEOUT": "2",
                "OUTBOX_POLL_SECONDS": "0.2",
            },
        )
        with the_suite:
            yield the_suite


@pytest.fixture(scope="module")
def manager(fault_suite, suite_tools):
    """An Api logged in as a user with sales_clerk and sales_manager."""
    admin = suite_tools.Api(
        fault_suite.url, suite_tools.login(fault_suite.url, "admin", ADMIN_PASSWORD)
    )
    password = uuid.uuid4().hex
    created = admin.post(
        "/users",
        json={"username": "mgr", "password": password, "roles": ["sales_clerk", "sales_manager"]},
    )
    assert created.status_code == 201, created.text
    return suite_tools.Api(fault_suite.url, suite_tools.login(fault_suite.url, "mgr", password))
