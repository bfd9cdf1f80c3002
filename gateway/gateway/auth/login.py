"""Issuing access tokens against the user table, with failed logins counted per
username in the database (so every gunicorn worker sees the same count)."""

from __future__ import annotations

from gateway.auth import passwords, tokens
from gateway.auth.store import IdentityStore
from gateway.errors import InvalidCredentials, TooManyLoginFailures


def log_in(
    store: IdentityStore,
    username: str,
    password: str,
    *,
    secret: str,
    token_minutes: int,
    max_failures: int,
    window_seconds: int,
) -> dict:
    """``{"access_token", "token_type", "expires_in"}``; the same 401 for an unknown
    user and a wrong password, 429 once ``max_failures`` failed within the window."""
    if store.recent_failures(username, window_seconds) >= max_failures:
        raise TooManyLoginFailures(details={"retry_after": window_seconds})
    user = store.find_user(username)
    if not passwords.verify_password(user.password_hash if user else None, password):
        store.record_failure(username, window_seconds)
        raise InvalidCredentials()
    store.clear_failures(username)
    if passwords.needs_rehash(user.password_hash):
        store.set_password_hash(username, passwords.hash_password(password))
    token, expires_in = tokens.issue(
        secret, user.username, user.roles, user.department, token_minutes
    )
    return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}
