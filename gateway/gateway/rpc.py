"""The one way views reach services: ``call(service, method, *args)`` passes the
request id along and counts failures by service."""

from __future__ import annotations

from typing import Any

from flask import g

from gateway import metrics
from gateway.state import state
from servicekit.errors import DomainError


def call(service: str, method: str, *args: Any, **kwargs: Any) -> Any:
    """``service.method(*args, **kwargs)`` over RPC; DomainErrors propagate as themselves."""
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
