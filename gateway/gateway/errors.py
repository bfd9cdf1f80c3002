"""Every error the gateway answers, mapped in one place to the CONTRACT shape
``{"error": {"code", "message", "details"}}``.

- malformed JSON -> 400 ``malformed_json``
- request validation (webargs/marshmallow) -> 422 ``validation_error``,
  ``details`` maps field -> list of problems
- ``servicekit.errors.DomainError`` (raised here or by a service over RPC) -> its
  ``http_status`` and ``error_code``/``message``/``details``; this covers 401
  (``Unauthorized``), 403 (``Forbidden``), 404, 409, 422, 429 and 503
  (``ServiceUnavailable``: RPC timeout, service or broker down)
- unknown route 404 ``not_found``, wrong method 405 ``method_not_allowed``
- a body over ``GATEWAY_MAX_BODY_BYTES`` -> 413 ``payload_too_large``
- anything else -> 500 ``internal_error`` naming the request id; the trace goes to
  the log only.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, current_app, g, jsonify
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from servicekit.errors import Conflict, DomainError, NotFound, TooManyRequests, Unauthorized

log = logging.getLogger(__name__)


# --- the gateway's own errors ----------------------------------------------
class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    default_message = "Wrong username or password."


class InvalidToken(Unauthorized):
    code = "invalid_token"
    default_message = "The bearer token is missing, malformed, expired or revoked."


class TooManyLoginFailures(TooManyRequests):
    code = "too_many_login_failures"
    default_message = "Too many failed logins for this user; try again later."


class UsernameTaken(Conflict):
    code = "username_taken"
    default_message = "A user with this username exists."


class ApiKeyNotFound(NotFound):
    code = "api_key_not_found"
    default_message = "No such API key."


# --- documentation of the shape -------------------------------------------
class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "customer_not_found"})
    message = fields.String(required=True, metadata={"example": "No such customer."})
    details = fields.Dict(required=True, metadata={"example": {}})


class ErrorSchema(Schema):
    """What every error response carries (CONTRACT "HTTP conventions")."""

    error = fields.Nested(ErrorBodySchema, required=True)


# --- mapping ----------------------------------------------------------------
def error_response(
    status: int, code: str, message: str, details: dict | None = None, headers: dict | None = None
):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def flatten_validation_messages(messages: Any) -> dict[str, Any]:
    """webargs nests messages by location (``{"json": {"name": [...]}}``); clients want
    ``{"name": [...]}``. A non-field problem (``_schema``) keeps its key."""
    if not isinstance(messages, dict):
        return {"_schema": messages if isinstance(messages, list) else [str(messages)]}
    details: dict[str, Any] = {}
    for location, problems in messages.items():
        if location in ("json", "query", "querystring", "form", "headers", "view_args") and (
            isinstance(problems, dict)
        ):
            details.update(problems)
        else:
            details[location] = problems
    return details


def handle_domain_error(error: DomainError):
    headers = {}
    if error.http_status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    retry_after = error.details.get("retry_after") if isinstance(error.details, dict) else None
    if error.http_status == 429 and retry_after:
        headers["Retry-After"] = str(retry_after)
    if error.http_status >= 500:
        log.warning("%s: %s", error.error_code, error.message, extra={"details": error.details})
    return error_response(
        error.http_status, error.error_code, error.message, error.details, headers
    )


def handle_http_exception(error: HTTPException):
    data = getattr(error, "data", None) or {}
    status = error.code or 500
    if status == 400:
        messages = data.get("messages")
        if (isinstance(messages, dict) and "json" in messages) or "JSON" in (
            error.description or ""
        ):
            return error_response(400, "malformed_json", "The request body is not valid JSON.")
        return error_response(400, "bad_request", error.description or error.name)
    if status == 422 and "messages" in data:
        return error_response(
            422,
            "validation_error",
            "The request is not valid.",
            flatten_validation_messages(data["messages"]),
        )
    if status == 404:
        return error_response(404, "not_found", "No such resource.")
    if status == 413:
        # Flask's MAX_CONTENT_LENGTH (GATEWAY_MAX_BODY_BYTES): a declared length over it,
        # or a chunked body that grows past it while read.
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        return error_response(
            413,
            "payload_too_large",
            f"The request body is larger than {limit} bytes.",
            {"max_bytes": limit},
        )
    if status == 405:
        allowed = sorted(error.valid_methods or []) if hasattr(error, "valid_methods") else []
        return error_response(
            405,
            "method_not_allowed",
            "This method is not allowed on this resource.",
            {"allowed": allowed},
            {"Allow": ", ".join(allowed)} if allowed else None,
        )
    if status >= 500:
        return handle_unexpected(error)
    return error_response(status, _snake(error.name), error.description or error.name)


def handle_unexpected(error: BaseException):
    request_id = g.get("request_id", "unknown")
    log.error("unhandled error", exc_info=error)
    return error_response(
        500,
        "internal_error",
        f"Something went wrong on our side; quote request id {request_id} when reporting it.",
        {"request_id": request_id},
    )


def register(app: Flask) -> None:
    """Install the mapping on ``app`` (and nothing else answers errors)."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
