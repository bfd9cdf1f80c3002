"""gateway.settings: defaults, overrides, and ENV_VARS naming every variable read."""

from collections.abc import Mapping
from pathlib import Path

import pytest

from gateway import settings


class RecordingEnv(Mapping):
    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values = values or {}
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return self.values[key]

    def get(self, key, default=None):
        self.read.add(key)
        return self.values.get(key, default)

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)


def test_every_variable_read_is_listed_in_env_vars():
    env = RecordingEnv()
    settings.load(env)
    assert env.read <= set(settings.ENV_VARS), env.read - set(settings.ENV_VARS)
    assert env.read == set(settings.ENV_VARS)


def test_defaults_work_on_localhost():
    loaded = settings.load(RecordingEnv())
    assert loaded["GATEWAY_PORT"] == 8000
    assert loaded["AMQP_URI"] == "amqp://guest:guest@127.0.0.1:5672/"
    assert loaded["RPC_TIMEOUT"] == 5.0
    assert loaded["ACCESS_TOKEN_MINUTES"] == 60
    assert loaded["LOGIN_MAX_FAILURES"] == 5
    assert loaded["LOGIN_WINDOW_SECONDS"] == 300
    assert loaded["LOGIN_MAX_FAILURES_PER_ADDRESS"] == 20
    assert loaded["TRUSTED_PROXIES"] == 0  # trust no proxy: X-Forwarded-For is ignored
    assert loaded["IDEMPOTENCY_RETENTION_HOURS"] == 24  # CONTRACT "Retries"
    assert loaded["READY_SERVICES"] == ("customer", "complaints", "returns", "finance")
    assert loaded["ADMIN_PASSWORD"] is None and loaded["JWT_SECRET"] is None
    assert loaded["DATA_DIR"] == Path("var")
    assert loaded["DATABASE_URL"] == f"sqlite:///{Path('var/gateway.db').resolve()}"


def test_environment_overrides():
    loaded = settings.load(
        RecordingEnv(
            {
                "GATEWAY_PORT": "8123",
                "GATEWAY_DATABASE_URL": "postgresql://u:p@db/gateway",
                "RPC_TIMEOUT": "2.5",
                "READY_SERVICES": "customer, finance",
                "AFTERSALES_ADMIN_PASSWORD": "from-env-123",
                "JWT_SECRET": "s" * 40,
                "LOGIN_MAX_FAILURES": "3",
                "GATEWAY_TRUSTED_PROXIES": "1",
                "GATEWAY_IDEMPOTENCY_RETENTION_HOURS": "48",
                "GATEWAY_IMPORT_MAX_ROWS": "20000",
                "GATEWAY_IMPORT_BATCH_ROWS": "100",
            }
        )
    )
    assert loaded["GATEWAY_PORT"] == 8123
    assert loaded["DATABASE_URL"] == "postgresql://u:p@db/gateway"
    assert loaded["RPC_TIMEOUT"] == 2.5
    assert loaded["READY_SERVICES"] == ("customer", "finance")
    assert loaded["ADMIN_PASSWORD"] == "from-env-123"
    assert loaded["JWT_SECRET"] == "s" * 40
    assert loaded["LOGIN_MAX_FAILURES"] == 3
    assert loaded["TRUSTED_PROXIES"] == 1
    assert loaded["IDEMPOTENCY_RETENTION_HOURS"] == 48
    assert (loaded["IMPORT_MAX_ROWS"], loaded["IMPORT_BATCH_ROWS"]) == (20000, 100)


def test_empty_secrets_count_as_unset():
    loaded = settings.load(RecordingEnv({"AFTERSALES_ADMIN_PASSWORD": "", "JWT_SECRET": ""}))
    assert loaded["ADMIN_PASSWORD"] is None and loaded["JWT_SECRET"] is None


def test_unknown_ready_service_is_refused():
    with pytest.raises(ValueError, match="gateway"):
        settings.load(RecordingEnv({"READY_SERVICES": "customer,gateway"}))
