"""Every service and the gateway as processes, on a broker vhost of their own.

One suite per test session; tests talk HTTP to it like a client would.
"""

from __future__ import annotations

import contextlib
import uuid

import pytest

from servicekit.testing import postgres_database

ADMIN_PASSWORD = "e2e-" + uuid.uuid4().hex


OWNERS = ("customer", "complaints", "returns", "finance", "gateway")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def suite(request, tmp_path_factory, suite_tools):
    """The whole suite on its embedded SQLite databases, then again with every service
    and the gateway on a PostgreSQL database of its own (as operators run it)."""
    with contextlib.ExitStack() as stack:
        amqp_uri = stack.enter_context(suite_tools.module.temporary_vhost())
        databases = {}
        if request.param == "postgresql":
            for owner in OWNERS:
                url = stack.enter_context(postgres_database(f"aftersales_e2e_{owner}"))
                databases[f"{owner.upper()}_DATABASE_URL"] = url
        the_suite = suite_tools.module.Suite(
            tmp_path_factory.mktemp(f"suite-{request.param}"),
            gateway_port=suite_tools.free_port(),
            amqp_uri=amqp_uri,
            env_overrides={
                "AFTERSALES_ADMIN_PASSWORD": ADMIN_PASSWORD,
                "OUTBOX_POLL_SECONDS": "0.2",
                "RPC_TIMEOUT": "5",
                "LOG_LEVEL": "INFO",
                **databases,
            },
        )
        with the_suite:
            yield the_suite


@pytest.fixture(scope="session")
def admin_password() -> str:
    return ADMIN_PASSWORD


@pytest.fixture(scope="session")
def admin(suite, suite_tools):
    return suite_tools.Api(suite.url, suite_tools.login(suite.url, "admin", ADMIN_PASSWORD))


@pytest.fixture(scope="session")
def as_role(suite, admin, suite_tools):
    """``as_role("sales_clerk")`` -> an Api logged in as a fresh user with that role."""
    cache = {}

    def make(*roles: str, department: str | None = None):
        key = ",".join(roles) + f"@{department}"
        if key not in cache:
            cache[key] = suite_tools.new_user(admin, *roles, department=department)
        return cache[key]

    return make
