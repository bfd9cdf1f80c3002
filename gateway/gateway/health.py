"""``/health/live``, ``/health/ready`` and ``/metrics`` (no token needed)."""

from __future__ import annotations

import logging

from flask import current_app, g
from marshmallow import Schema, fields
from sqlalchemy import text

from gateway import metrics
from gateway.auth.access import public
from gateway.blueprint import Blueprint
from gateway.state import state
from servicekit.errors import DomainError

log = logging.getLogger(__name__)

blp = Blueprint("health", __name__, description="Liveness, readiness and metrics")


class LiveSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})


class ReadySchema(Schema):
    status = fields.String(required=True, metadata={"example": "unavailable"})
    services = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"example": {"customer": "ok"}}
    )
    down = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"example": {"complaints": "The complaints service is not running."}},
    )


def _check_database() -> str | None:
    try:
        with state().store.database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready"; the log says why
        log.warning("gateway database not answering", exc_info=exc)
        return "not answering"
    return None


def _broker_away(exc: DomainError) -> bool:
    details = exc.details if isinstance(exc.details, dict) else {}
    if details.get("service") == "broker":
        return True
    # RpcPool raises without details when it cannot even open a connection.
    return exc.http_status == 503 and "service" not in details and "broker" in exc.message


def _check_service(service: str) -> tuple[str | None, bool]:
    """(problem or None, whether the broker itself is away)."""
    try:
        state().health_rpc.call(service, "health", request_id=g.get("request_id"))
    except DomainError as exc:
        return exc.message, _broker_away(exc)
    except Exception as exc:  # a broken service is "down", whatever it raised
        log.warning("health of %s failed", service, exc_info=exc)
        return f"health check failed ({type(exc).__name__})", False
    return None, False


@blp.route("/health/live", methods=["GET"])
@public
@blp.response(200, LiveSchema)
def live():
    """The process runs.

    Example: ``{"status": "ok"}``
    """
    return {"status": "ok"}


@blp.route("/health/ready", methods=["GET"])
@public
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=ReadySchema, description="Something behind the gateway is down")
def ready():
    """The gateway's database, the broker and every required service answer.

    When the broker is away it is named as ``broker`` and the services are not asked.

    The services are the setting ``READY_SERVICES``; each gets a ``health`` RPC with
    the short timeout ``READY_TIMEOUT``. 503 names what is down, e.g.
    ``{"status": "unavailable", "down": {"complaints": "The complaints service is not
    running."}, "services": {"customer": "ok"}}``.
    """
    down: dict[str, str] = {}
    services: dict[str, str] = {}
    problem = _check_database()
    if problem:
        down["gateway_database"] = problem
    for service in current_app.config["READY_SERVICES"]:
        if "broker" in down:
            down[service] = "not checked: the broker is not answering"
            continue
        problem, broker_away = _check_service(service)
        if broker_away:
            down["broker"] = problem
            down[service] = "not checked: the broker is not answering"
        elif problem:
            down[service] = problem
        else:
            services[service] = "ok"
    if down:
        return {"status": "unavailable", "down": down, "services": services}, 503
    return {"status": "ok", "services": services}


@blp.route("/metrics", methods=["GET"])
@public
@blp.response(200, description="Prometheus text exposition format")
def prometheus_metrics():
    """Request counts and latencies by endpoint and status; RPC errors by service."""
    return metrics.exposition()
