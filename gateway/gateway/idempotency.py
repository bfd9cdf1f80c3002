"""``Idempotency-Key`` on every POST (CONTRACT "Retries"), in one place for every view.

``before_request`` checks the header (1-255 visible characters, else 422) and, for an
authenticated caller, *reserves* the key by inserting a row keyed on (principal, key)
before the view runs: the unique constraint lets one of two concurrent requests with
one key in; the other gets 409 ``idempotency_key_in_progress``. A key already answered
for the same request (HMAC of method, path, query and canonical body) replays the
stored status and body with ``Idempotent-Replayed: true`` and calls no service; for
another request it is 422 ``idempotency_key_reused``.

``after_request`` stores the answer when it is final (status < 500). A 5xx (503: a
service did not answer, so the outcome is unknown) releases the reservation and a
retry with the same key runs again; the service then recognises the command by the
``idempotency_key`` the RPC carries (``gateway.rpc``) and answers its first result.

Public POSTs (``/auth/token``) have their header checked but nothing stored: a token
is not a thing to keep in a table, and issuing another one is harmless.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, Response, current_app, g, request
from sqlalchemy import (
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from gateway import errors
from gateway.auth.tables import metadata
from servicekit.db import Database
from servicekit.domain import utcnow
from servicekit.errors import Conflict, Invalid
from servicekit.types import UTCDateTime

log = logging.getLogger(__name__)


class InvalidIdempotencyKey(Invalid):
    code = "invalid_idempotency_key"
    default_message = "The Idempotency-Key header must be 1 to 255 visible characters."


class IdempotencyKeyReused(Invalid):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was used with another request."


class IdempotencyKeyInProgress(Conflict):
    code = "idempotency_key_in_progress"
    default_message = "A request with this Idempotency-Key is still running; retry shortly."


HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# RFC 9110 VCHAR: printable ASCII without space.
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
KEY_PATTERN = "^[!-~]{1,255}$"  # the same, as OpenAPI documents it
# Expired rows are deleted on about one reservation in this many (and at start).
PRUNE_ONE_IN = 100
# A reservation this old with no answer was left by a worker that died; another request
# may take it over. Longer than a request can last (a view makes one RPC call).
MIN_ABANDONED_SECONDS = 60
RPC_TIMEOUTS_BEFORE_ABANDONED = 4

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    # "user:<id>" or "api_key:<id>": one caller's keys never meet another's.
    Column("principal", String(100), nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    # NULL while the first request runs (the reservation); then its answer.
    Column("status", Integer),
    Column("content_type", String(255)),
    Column("body", LargeBinary),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("completed_at", UTCDateTime()),
    UniqueConstraint("principal", "key", name="uq_idempotency_keys_principal_key"),
    Index("ix_idempotency_keys_created_at", "created_at"),
)


@dataclass(frozen=True)
class Record:
    id: str
    request_hash: str
    status: int | None
    content_type: str | None
    body: bytes | None
    created_at: datetime


@dataclass(frozen=True)
class Reservation:
    id: str
    principal: str
    key: str
    request_hash: str


class IdempotencyStore:
    """The ``idempotency_keys`` table; every method is one short transaction."""

    def __init__(
        self,
        database: Database,
        retention: timedelta,
        abandoned_after: timedelta,
        cipher: Fernet | None = None,
    ) -> None:
        self.database = database
        self.retention = retention
        self.abandoned_after = abandoned_after
        # rule C11: a stored answer may hold personal data (a created card's contacts);
        # it is kept encrypted, so the gateway's database has none of it in clear.
        self.cipher = cipher

    def reserve(self, principal: str, key: str, request_hash: str) -> str | Record:
        """Insert a reservation and return its id, or return the live record that holds
        this (principal, key). An expired record, or a reservation abandoned by a dead
        worker, is deleted and the insert tried again."""
        for _ in range(3):
            now = utcnow()
            record_id = uuid.uuid4().hex
            try:
                with self.database.engine.begin() as conn:
                    conn.execute(
                        insert(idempotency_keys).values(
                            id=record_id,
                            principal=principal,
                            key=key,
                            request_hash=request_hash,
                            created_at=now,
                        )
                    )
                return record_id
            except IntegrityError:
                pass  # the key is held: look at what holds it
            found = self._find(principal, key)
            if found is None:
                continue  # released meanwhile
            expired = found.created_at <= now - self.retention
            abandoned = found.status is None and found.created_at <= now - self.abandoned_after
            if not (expired or abandoned):
                return found
            with self.database.engine.begin() as conn:
                conn.execute(
                    delete(idempotency_keys).where(
                        idempotency_keys.c.id == found.id,
                        idempotency_keys.c.created_at == found.created_at,
                    )
                )
        raise IdempotencyKeyInProgress(details={"retry_after": 1})

    def _find(self, principal: str, key: str) -> Record | None:
        with self.database.read() as conn:
            row = conn.execute(
                select(idempotency_keys).where(
                    idempotency_keys.c.principal == principal, idempotency_keys.c.key == key
                )
            ).first()
        if row is None:
            return None
        body = row.body
        if body is not None and self.cipher is not None:
            try:
                body = self.cipher.decrypt(body)
            except InvalidToken:  # sealed under an earlier secret: the answer is lost
                body = None
        return Record(row.id, row.request_hash, row.status, row.content_type, body, row.created_at)

    def complete(self, record_id: str, status: int, content_type: str | None, body: bytes) -> None:
        with self.database.engine.begin() as conn:
            conn.execute(
                update(idempotency_keys)
                .where(idempotency_keys.c.id == record_id, idempotency_keys.c.status.is_(None))
                .values(
                    status=status,
                    content_type=content_type,
                    body=self.cipher.encrypt(body) if self.cipher is not None else body,
                    completed_at=utcnow(),
                )
            )

    def release(self, record_id: str) -> None:
        with self.database.engine.begin() as conn:
            conn.execute(
                delete(idempotency_keys).where(
                    idempotency_keys.c.id == record_id, idempotency_keys.c.status.is_(None)
                )
            )

    def prune(self) -> int:
        """Delete the records older than the retention; how many went."""
        with self.database.engine.begin() as conn:
            result = conn.execute(
                delete(idempotency_keys).where(
                    idempotency_keys.c.created_at <= utcnow() - self.retention
                )
            )
        return result.rowcount or 0


# --- what a request is ---------------------------------------------------------
def _tagged_decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$number": str(value)}  # "1.10" and 1.10 stay different requests
    raise TypeError(type(value).__name__)


def _canonical_body() -> bytes:
    """JSON with sorted keys and no spacing (numbers kept as written), the form fields
    and files' digests of a multipart upload, else the raw bytes."""
    if request.mimetype == "multipart/form-data":
        files = []
        for name, storage in request.files.items(multi=True):
            digest = hashlib.sha256(storage.stream.read()).hexdigest()
            storage.stream.seek(0)
            files.append([name, storage.filename or "", digest])
        form = sorted([name, value] for name, value in request.form.items(multi=True))
        return json.dumps({"form": form, "files": sorted(files)}, ensure_ascii=False).encode()
    data = request.get_data(cache=True)
    try:
        parsed = json.loads(data, parse_float=Decimal)
    except (ValueError, RecursionError):
        return data
    return json.dumps(
        parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_tagged_decimal
    ).encode()


