"""Prometheus metrics and the access log: requests and latency by endpoint and status, RPC errors by
service. With ``PROMETHEUS_MULTIPROC_DIR`` set (it must be in the environment before
this module is imported, as prometheus-client decides then), every gunicorn worker
writes its samples there and ``/metrics`` adds them up."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "gateway_http_requests_total",
    "HTTP requests answered, by endpoint (route template), method and status",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "gateway_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint and method",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RPC_ERRORS = Counter(
    "gateway_rpc_errors_total",
    "RPC calls that failed for want of a service (timeouts, service or broker down) "
    "or unexpectedly, by service and error code",
    ["service", "code"],
)

access_log = logging.getLogger("gateway.access")


def count_rpc_error(service: str, code: str) -> None:
    RPC_ERRORS.labels(service=service, code=code).inc()


def _endpoint() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _finished(response: Response) -> Response:
    started = g.get("metrics_started")
    endpoint = _endpoint()
    elapsed = time.perf_counter() - started if started is not None else None
    REQUESTS.labels(endpoint=endpoint, method=request.method, status=response.status_code).inc()
    if elapsed is not None:
        LATENCY.labels(endpoint=endpoint, method=request.method).observe(elapsed)
    identity = g.get("identity")
    # One JSON access-log line per request; the request id is added by the log filter.
    access_log.info(
        "request",
        extra={
            "method": request.method,
            "path": request.path,
            "endpoint": endpoint,
            "status": response.status_code,
            "ms": round(elapsed * 1000, 1) if elapsed is not None else None,
            "user": getattr(identity, "username", None),
        },
    )
    return response


def exposition() -> Response:
    if current_app.config.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def install(app: Flask) -> None:
    app.before_request(_started)
    app.after_request(_finished)
