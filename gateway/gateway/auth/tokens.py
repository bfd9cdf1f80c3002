"""JWT access tokens: HS256 only, with ``sub`` (username), ``roles``, ``dept``,
``ver`` (the user's token version), ``iat`` and ``exp``. Anything else (another
algorithm, ``alg: none``, a missing claim, a bad signature, an unknown role) is
refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from gateway.errors import InvalidToken
from servicekit.contracts.common import ROLES

ALGORITHM = "HS256"


@dataclass(frozen=True)
class Claims:
    username: str
    roles: tuple[str, ...]
    department: str | None
    # The user's token version at issue; 0 for tokens made before versions existed.
    version: int = 0


def issue(
    secret: str,
    username: str,
    roles: list[str],
    department: str | None,
    minutes: int,
    now: datetime | None = None,
    version: int = 0,
) -> tuple[str, int]:
    """A signed token and its lifetime in seconds."""
    now = now or datetime.now(UTC)
    lifetime = timedelta(minutes=minutes)
    claims = {
        "sub": username,
        "roles": list(roles),
        "dept": department,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "ver": version,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM), int(lifetime.total_seconds())


def decode(secret: str, token: str) -> Claims:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "iat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("The access token has expired.", code="token_expired") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidToken() from exc
    roles = claims.get("roles")
    if not isinstance(roles, list) or not set(roles) <= set(ROLES):
        raise InvalidToken()
    department = claims.get("dept")
    version = claims.get("ver", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidToken()
    return Claims(
        claims["sub"],
        tuple(roles),
        department if isinstance(department, str) else None,
        version,
    )
