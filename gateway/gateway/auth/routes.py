"""``POST /auth/token``, ``/users`` and ``/api-keys`` (CONTRACT "Identity")."""

from __future__ import annotations

from flask import Response, current_app

from gateway.auth import api_keys, passwords
from gateway.auth.access import ADMIN, current_identity, public, requires
from gateway.auth.login import log_in
from gateway.auth.schemas import (
    ApiKeySchema,
    CreateApiKeySchema,
    CreateUserSchema,
    NewApiKeySchema,
    TokenRequestSchema,
    TokenSchema,
    UserSchema,
)
from gateway.blueprint import Blueprint
from gateway.state import state
from servicekit.contracts.common import PageArgsSchema, page_schema

blp = Blueprint("identity", __name__, description="Access tokens, users and API keys")

UserPageSchema = page_schema(UserSchema, "UserPage")
ApiKeyPageSchema = page_schema(ApiKeySchema, "ApiKeyPage")


@blp.route("/auth/token", methods=["POST"])
@public
@blp.arguments(TokenRequestSchema, example={"username": "admin", "password": "s3cret-pass"})
@blp.response(200, TokenSchema)
@blp.alt_response(401, description="Wrong username or password (the same answer for both)")
@blp.alt_response(429, description="Too many failed logins for this username; see Retry-After")
def issue_token(body):
    """Exchange a username and password for a bearer access token.

    Example: ``{"username": "admin", "password": "s3cret-pass"}`` ->
    ``{"access_token": "eyJ...", "token_type": "bearer", "expires_in": 3600}``
    """
    config = current_app.config
    return log_in(
        state().store,
        body["username"],
        body["password"],
        secret=state().jwt_secret,
        token_minutes=config["ACCESS_TOKEN_MINUTES"],
        max_failures=config["LOGIN_MAX_FAILURES"],
        window_seconds=config["LOGIN_WINDOW_SECONDS"],
    )


@blp.route("/users", methods=["POST"])
@requires(ADMIN)
@blp.arguments(
    CreateUserSchema,
    example={
        "username": "wang.li",
        "password": "long-enough-1",
        "roles": ["cs_agent"],
        "department": "客户服务部",
    },
)
@blp.response(201, UserSchema)
def create_user(body):
    """Create a user (admin).

    409 when the username exists; 422 for an unknown role or a password shorter than
    8 characters.

    Example: ``{"username": "wang.li", "password": "long-enough-1", "roles":
    ["cs_agent"], "department": "客户服务部"}``
    """
    user = state().store.add_user(
        body["username"],
        passwords.hash_password(body["password"]),
        sorted(set(body["roles"])),
        body.get("department"),
        created_by=current_identity().username,
    )
    return user.public()


@blp.route("/users", methods=["GET"])
@requires(ADMIN)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, UserPageSchema)
def list_users(page_args):
    """Users by username, paged (admin): ``?page=1&per_page=50``."""
    return state().store.list_users(page_args["page"], page_args["per_page"])


@blp.route("/api-keys", methods=["POST"])
@requires(ADMIN)
@blp.arguments(CreateApiKeySchema, example={"name": "scanner-07", "roles": ["warehouse"]})
@blp.response(201, NewApiKeySchema)
def create_api_key(body):
    """Create an API key for a machine (admin).

    The ``key`` is in this answer only; use it as ``Authorization: Bearer <key>``.
    Roles may not include admin.

    Example: ``{"name": "scanner-07", "roles": ["warehouse"]}`` ->
    ``{"id": "...", "key": "ak_...", "name": "scanner-07", "roles": ["warehouse"], ...}``
    """
    key = api_keys.new_key()
    created = state().store.add_api_key(
        body["name"],
        api_keys.key_hash(key),
        sorted(set(body["roles"])),
        created_by=current_identity().username,
    )
    return {**created.public(), "key": key}


@blp.route("/api-keys", methods=["GET"])
@requires(ADMIN)
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, ApiKeyPageSchema)
def list_api_keys(page_args):
    """API keys, revoked ones with ``revoked_at`` (admin); never the keys themselves."""
    return state().store.list_api_keys(page_args["page"], page_args["per_page"])


@blp.route("/api-keys/<key_id>", methods=["DELETE"])
@requires(ADMIN)
@blp.response(204)
def revoke_api_key(key_id):
    """Revoke an API key at once (admin); its next request gets 401."""
    state().store.revoke_api_key(key_id)
    return Response(status=204)
