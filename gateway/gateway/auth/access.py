"""Who is calling, and may they: bearer authentication and the role decorator.

Every request to a view that is not marked ``@public`` is authenticated before
the view runs (401 otherwise); ``@requires(...)`` then checks the roles (403).
``create_app`` refuses to start when a view has neither marker, so no endpoint
is left open by forgetting one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import current_app, g, request

from gateway.auth import api_keys, tokens
from gateway.errors import InvalidToken
from gateway.state import state
from servicekit.contracts.common import ROLES
from servicekit.errors import Forbidden

ADMIN = "admin"
# flask-smorest serves the OpenAPI document from its own blueprint.
PUBLIC_BLUEPRINTS = ("api-docs",)
# Pseudo-role: any authenticated user or API key.
AUTHENTICATED = "authenticated"


@dataclass(frozen=True)
class Identity:
    username: str
    roles: tuple[str, ...]
    department: str | None = None
    # "user:<id>" or "api_key:<id>": whose Idempotency-Keys these are (gateway.idempotency).
    principal: str | None = None
    user_id: str | None = None

    def may(self, allowed: Iterable[str]) -> bool:
        allowed = set(allowed)
        return AUTHENTICATED in allowed or ADMIN in self.roles or bool(allowed & set(self.roles))

    @property
    def actor(self) -> dict[str, Any]:
        """What RPC commands receive as ``actor`` (servicekit ActorSchema)."""
        return {"username": self.username, "roles": list(self.roles), "department": self.department}


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("A bearer token is required.", code="token_missing")
    return token.strip()


def authenticate() -> Identity:
    """Who the bearer is, as the identity store says *now*: a token of a disabled user,
    or one issued before the user's token version moved on (password changed, user
    disabled), is refused; roles and department are the user's current ones, not the
    token's, so a role change applies from the next request."""
    token = _bearer_token()
    current = state()
    if api_keys.looks_like_key(token):
        key = current.store.find_active_api_key(api_keys.key_hash(token))
        if key is None:
            raise InvalidToken("The API key is unknown or revoked.")
        return Identity(
            api_keys.actor_name(key.name), tuple(key.roles), None, principal=f"api_key:{key.id}"
        )
    claims = tokens.decode(current.jwt_secret, token)
    user = current.store.find_user(claims.username)
    if user is None:
        raise InvalidToken()
    if user.disabled:
        raise InvalidToken("This account is disabled.", code="account_disabled")
    if claims.version != user.token_version:
        raise InvalidToken(
            "This token was revoked (password changed or account disabled); log in again.",
            code="token_revoked",
        )
    return Identity(
        user.username,
        tuple(user.roles),
        user.department,
        principal=f"user:{user.id}",
        user_id=user.id,
    )


def current_identity() -> Identity:
    identity = g.get("identity")
    if identity is None:
        raise InvalidToken("A bearer token is required.", code="token_missing")
    return identity


def public(view: Callable) -> Callable:
    """Mark a view that needs no token (health, metrics, token issue)."""
    view._public = True
    return view


def requires(*roles: str) -> Callable[[Callable], Callable]:
    """Let only these roles (and admin) call the view; ``AUTHENTICATED`` for anyone
    with a valid token or API key. Documented in OpenAPI as bearer security and
    ``x-roles``."""
    unknown = set(roles) - set(ROLES) - {AUTHENTICATED}
    if not roles or unknown:
        raise ValueError(f"requires() needs known roles, got {roles}")
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_identity().may(allowed):
                raise Forbidden(details={"required_roles": sorted(allowed | {ADMIN})})
            return view(*args, **kwargs)

        guarded._required_roles = allowed
        apidoc = getattr(guarded, "_apidoc", {})
        guarded._apidoc = {
            **apidoc,
            "manual_doc": {
                **apidoc.get("manual_doc", {}),
                "security": [{"bearerAuth": []}],
                "x-roles": sorted(allowed),
                "responses": {"401": "UNAUTHORIZED", "403": "FORBIDDEN"},
            },
        }
        return guarded

    return decorator


def _is_public(endpoint: str, view: Callable) -> bool:
    return getattr(view, "_public", False) or endpoint.split(".")[0] in PUBLIC_BLUEPRINTS


def authenticate_request() -> None:
    """``before_request``: set ``g.identity`` for every view that is not public."""
    endpoint = request.endpoint
    view = current_app.view_functions.get(endpoint) if endpoint else None
    if view is None or _is_public(endpoint, view):
        return
    g.identity = authenticate()


def unguarded_views(app) -> list[str]:
    """Endpoints that are neither public nor ``@requires``-guarded."""
    return sorted(
        name
        for name, view in app.view_functions.items()
        if not _is_public(name, view) and not getattr(view, "_required_roles", None)
    )
