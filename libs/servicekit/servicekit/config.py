"""Configuration from the environment: the one place that reads ``os.environ``.

Defaults work on localhost. Every variable is listed in ``ENV_VARS`` (the
docker-compose test checks the compose file against it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SERVICES = ("customer", "complaints", "returns", "finance")

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"

# Variables every service reads (besides <SERVICE>_DATABASE_URL).
ENV_VARS = {
    "AMQP_URI": "broker URL",
    "AFTERSALES_DATA_DIR": "where the embedded SQLite databases live (default var/)",
    "LOG_LEVEL": "DEBUG, INFO (default), WARNING ...",
    "OUTBOX_POLL_SECONDS": "how often the outbox relay looks for unsent events (default 1.0)",
    "INBOX_RETRY_SECONDS": "seconds of back-off before a failing event is parked (default 900)",
    "MAX_WORKERS": "concurrent workers per service instance (default 10)",
    "SERVICE_RPC_TIMEOUT": "seconds a service waits for another service's answer (default 3)",
    "OUTBOX_RETENTION_DAYS": "sent events are deleted from the outbox after this (default 7)",
    "INBOX_RETENTION_DAYS": "handled event ids are forgotten after this (default 30)",
    # rule C11, read by the customer service (servicekit.crypto.load_keys): both or neither;
    # unset, each instance generates key files under its data dir, so several instances
    # (replicas) must be given the same keys here.
    "CUSTOMER_DATA_KEYS": "Fernet keys for personal data at rest, comma-separated, newest first",
    "CUSTOMER_INDEX_KEY": "HMAC key of the phone and tax-number lookup hashes",
}


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    return Path(_env(env).get("AFTERSALES_DATA_DIR", "var"))


def database_url(name: str, env: Mapping[str, str] | None = None) -> str:
    """``<NAME>_DATABASE_URL`` or an SQLite file under the data dir."""
    env = _env(env)
    url = env.get(f"{name.upper()}_DATABASE_URL")
    if url:
        return url
    path = data_dir(env) / f"{name}.db"
    return f"sqlite:///{path.resolve()}"


@dataclass(frozen=True)
class ServiceConfig:
    service: str
    amqp_uri: str
    database_url: str
    log_level: str = "INFO"
    outbox_poll_seconds: float = 1.0
    inbox_retry_seconds: float = 900.0
    max_workers: int = 10
    service_rpc_timeout: float = 3.0
    outbox_retention_days: float = 7.0
    inbox_retention_days: float = 30.0

    @classmethod
    def from_env(cls, service: str, env: Mapping[str, str] | None = None) -> ServiceConfig:
        env = _env(env)
        return cls(
            service=service,
            amqp_uri=env.get("AMQP_URI", DEFAULT_AMQP_URI),
            database_url=database_url(service, env),
            log_level=env.get("LOG_LEVEL", "INFO"),
            outbox_poll_seconds=float(env.get("OUTBOX_POLL_SECONDS", "1.0")),
            inbox_retry_seconds=float(env.get("INBOX_RETRY_SECONDS", "900")),
            max_workers=int(env.get("MAX_WORKERS", "10")),
            service_rpc_timeout=float(env.get("SERVICE_RPC_TIMEOUT", "3")),
            outbox_retention_days=float(env.get("OUTBOX_RETENTION_DAYS", "7")),
            inbox_retention_days=float(env.get("INBOX_RETENTION_DAYS", "30")),
        )

    def nameko_config(self, **extra: object) -> dict:
        """The dict handed to nameko; dependency providers read their settings from it."""
        config = {
            "AMQP_URI": self.amqp_uri,
            "SERIALIZER": "json",
            "max_workers": self.max_workers,
            "DATABASE_URL": self.database_url,
            "OUTBOX_POLL_SECONDS": self.outbox_poll_seconds,
            "INBOX_RETRY_SECONDS": self.inbox_retry_seconds,
            "LOG_LEVEL": self.log_level,
            "SERVICE_RPC_TIMEOUT": self.service_rpc_timeout,
            "OUTBOX_RETENTION_DAYS": self.outbox_retention_days,
            "INBOX_RETENTION_DAYS": self.inbox_retention_days,
        }
        config.update(extra)
        return config


def settings_from(cls: type, prefix: str, *sources: Mapping[str, object]) -> object:
    """Build the frozen dataclass ``cls`` from ``<PREFIX>_<FIELD>`` keys.

    The first source that has a key wins (a nameko config, then the environment);
    values are converted with the field's default's type, so rules' thresholds
    (e.g. COMPLAINTS_VP_LIMIT=200000.00) are settings, as DOMAIN.md asks.
    """
    from dataclasses import fields

    sources = sources or (os.environ,)
    values = {}
    for field in fields(cls):
        key = f"{prefix.upper()}_{field.name.upper()}"
        for source in sources:
            if key in source and source[key] is not None:
                default = getattr(cls, field.name, None)
                convert = type(default) if default is not None else str
                if convert is bool:
                    convert = _flag(key)
                values[field.name] = convert(source[key])
                break
    return cls(**values)


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(key: str):
    """A yes/no setting: ``bool("false")`` is True, so the words are read instead."""

    def convert(value: object) -> bool:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE + _FALSE:
            return word in _TRUE
        raise ValueError(f"{key} is one of {', '.join(_TRUE + _FALSE)}, not {value!r}")

    return convert