def _hmac_key(secret: str) -> bytes:
    # HMAC with the gateway's secret: bodies may hold passwords (POST /users); their
    # plain SHA-256 in a table would be open to guessing.
    return hashlib.sha256(b"idempotency\0" + secret.encode()).digest()


def request_hash(secret: str) -> str:
    query = sorted(request.args.items(multi=True))
    head = json.dumps([request.method, request.path, query], ensure_ascii=False).encode()
    return hmac.new(_hmac_key(secret), head + b"\0" + _canonical_body(), "sha256").hexdigest()


def rpc_scope(secret: str, reservation: Reservation) -> str:
    """What the services see of this key (``gateway.rpc``): a digest of principal, key
    and request, so neither another caller's key nor a reused one can meet it."""
    text = "\0".join((reservation.principal, reservation.key, reservation.request_hash))
    return hmac.new(_hmac_key(secret), text.encode(), "sha256").hexdigest()


# --- views ----------------------------------------------------------------------
def not_stored(*fields: str) -> Callable[[Callable], Callable]:
    """Leave these top-level fields of the answer out of the stored copy (a secret
    shown once, such as a new API key): a replay answers without them."""

    def decorator(view: Callable) -> Callable:
        view._idempotency_not_stored = fields
        return view

    return decorator


def _view() -> Callable | None:
    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def _stored_body(response: Response) -> bytes:
    body = response.get_data()
    hidden = getattr(_view(), "_idempotency_not_stored", ())
    if hidden and response.is_json:
        data = json.loads(body)
        if isinstance(data, dict):
            for name in hidden:
                data.pop(name, None)
            body = json.dumps(data, ensure_ascii=False).encode()
    return body


# --- hooks ----------------------------------------------------------------------
def _store() -> IdempotencyStore:
    return current_app.extensions["idempotency"]


def _secret() -> str:
    return current_app.extensions["gateway"].jwt_secret


