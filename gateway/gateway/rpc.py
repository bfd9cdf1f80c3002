"""The one way views reach services: ``call(service, method, *args)`` passes the
request id along (and, for a POST with an ``Idempotency-Key``, a digest of it) and
counts failures by service."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import g

from gateway import metrics
from gateway.state import state
from servicekit.errors import DomainError


def idempotency_key(service: str, method: str) -> str | None:
    """The key this call carries to the service when the request has an
    ``Idempotency-Key`` (``gateway.idempotency`` reserved it): scoped by principal, key
    and request, and by the command, so a retry after a 503 is recognised by the
    service as the same command and answered with its first result."""
    scope = g.get("idempotency_scope")
    if scope is None:
        return None
    return hashlib.sha256(f"{scope}:{service}.{method}".encode()).hexdigest()


def call(service: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """``service.method(*args, **kwargs)`` over RPC; DomainErrors propagate as themselves."""
    key = idempotency_key(service, method)
    if key is not None:
        kwargs["idempotency_key"] = key
    try:
        return state().rpc.call(service, method, *args, request_id=g.get("request_id"), **kwargs)
    except DomainError as exc:
        if exc.http_status >= 500:
            metrics.count_rpc_error(service, exc.error_code)
        raise
    except Exception:
        metrics.count_rpc_error(service, "internal_error")
        raise


def production_clients(amqp_uri: str, timeout: float, ready_timeout: float) -> tuple[Any, Any]:
    """Pooled RPC clients: one for requests, a small one with a short timeout for health."""
    from servicekit.rpc_client import RpcPool  # imports nameko; tests never need it

    return RpcPool(amqp_uri, timeout=timeout), RpcPool(amqp_uri, timeout=ready_timeout, size=4)
