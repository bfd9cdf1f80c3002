"""Reads and writes of the identity tables; each method is one short transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from gateway.auth.tables import api_keys, login_failures, users
from gateway.errors import ApiKeyNotFound, UsernameTaken
from servicekit.db import Database
from servicekit.domain import utcnow
from servicekit.errors import Conflict, NotFound

ADMIN = "admin"
# PATCH /users/{id} leaves a field alone when it is not given.
UNCHANGED: Any = object()


class UserNotFound(NotFound):
    code = "user_not_found"
    default_message = "No such user."


class LastAdmin(Conflict):
    code = "last_admin"
    default_message = "At least one enabled user must keep the admin role."


@dataclass(frozen=True)
class User:
    id: str
    username: str
    password_hash: str
    roles: list[str]
    department: str | None
    created_at: datetime
    disabled: bool = False
    token_version: int = 0

    def public(self) -> dict:
        return {
            "id": self.id,
            "username": self.username,
            "roles": list(self.roles),
            "department": self.department,
            "disabled": self.disabled,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    roles: list[str]
    created_at: datetime
    created_by: str | None
    revoked_at: datetime | None

    def public(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "roles": list(self.roles),
            "created_at": self.created_at,
            "created_by": self.created_by,
            "revoked_at": self.revoked_at,
        }


def _user(row) -> User:
    return User(
        row.id,
        row.username,
        row.password_hash,
        list(row.roles),
        row.department,
        row.created_at,
        bool(row.disabled),
        row.token_version,
    )


def _api_key(row) -> ApiKey:
    return ApiKey(row.id, row.name, list(row.roles), row.created_at, row.created_by, row.revoked_at)


class IdentityStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- users -------------------------------------------------------------
    def find_user(self, username: str) -> User | None:
        with self.database.read() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        return _user(row) if row else None

    def add_user(
        self,
        username: str,
        password_hash: str,
        roles: list[str],
        department: str | None,
        created_by: str | None,
    ) -> User:
        """Insert a user; ``UsernameTaken`` when the name exists (the unique index decides)."""
        values = {
            "id": uuid.uuid4().hex,
            "username": username,
            "password_hash": password_hash,
            "roles": list(roles),
            "department": department,
            "created_at": utcnow(),
            "created_by": created_by,
        }
        try:
            with self.database.engine.begin() as conn:
                conn.execute(insert(users).values(**values))
        except IntegrityError as exc:
            raise UsernameTaken(details={"username": [f"{username} exists"]}) from exc
        return User(
            values["id"], username, password_hash, list(roles), department, values["created_at"]
        )

    def set_password_hash(self, username: str, password_hash: str) -> None:
        """A rehash of the same password (argon2 parameters moved on); tokens stay valid."""
        with self.database.engine.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.username == username)
                .values(password_hash=password_hash)
            )

    def change_password(self, user_id: str, password_hash: str) -> None:
        """A new password; every token issued before is refused from now on."""
        with self.database.engine.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(password_hash=password_hash, token_version=users.c.token_version + 1)
            )

    def update_user(
        self,
        user_id: str,
        roles: list[str] | Any = UNCHANGED,
        department: str | None | Any = UNCHANGED,
        disabled: bool | Any = UNCHANGED,
    ) -> User:
        """Change roles, department or disabled; ``LastAdmin`` when no enabled admin
        would remain. Disabling moves the token version on, so re-enabling does not
        revive old tokens."""
        with self.database.engine.begin() as conn:
            # FOR UPDATE on every user (PostgreSQL; SQLite's BEGIN IMMEDIATE already
            # serialises): two admins demoting each other at once cannot both succeed.
            rows = {r.id: _user(r) for r in conn.execute(select(users).with_for_update()).all()}
            user = rows.get(user_id)
            if user is None:
                raise UserNotFound(details={"id": user_id})
            values: dict[str, Any] = {}
            if roles is not UNCHANGED:
                values["roles"] = sorted(set(roles))
            if department is not UNCHANGED:
                values["department"] = department
            if disabled is not UNCHANGED and disabled != user.disabled:
                values["disabled"] = disabled
                if disabled:
                    values["token_version"] = user.token_version + 1
            if not values:
                return user
            changed = User(**{**user.__dict__, **values})
            rows[user_id] = changed
            if (
                ADMIN in user.roles
                and not user.disabled
                and not any(ADMIN in u.roles and not u.disabled for u in rows.values())
            ):
                raise LastAdmin()
            conn.execute(update(users).where(users.c.id == user_id).values(**values))
        return changed

    def get_user(self, user_id: str) -> User:
        with self.database.read() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise UserNotFound(details={"id": user_id})
        return _user(row)

    def list_users(self, page: int, per_page: int) -> dict:
        with self.database.read() as conn:
            total = conn.execute(select(func.count()).select_from(users)).scalar_one()
            rows = conn.execute(
                select(users)
                .order_by(users.c.username)
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
        return {
            "items": [_user(r).public() for r in rows],
            "total": total,
            "page": page,
            "per_page": per_page,
        }

    # --- failed logins -----------------------------------------------------
    def recent_failures(self, address: str, window_seconds: int) -> list[tuple[str, datetime]]:
        """(username, failed_at) of this client address's failures within the window,
        oldest first. Recording stops at the limits, so this stays short."""
        since = utcnow() - timedelta(seconds=window_seconds)
        with self.database.read() as conn:
            rows = conn.execute(
                select(login_failures.c.username, login_failures.c.failed_at)
                .where(
                    login_failures.c.client_address == address,
                    login_failures.c.failed_at > since,
                )
                .order_by(login_failures.c.failed_at)
            ).all()
        return [(row.username, row.failed_at) for row in rows]

    def record_failure(self, username: str, address: str, window_seconds: int) -> None:
        now = utcnow()
        with self.database.engine.begin() as conn:
            # Rows older than the window count for nothing; keep the table small.
            conn.execute(
                delete(login_failures).where(
                    login_failures.c.failed_at <= now - timedelta(seconds=window_seconds)
                )
            )
            conn.execute(
                insert(login_failures).values(
                    username=username[:150], client_address=address[:100], failed_at=now
                )
            )

    def clear_failures(self, username: str, address: str) -> None:
        """After a good login: this pair's failures go, the address's others stay (an
        attacker's own successful login does not reset its spraying count)."""
        with self.database.engine.begin() as conn:
            conn.execute(
                delete(login_failures).where(
                    login_failures.c.username == username,
                    login_failures.c.client_address == address,
                )
            )

    # --- API keys ----------------------------------------------------------
    def add_api_key(
        self, name: str, key_hash: str, roles: list[str], created_by: str | None
    ) -> ApiKey:
        values = {
            "id": uuid.uuid4().hex,
            "name": name,
            "key_hash": key_hash,
            "roles": list(roles),
            "created_at": utcnow(),
            "created_by": created_by,
            "revoked_at": None,
        }
        with self.database.engine.begin() as conn:
            conn.execute(insert(api_keys).values(**values))
        values.pop("key_hash")
        return ApiKey(**values)

    def find_active_api_key(self, key_hash: str) -> ApiKey | None:
        with self.database.read() as conn:
            row = conn.execute(
                select(api_keys).where(
                    api_keys.c.key_hash == key_hash, api_keys.c.revoked_at.is_(None)
                )
            ).first()
        return _api_key(row) if row else None

    def revoke_api_key(self, key_id: str) -> None:
        """Revoke at once; revoking a revoked key again is harmless."""
        with self.database.engine.begin() as conn:
            found = conn.execute(select(api_keys.c.id).where(api_keys.c.id == key_id)).first()
            if not found:
                raise ApiKeyNotFound(details={"id": key_id})
            conn.execute(
                update(api_keys)
                .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )

    def list_api_keys(self, page: int, per_page: int) -> dict:
        with self.database.read() as conn:
            total = conn.execute(select(func.count()).select_from(api_keys)).scalar_one()
            rows = conn.execute(
                select(api_keys)
                .order_by(api_keys.c.created_at, api_keys.c.id)
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
        return {
            "items": [_api_key(r).public() for r in rows],
            "total": total,
            "page": page,
            "per_page": per_page,
        }
