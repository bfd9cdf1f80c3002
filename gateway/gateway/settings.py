"""The gateway's configuration: the one module that reads the environment.

``load()`` gives a dict of upper-case keys that ``create_app`` puts into
``app.config``; a ``config`` dict passed to ``create_app`` overrides any of them.
Every variable read here is listed in ``ENV_VARS`` (the docker-compose test checks
the compose file against it). Secrets come only from the environment or from
files under the data dir that the gateway generates itself (mode 0600).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from servicekit.config import DEFAULT_AMQP_URI, SERVICES, data_dir, database_url

DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # CONTRACT "HTTP conventions": 1 MiB
DEFAULT_PDF_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"  # deploy/ensure-documents.sh

ENV_VARS: dict[str, str] = {
    "GATEWAY_PORT": "port the gateway listens on at 127.0.0.1 (default 8000)",
    "GATEWAY_WORKERS": "gunicorn workers when started with gateway.gunicorn_conf (default 2)",
    "GATEWAY_THREADS": "threads per gunicorn (gthread) worker (default 8)",
    "GATEWAY_IMPORT_MAX_ROWS": "card rows one customer import file may hold (default 5000)",
    "GATEWAY_IMPORT_BATCH_ROWS": "rows per RPC call of a customer import (default 250, at most "
    "500)",
    "GATEWAY_KEEPALIVE_SECONDS": "how long an idle keep-alive connection stays open (default "
    "75; keep it above the idle timeout of any proxy or client pool in front)",
    "GATEWAY_DATABASE_URL": "the gateway's identity database (default sqlite under the data dir)",
    "AFTERSALES_DATA_DIR": "where the embedded SQLite databases and generated secrets live "
    "(default var/)",
    "AMQP_URI": "broker URL (default amqp://guest:guest@127.0.0.1:5672/)",
    "RPC_TIMEOUT": "seconds an RPC call may take before the gateway answers 503 (default 5)",
    "READY_TIMEOUT": "seconds each service's health RPC may take in /health/ready (default 1)",
    "READY_SERVICES": "comma-separated services /health/ready requires "
    "(default customer,complaints,returns,finance)",
    "AFTERSALES_ADMIN_PASSWORD": "password of the user 'admin' created at first start "
    "(unset: a random one is written to $AFTERSALES_DATA_DIR/admin-password)",
    "JWT_SECRET": "HS256 signing key of access tokens "
    "(unset: generated once into $AFTERSALES_DATA_DIR/jwt-secret)",
    "ACCESS_TOKEN_MINUTES": "lifetime of an access token (default 60)",
    "LOGIN_MAX_FAILURES": "failed logins per username and client address within the window "
    "before 429 (default 5)",
    "LOGIN_MAX_FAILURES_PER_ADDRESS": "failed logins per client address, any usernames, within "
    "the window before 429 (default 20)",
    "LOGIN_WINDOW_SECONDS": "the window failed logins are counted in (default 300)",
    "GATEWAY_TRUSTED_PROXIES": "how many proxies in front of the gateway set X-Forwarded-For; "
    "the client address is the entry the last of them added (default 0: the peer's address)",
    "GATEWAY_IDEMPOTENCY_RETENTION_HOURS": "how long an Idempotency-Key's answer is kept for "
    "replay (default 24)",
    "PROMETHEUS_MULTIPROC_DIR": "when set, /metrics aggregates every gunicorn worker "
    "(prometheus-client multiprocess mode; the directory must exist and be emptied at start)",
    "LOG_LEVEL": "DEBUG, INFO (default), WARNING ...",
    "GATEWAY_MAX_BODY_BYTES": "largest request body in bytes; more -> 413 payload_too_large "
    "(default 1048576, 1 MiB)",
    "GATEWAY_PDF_FONT": "TrueType font (.ttf/.ttc) with Chinese glyphs the printable forms are "
    f"set in (default {DEFAULT_PDF_FONT}, Debian's fonts-wqy-zenhei); missing -> 503 "
    "pdf_font_missing",
}


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _services(value: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = set(names) - set(SERVICES)
    if unknown:
        raise ValueError(f"READY_SERVICES names unknown services: {sorted(unknown)}")
    return names


def load(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings from ``env`` (default ``os.environ``) with localhost defaults."""
    env = _env(env)
    return {
        "GATEWAY_PORT": int(env.get("GATEWAY_PORT", "8000")),
        "GATEWAY_WORKERS": int(env.get("GATEWAY_WORKERS", "2")),
        "GATEWAY_THREADS": int(env.get("GATEWAY_THREADS", "8")),
        "GATEWAY_KEEPALIVE_SECONDS": int(env.get("GATEWAY_KEEPALIVE_SECONDS", "75")),
        "DATA_DIR": Path(data_dir(env)),
        "DATABASE_URL": database_url("gateway", env),
        "AMQP_URI": env.get("AMQP_URI", DEFAULT_AMQP_URI),
        "RPC_TIMEOUT": float(env.get("RPC_TIMEOUT", "5")),
        "READY_TIMEOUT": float(env.get("READY_TIMEOUT", "1")),
        "READY_SERVICES": _services(env.get("READY_SERVICES", ",".join(SERVICES))),
        "ADMIN_PASSWORD": env.get("AFTERSALES_ADMIN_PASSWORD") or None,
        "JWT_SECRET": env.get("JWT_SECRET") or None,
        "ACCESS_TOKEN_MINUTES": int(env.get("ACCESS_TOKEN_MINUTES", "60")),
        "LOGIN_MAX_FAILURES": int(env.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_WINDOW_SECONDS": int(env.get("LOGIN_WINDOW_SECONDS", "300")),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(env.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20")),
        "TRUSTED_PROXIES": int(env.get("GATEWAY_TRUSTED_PROXIES", "0")),
        "IDEMPOTENCY_RETENTION_HOURS": float(env.get("GATEWAY_IDEMPOTENCY_RETENTION_HOURS", "24")),
        "PROMETHEUS_MULTIPROC_DIR": env.get("PROMETHEUS_MULTIPROC_DIR") or None,
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "MAX_BODY_BYTES": int(env.get("GATEWAY_MAX_BODY_BYTES", str(DEFAULT_MAX_BODY_BYTES))),
        "PDF_FONT": env.get("GATEWAY_PDF_FONT") or DEFAULT_PDF_FONT,
        "IMPORT_MAX_ROWS": int(env.get("GATEWAY_IMPORT_MAX_ROWS", "5000")),
        "IMPORT_BATCH_ROWS": int(env.get("GATEWAY_IMPORT_BATCH_ROWS", "250")),
    }
