"""``POST /auth/token``, ``/users`` and ``/api-keys`` (CONTRACT "Identity")."""

from __future__ import annotations

from flask import Response, current_app, request

from gateway import idempotency
from gateway.auth import api_keys, passwords
from gateway.auth.access import ADMIN, AUTHENTICATED, current_identity, public, requires
from gateway.auth.login import LoginLimits, check_throttle, log_in, record_failure
from gateway.auth.schemas import (
    ApiKeySchema,
    ChangePasswordSchema,
    CreateApiKeySchema,
    CreateUserSchema,
    NewApiKeySchema,
    TokenRequestSchema,
    TokenSchema,
    UpdateUserSchema,
    UserSchema,
)
from gateway.blueprint import Blueprint
from gateway.state import state
from servicekit.contracts.common import PageArgsSchema, page_schema
from servicekit.errors import Forbidden, Invalid


class WrongCurrentPassword(Invalid):
    code = "wrong_current_password"
    default_message = "The current password is wrong."


blp = Blueprint("identity", __name__, description="Access tokens, users and API keys")

UserPageSchema = page_schema(UserSchema, "UserPage")
ApiKeyPageSchema = page_schema(ApiKeySchema, "ApiKeyPage")


def _login_limits() -> LoginLimits:
    config = current_app.config
    return LoginLimits(
        per_user_and_address=config["LOGIN_MAX_FAILURES"],
        per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        window_seconds=config["LOGIN_WINDOW_SECONDS"],
    )


def client_address() -> str:
    """The caller's address: the peer, or the X-Forwarded-For entry added by the last
    of ``GATEWAY_TRUSTED_PROXIES`` proxies (werkzeug ProxyFix, installed by create_app)."""
    return request.remote_addr or "unknown"


@blp.route("/auth/token", methods=["POST"])
@public
@blp.arguments(TokenRequestSchema, example={"username": "admin", "password": "s3cret-pass"})
@blp.response(200, TokenSchema)
@blp.alt_response(
    401, description="Wrong username or password, or a disabled user (the same answer)"
)
@blp.alt_response(
    429,
    description="Too many failed logins for this username from this client address, or "
    "from this address for any usernames; see Retry-After",
)
def issue_token(body):
    """Exchange a username and password for a bearer access token.

    Failed logins are counted per (username, client address) and per client address
    within ``LOGIN_WINDOW_SECONDS``; over ``LOGIN_MAX_FAILURES`` or
    ``LOGIN_MAX_FAILURES_PER_ADDRESS`` -> 429 with ``Retry-After``. Failures from one
    address never lock the owner out from another. An ``Idempotency-Key`` is checked
    but not kept here: each call issues a fresh token.

    Example: ``{"username": "admin", "password": "s3cret-pass"}`` ->
    ``{"access_token": "eyJ...", "token_type": "bearer", "expires_in": 3600}``
    """
    return log_in(
        state().store,
        body["username"],
        body["password"],
        address=client_address(),
        secret=state().jwt_secret,
        token_minutes=current_app.config["ACCESS_TOKEN_MINUTES"],
        limits=_login_limits(),
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
    """Users by username, paged (admin): ``?page=1&per_page=50``.

    Disabled users are listed too, with ``"disabled": true``."""
    return state().store.list_users(page_args["page"], page_args["per_page"])


@blp.route("/users/<user_id>", methods=["PATCH"])
@requires(ADMIN)
@blp.arguments(UpdateUserSchema, example={"roles": ["cs_manager"], "disabled": False})
@blp.response(200, UserSchema)
@blp.alt_response(404, description="No such user (``user_not_found``)")
@blp.alt_response(409, description="The change would leave no enabled admin (``last_admin``)")
def update_user(body, user_id):
    """Change a user's ``roles``, ``department`` or ``disabled`` (admin).

    Fields not given stay as they are. Takes effect from the user's next request:
    roles are looked up on every request (the token's are not used), and a disabled
    user's tokens get 401
    ``account_disabled``. Disabling also revokes the tokens issued so far, so enabling
    the user again needs a new login.

    Example: ``{"roles": ["cs_manager"], "department": "客户服务部", "disabled": false}``
    """
    return state().store.update_user(user_id, **body).public()


@blp.route("/users/me/password", methods=["POST"])
@requires(AUTHENTICATED)
@blp.arguments(
    ChangePasswordSchema,
    example={"current_password": "long-enough-1", "new_password": "even-longer-2"},
)
@blp.response(200, UserSchema)
@blp.alt_response(403, description="An API key has no password (``not_a_user``)")
@blp.alt_response(
    429, description="Too many wrong current passwords from this address; see Retry-After"
)
def change_own_password(body):
    """Change the signed-in user's password (any user).

    A wrong ``current_password`` is 422 ``wrong_current_password`` with the field in
    ``details`` (the token itself is fine, so not 401) and counts as a failed login
    for throttling. Afterwards every token issued before, this one included, is
    refused (401 ``token_revoked``): log in again with the new password.

    Example: ``{"current_password": "long-enough-1", "new_password": "even-longer-2"}``
    """
    identity = current_identity()
    if identity.user_id is None:
        raise Forbidden("An API key has no password.", code="not_a_user")
    store = state().store
    user = store.get_user(identity.user_id)
    limits, address = _login_limits(), client_address()
    check_throttle(store, user.username, address, limits)
    if not passwords.verify_password(user.password_hash, body["current_password"]):
        record_failure(store, user.username, address, limits)
        raise WrongCurrentPassword(details={"current_password": ["The password is wrong."]})
    store.change_password(user.id, passwords.hash_password(body["new_password"]))
    return store.get_user(user.id).public()


@blp.route("/api-keys", methods=["POST"])
@requires(ADMIN)
@idempotency.not_stored("key")
@blp.arguments(CreateApiKeySchema, example={"name": "scanner-07", "roles": ["warehouse"]})
@blp.response(201, NewApiKeySchema)
def create_api_key(body):
    """Create an API key for a machine (admin).

    The ``key`` is in this answer only; use it as ``Authorization: Bearer <key>``.
    Roles may not include admin. An ``Idempotency-Key`` replay answers the same body
    without ``key`` (it is never stored).

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
