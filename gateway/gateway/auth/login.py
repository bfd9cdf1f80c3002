"""Issuing access tokens against the user table, and throttling failed logins.

Failed logins are counted over a sliding window per (username, client address) and
per client address, so one address trying many passwords for a user, or spraying
many usernames, gets 429 with ``Retry-After``, while the owner logging in from
another address is not locked out by someone else's failures (CONTRACT "Identity").

The counts live in the gateway's database (``login_failures``), not in memory or in
Flask-Limiter: limits' shared storages are Redis, Memcached or MongoDB, none of which
the suite runs, and its in-memory storage is per gunicorn worker (2 by default), so an
attacker would get each worker's allowance. A row per failure in the database every
worker already uses is shared, survives a restart and needs no new server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.auth import passwords, tokens
from gateway.auth.store import IdentityStore, User
from gateway.errors import InvalidCredentials, TooManyLoginFailures
from servicekit.domain import utcnow

USERNAME_COLUMN = 150  # login_failures.username


@dataclass(frozen=True)
class LoginLimits:
    per_user_and_address: int  # LOGIN_MAX_FAILURES
    per_address: int  # LOGIN_MAX_FAILURES_PER_ADDRESS
    window_seconds: int  # LOGIN_WINDOW_SECONDS


def _seconds_until_below(times: list[datetime], limit: int, window: timedelta) -> int | None:
    """None while fewer than ``limit`` failures count; else whole seconds until enough
    of them have left the window for the count to drop below the limit."""
    if len(times) < limit:
        return None
    pivot = times[len(times) - limit]
    return max(1, math.ceil((pivot + window - utcnow()).total_seconds()))


def check_throttle(store: IdentityStore, username: str, address: str, limits: LoginLimits) -> None:
    """429 ``too_many_login_failures`` when this address, or this username from this
    address, has failed too often within the window."""
    recent = store.recent_failures(address, limits.window_seconds)
    window = timedelta(seconds=limits.window_seconds)
    name = username[:USERNAME_COLUMN]
    for times, limit, message in (
        (
            [at for user, at in recent if user == name],
            limits.per_user_and_address,
            "Too many failed logins for this user from your address; try again later.",
        ),
        (
            [at for _user, at in recent],
            limits.per_address,
            "Too many failed logins from your address; try again later.",
        ),
    ):
        wait = _seconds_until_below(times, limit, window)
        if wait is not None:
            raise TooManyLoginFailures(message, details={"retry_after": wait})


def record_failure(store: IdentityStore, username: str, address: str, limits: LoginLimits) -> None:
    store.record_failure(username[:USERNAME_COLUMN], address, limits.window_seconds)


def log_in(
    store: IdentityStore,
    username: str,
    password: str,
    *,
    address: str,
    secret: str,
    token_minutes: int,
    limits: LoginLimits,
) -> dict:
    """``{"access_token", "token_type", "expires_in"}``; the same 401 for an unknown
    user, a disabled user and a wrong password; 429 while throttled."""
    check_throttle(store, username, address, limits)
    user: User | None = store.find_user(username)
    verified = passwords.verify_password(user.password_hash if user else None, password)
    if not verified or user is None or user.disabled:
        record_failure(store, username, address, limits)
        raise InvalidCredentials()
    store.clear_failures(username[:USERNAME_COLUMN], address)
    if passwords.needs_rehash(user.password_hash):
        store.set_password_hash(username, passwords.hash_password(password))
    token, expires_in = tokens.issue(
        secret,
        user.username,
        user.roles,
        user.department,
        token_minutes,
        version=user.token_version,
    )
    return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}