def header_key() -> str | None:
    """The request's ``Idempotency-Key``; 422 when it is there but not 1-255 visible
    characters."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _VALID_KEY.match(key):
        raise InvalidIdempotencyKey(
            details={HEADER: ["1 to 255 visible ASCII characters, no spaces."]}
        )
    return key


def _replay(record: Record) -> Response:
    response = current_app.response_class(
        record.body or b"", status=record.status, content_type=record.content_type
    )
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _in_progress(error: IdempotencyKeyInProgress) -> Response:
    response = errors.handle_domain_error(error)
    response.headers["Retry-After"] = "1"
    return response


def before_request() -> Response | None:
    """Runs after authentication: replay, refuse, or reserve the key for this POST."""
    if request.method != "POST":
        return None
    key = header_key()
    identity = g.get("identity")
    principal = getattr(identity, "principal", None)
    if key is None or not principal:
        return None
    secret = _secret()
    digest = request_hash(secret)
    store = _store()
    if random.randrange(PRUNE_ONE_IN) == 0:
        store.prune()
    try:
        found = store.reserve(principal, key, digest)
    except IdempotencyKeyInProgress as exc:
        return _in_progress(exc)
    if isinstance(found, str):
        reservation = Reservation(found, principal, key, digest)
        g.idempotency = reservation
        g.idempotency_scope = rpc_scope(secret, reservation)
        return None
    if found.request_hash != digest:
        raise IdempotencyKeyReused(details={HEADER: ["used before with another request"]})
    if found.status is None:
        return _in_progress(IdempotencyKeyInProgress(details={"retry_after": 1}))
    log.info("idempotent replay", extra={"status": found.status})
    return _replay(found)


def after_request(response: Response) -> Response:
    """Keep a final answer (< 500) for replays; release the key after a 5xx."""
    reservation = g.pop("idempotency", None)
    if reservation is None:
        return response
    store = _store()
    try:
        if response.status_code < 500 and not response.direct_passthrough:
            store.complete(
                reservation.id, response.status_code, response.content_type, _stored_body(response)
            )
        else:
            store.release(reservation.id)
    except Exception:
        # The answer was made; not keeping it only means a retry waits for the
        # reservation to be abandoned and runs again (the service dedupes it).
        log.exception("could not store the answer for an Idempotency-Key")
    return response


def teardown_request(_error: BaseException | None) -> None:
    """A request that ended without ``after_request`` releases its reservation."""
    reservation = g.pop("idempotency", None)
    if reservation is not None:
        try:
            _store().release(reservation.id)
        except Exception:
            log.exception("could not release an Idempotency-Key")


def answer_cipher(secret: str) -> Fernet:
    """The key stored answers are sealed with, derived from the gateway's secret (every
    worker and replica shares it) for this use only (HKDF, its own ``info``)."""
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"aftersales idempotent answers"
    ).derive(secret.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def install(app: Flask, database: Database) -> None:
    """Register the hooks (after authentication's) and prune expired keys once."""
    config = app.config
    abandoned = max(MIN_ABANDONED_SECONDS, RPC_TIMEOUTS_BEFORE_ABANDONED * config["RPC_TIMEOUT"])
    store = IdempotencyStore(
        database,
        retention=timedelta(hours=config["IDEMPOTENCY_RETENTION_HOURS"]),
        abandoned_after=timedelta(seconds=abandoned),
        cipher=answer_cipher(app.extensions["gateway"].jwt_secret),
    )
    app.extensions["idempotency"] = store
    store.prune()
    app.before_request(before_request)
    app.after_request(after_request)
    app.teardown_request(teardown_request)


# --- OpenAPI --------------------------------------------------------------------
HEADER_PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": 'Makes a retry safe (CONTRACT "Retries"): the same key with the same '
    "body within the retention (24 h by default) answers the first response again with "
    "`Idempotent-Replayed: true`; with another body -> 422 `idempotency_key_reused`; "
    "while the first request runs -> 409 `idempotency_key_in_progress`. A 503 is not kept: "
    "retry with the same key.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN},
}


REPLAYED_RESPONSE_HEADER = {
    "description": "`true` when this is the stored answer to an earlier request with the "
    "same Idempotency-Key (nothing was done again); absent otherwise.",
    "schema": {"type": "string", "enum": ["true"]},
}


def document(spec_paths: dict[str, dict[str, Any]]) -> None:
    """Add the header to every POST operation of the OpenAPI document, and
    ``Idempotent-Replayed`` to the success answers of those that keep answers (the
    ones that need a token)."""
    for operations in spec_paths.values():
        operation = operations.get("post")
        if operation is None:
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == HEADER for p in parameters if isinstance(p, dict)):
            parameters.append(dict(HEADER_PARAMETER))
        if not operation.get("security"):
            continue
        for status, response in operation.get("responses", {}).items():
            if (
                str(status).startswith("2")
                and isinstance(response, dict)
                and "$ref" not in response
            ):
                response.setdefault("headers", {})[REPLAYED_HEADER] = dict(REPLAYED_RESPONSE_HEADER)
