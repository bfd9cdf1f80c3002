"""``create_app()``: the gateway's Flask application (CONTRACT "HTTP conventions")."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import flask_smorest
from flask import Flask, Response, current_app, g, request
from marshmallow import fields, validate
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import console, errors, idempotency, metrics, settings
from gateway.api import (
    complaints,
    customer_grading,
    customer_imports,
    customer_interactions,
    customers,
    documents,
    finance,
    reports,
    returns,
)
from gateway.auth import access
from gateway.auth import routes as identity_routes
from gateway.auth.bootstrap import ensure_admin
from gateway.auth.store import IdentityStore
from gateway.health import blp as health_blp
from gateway.rpc import production_clients
from gateway.secret_files import read_or_create
from gateway.state import GatewayState
from servicekit import migrations
from servicekit.db import Database
from servicekit.logging import new_request_id, request_id_var

API_PREFIX = "/api/v1"
JWT_SECRET_FILE = "jwt-secret"
# A client's X-Request-ID is kept when it looks like an id, not arbitrary text for logs.
_REQUEST_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


def _number(value: Any) -> int | float:
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def decimal_bounds_as_numbers(converter: Any, field: fields.Field, ret: dict, **_: Any) -> dict:
    """apispec attribute function: a ``Decimal`` field's ``Range`` bounds as JSON numbers.

    apispec serialises them with the field, so a decimal-string field (money, ratios)
    got ``"minimum": "0.00"``, which OpenAPI refuses; numbers keep the documented bound
    and make the document valid. An exclusive bound is OpenAPI 3.0's boolean flag.
    """
    if not isinstance(field, fields.Decimal):
        return {}
    bounds: dict[str, Any] = {}
    for validator in field.validators:
        if not isinstance(validator, validate.Range):
            continue
        if validator.min is not None:
            bounds["minimum"] = _number(validator.min)
            if not validator.min_inclusive:
                bounds["exclusiveMinimum"] = True
        if validator.max is not None:
            bounds["maximum"] = _number(validator.max)
            if not validator.max_inclusive:
                bounds["exclusiveMaximum"] = True
    return bounds


class GatewayApi(flask_smorest.Api):
    """flask-smorest's Api with our error shape documented; ``gateway.errors`` answers."""

    ERROR_SCHEMA = errors.ErrorSchema

    def _init_spec(self, **kwargs: Any) -> None:
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(decimal_bounds_as_numbers)

    def _register_error_handlers(self) -> None:
        errors.register(self._app)


def _request_id() -> str:
    given = request.headers.get("X-Request-ID", "")
    if 0 < len(given) <= 128 and set(given) <= _REQUEST_ID_CHARS:
        return given
    return new_request_id()


def _start_request() -> None:
    g.request_id = _request_id()
    request_id_var.set(g.request_id)


def _limit_body() -> None:
    """A body over the limit is refused before anything else, token checks included
    (CONTRACT: 413). Werkzeug refuses a declared Content-Length over it, but silently
    cuts a chunked body at the limit (then it reads as malformed JSON): such a body is
    read here, at most one byte past the limit, and handed on as a sized one."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit is None:
        return
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    if (
        request.content_length is None
        and "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    ):
        stream, body = request.environ["wsgi.input"], b""
        while len(body) <= limit:
            chunk = stream.read(limit + 1 - len(body))
            if not chunk:
                break
            body += chunk
        if len(body) > limit:
            raise RequestEntityTooLarge()
        request.environ["wsgi.input"] = io.BytesIO(body)
        request.environ["CONTENT_LENGTH"] = str(len(body))


def _tag_response(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id") or _request_id()
    return response


def _openapi_config(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "After-sales service suite")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Customers, complaints, returns and finance of the after-sales "
                'suite. Errors are {"error": {"code", "message", "details"}}; lists '
                "are paged with ?page=&per_page= (at most 200). Roles per operation are "
                "in x-roles (admin may do everything)."
            },
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "bearerFormat": "JWT or API key (ak_...)",
                    }
                }
            },
        },
    )


def _register_blueprints(api: flask_smorest.Api) -> None:
    api.register_blueprint(health_blp)
    api.register_blueprint(identity_routes.blp)
    # The identity endpoints also answer under /api/v1 (same views, same roles).
    api.register_blueprint(identity_routes.blp, url_prefix=API_PREFIX, name="identity_v1")
    api.register_blueprint(customers.blp)
    api.register_blueprint(complaints.blp)
    api.register_blueprint(returns.blp)
    api.register_blueprint(finance.blp)
    api.register_blueprint(documents.blp)
    api.register_blueprint(customer_grading.blp)
    api.register_blueprint(customer_imports.blp)
    api.register_blueprint(customer_interactions.blp)
    api.register_blueprint(reports.blp)


def _identity(app: Flask, rpc: Any) -> GatewayState:
    config = app.config
    data_dir = Path(config["DATA_DIR"])
    url = config["DATABASE_URL"]
    migrations.upgrade("gateway", url)
    store = IdentityStore(Database(url))
    ensure_admin(store, data_dir, config["ADMIN_PASSWORD"])
    secret = config["JWT_SECRET"] or read_or_create(data_dir / JWT_SECRET_FILE)
    health_rpc = rpc
    if rpc is None:
        rpc, health_rpc = production_clients(
            config["AMQP_URI"], config["RPC_TIMEOUT"], config["READY_TIMEOUT"]
        )
    return GatewayState(store=store, jwt_secret=secret, rpc=rpc, health_rpc=health_rpc)


def create_app(config: dict | None = None, rpc: Any = None) -> Flask:
    """The gateway. ``config`` overrides the settings read from the environment
    (keys as in ``gateway.settings.load``); ``rpc`` is an object with
    ``call(service, method, *args, request_id=None, **kwargs)`` - by default a pooled
    nameko client on ``AMQP_URI``. Migrates the identity database and creates
    ``admin`` on first start."""
    app = Flask(__name__, static_folder=None)
    app.config.update(settings.load())
    app.config.update(config or {})
    app.json.ensure_ascii = False  # Chinese text round-trips unchanged
    app.json.sort_keys = False
    # An empty id (`/customers//risk`) is a 404 in the contract's shape, not werkzeug's
    # redirect to `/customers/risk` with an HTML body.
    app.url_map.merge_slashes = False
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    _openapi_config(app)

    app.extensions["gateway"] = _identity(app, rpc)
    if app.config["PROMETHEUS_MULTIPROC_DIR"]:
        # prometheus-client writes each worker's samples there and fails if it is missing.
        Path(app.config["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

    app.before_request(_start_request)
    metrics.install(app)
    app.before_request(_limit_body)
    app.before_request(access.authenticate_request)
    idempotency.install(app, app.extensions["gateway"].store.database)
    app.after_request(_tag_response)
    if app.config["TRUSTED_PROXIES"]:
        # The client address (login throttling) is the one the trusted proxies saw.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])

    api = GatewayApi(app)
    _register_blueprints(api)
    app.register_blueprint(console.blp)  # the web console at /console/ (issue 12)
    idempotency.document(api.spec._paths)  # the header on every POST
    unguarded = access.unguarded_views(app)
    if unguarded:
        raise RuntimeError(f"views without @public or @requires: {unguarded}")
    return app
