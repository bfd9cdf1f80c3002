"""Every service answers ``health`` from one mixin, reading its database, on the real
broker (the gateway's /health/ready asks each service)."""

import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ServiceRpcProxy

from finance.service import FinanceService
from returns.service import ReturnsService

SKELETONS = [ReturnsService, FinanceService]


@pytest.mark.parametrize("service", SKELETONS, ids=lambda s: s.name)
def test_a_service_answers_health_once_its_database_answers(
    service, db_url, rabbit_config, container_factory
):
    config = {**rabbit_config, "DATABASE_URL": db_url, "OUTBOX_RELAY": False}
    container = container_factory(service, config)
    container.start()
    with ServiceRpcProxy(service.name, rabbit_config, timeout=10) as proxy:
        assert proxy.health() == {"service": service.name, "status": "ok"}


def test_health_fails_while_the_database_does_not_answer(rabbit_config, container_factory):
    missing = "postgresql://postgres@127.0.0.1:5432/aftersales_no_such_database"
    config = {**rabbit_config, "DATABASE_URL": missing, "OUTBOX_RELAY": False}
    container_factory(ReturnsService, config).start()
    proxy = ServiceRpcProxy("returns", rabbit_config, timeout=10)
    with proxy as returns, pytest.raises(RemoteError) as raised:
        returns.health()
    assert raised.value.exc_type == "OperationalError"
