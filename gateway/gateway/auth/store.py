"""Reads and writes of the identity tables; each method is one short transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from gateway.auth.tables import api_keys, login_failures, users
from gateway.errors import ApiKeyNotFound, UsernameTaken
from servicekit.db import Database
from servicekit.domain import utcnow


@dataclass(frozen=True)
class User:
    id: str
    username: str
    password_hash: str
    roles: list[str]
    department: str | None
    created_at: datetime

    def public(self) -> dict:
        return {
            "id": self.id,
            "username": self.username,
            "roles": list(self.roles),
            "department": self.department,
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
        row.id, row.username, row.password_hash, list(row.roles), row.department, row.created_at
    )


def _api_key(row) -> ApiKey:
    return ApiKey(row.id, row.name, list(row.roles), row.created_at, row.created_by, row.revoked_at)


class IdentityStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- users -------------------------------------------------------------
    def find_user(self, username: str) -> User | None:
        with self.database.engine.connect() as conn:
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
        with self.database.engine.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.username == username)
                .values(password_hash=password_hash)
            )

    def list_users(self, page: int, per_page: int) -> dict:
        with self.database.engine.connect() as conn:
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
    def recent_failures(self, username: str, window_seconds: int) -> int:
        since = utcnow() - timedelta(seconds=window_seconds)
        with self.database.engine.connect() as conn:
            return conn.execute(
                select(func.count())
                .select_from(login_failures)
                .where(login_failures.c.username == username, login_failures.c.failed_at > since)
            ).scalar_one()

    def record_failure(self, username: str, window_seconds: int) -> None:
        now = utcnow()
        with self.database.engine.begin() as conn:
            # Rows older than the window count for nothing; keep the table small.
            conn.execute(
                delete(login_failures).where(
                    login_failures.c.failed_at <= now - timedelta(seconds=window_seconds)
                )
            )
            conn.execute(insert(login_failures).values(username=username, failed_at=now))

    def clear_failures(self, username: str) -> None:
        with self.database.engine.begin() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.username == username))

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
        with self.database.engine.connect() as conn:
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
        with self.database.engine.connect() as conn:
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
