"""Rotate the customer service's data keys (rule C11)::

    python -m customer.rotate_keys status     # the keys, and what the newest one alone opens
    python -m customer.rotate_keys new-key    # a new key first in the key file
    python -m customer.rotate_keys rotate     # every value re-encrypted with the newest key
    python -m customer.rotate_keys drop-old   # the key file keeps the newest key only

(``make rotate-keys CMD=status|new-key|rotate|drop-old``.) The database is the one the
service uses (``CUSTOMER_DATABASE_URL`` or ``$AFTERSALES_DATA_DIR/customer.db``); the keys
are ``CUSTOMER_DATA_KEYS``/``CUSTOMER_INDEX_KEY`` or the key files (``servicekit.crypto``).

A rotation, keys in files:

1. ``new-key``, then restart the customer service: it now writes with the new key and
   reads with both.
2. ``rotate``: every contact list, licence and tax number, every sealed history value,
   kept command answer and parked message is re-encrypted with the newest key; the
   lookup hashes are rebuilt with the current index key (so a changed index key takes
   effect here too).
3. ``drop-old``: refused unless the newest key alone opens every value (parked messages
   included, so none becomes unreadable); then the old keys leave the file. Restart
   the service.

Keys in the environment: put the new key first in ``CUSTOMER_DATA_KEYS`` and restart,
run ``rotate`` with the same environment, then leave only the new key and restart.
A backup taken before step 3 needs the old key: keep it as long as such backups.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from customer.domain.security import PERSONAL_FIELDS
from customer.security_keys import (
    ENCRYPTED,
    OWNER,
    digests,
    is_sealed,
    rotate_changes,
)
from servicekit import parking
from servicekit.config import database_url
from servicekit.crypto import (
    InvalidToken,
    KeyRing,
    Keys,
    key_files,
    load_keys,
    new_data_key,
)
from servicekit.db import make_engine
from servicekit.secret_files import write_private

BATCH = 200

# The raw columns (no decrypting type on them).
customers = sa.table(
    "customers",
    sa.column("id", sa.String),
    sa.column("contacts", sa.Text),
    sa.column("license_no", sa.Text),
    sa.column("tax_no", sa.Text),
)
history = sa.table(
    "history",
    sa.column("id", sa.Integer),
    sa.column("entity_type", sa.String),
    sa.column("changes", sa.JSON),
)
inbox = sa.table(
    "inbox",
    sa.column("event_id", sa.String),
    sa.column("handler", sa.String),
    sa.column("result", sa.JSON),
)
lookups = sa.table(
    "customer_lookups",
    sa.column("kind", sa.String),
    sa.column("digest", sa.String),
    sa.column("customer_id", sa.String),
)


class RotationError(RuntimeError):
    """What the operator must do first; the message says it."""


@dataclass
class Counts:
    cards: int = 0
    values: int = 0
    history: int = 0
    answers: int = 0  # commands' answers kept in the inbox
    parked: int = 0  # parked messages (sealed: body, headers, error)
    lookups: int = 0
    unopened: int = 0  # values the newest key alone does not open (status)


def _tokens(row) -> list[str]:
    return [getattr(row, f) for f in PERSONAL_FIELDS if getattr(row, f) is not None]


def _history_tokens(changes: Mapping) -> list[str]:
    return [v[ENCRYPTED] for v in (changes or {}).values() if is_sealed(v)]


def _batches(conn, query, key):
    last = None
    while True:
        page = query if last is None else query.where(key > last)
        rows = conn.execute(page.order_by(key).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def rotate(url: str, keys: Keys) -> Counts:
    """Every personal value and sealed history value re-encrypted with the newest key,
    the lookup hashes rebuilt; one transaction per batch of cards (rows locked)."""
    ring, counts = keys.data, Counts()
    engine = make_engine(url)
    try:
        last = ""
        while True:
            with engine.begin() as conn:
                query = sa.select(customers).where(customers.c.id > last).order_by(customers.c.id)
                if conn.dialect.name == "postgresql":
                    query = query.with_for_update()
                rows = conn.execute(query.limit(BATCH)).all()
                if not rows:
                    break
                for row in rows:
                    _rotate_card(conn, row, keys, counts)
                last = rows[-1].id
        last_id = 0
        while True:
            with engine.begin() as conn:
                query = (
                    sa.select(history.c.id, history.c.changes)
                    .where(history.c.entity_type == "customer", history.c.id > last_id)
                    .order_by(history.c.id)
                )
                if conn.dialect.name == "postgresql":
                    query = query.with_for_update()
                rows = conn.execute(query.limit(BATCH)).all()
                if not rows:
                    break
                for row in rows:
                    if not set(PERSONAL_FIELDS) & set(row.changes or {}):
                        continue
                    conn.execute(
                        sa.update(history)
                        .where(history.c.id == row.id)
                        .values(changes=rotate_changes(row.changes, ring))
                    )
                    counts.history += 1
                last_id = rows[-1].id
        with engine.begin() as conn:
            for row in conn.execute(_answers()).all():
                for token in _answer_tokens(row.result):
                    conn.execute(
                        sa.update(inbox)
                        .where(inbox.c.event_id == row.event_id, inbox.c.handler == row.handler)
                        .values(result={"value": {ENCRYPTED: ring.rotate(token)}})
                    )
                    counts.answers += 1
        counts.parked = parking.reseal(engine, ring)
    finally:
        engine.dispose()
    return counts


def _answers():
    """The customer service's commands' answers the inbox keeps (sealed)."""
    return sa.select(inbox.c.event_id, inbox.c.handler, inbox.c.result).where(
        inbox.c.handler.like("rpc:customer.%"), inbox.c.result.is_not(None)
    )


def _answer_tokens(result) -> list[str]:
    value = (result or {}).get("value") if isinstance(result, Mapping) else None
    return [value[ENCRYPTED]] if is_sealed(value) else []


def _rotate_card(conn, row, keys: Keys, counts: Counts) -> None:
    ring = keys.data
    values = {f: getattr(row, f) for f in PERSONAL_FIELDS}
    clear = {f: None if v is None else ring.decrypt(v) for f, v in values.items()}
    conn.execute(
        sa.update(customers)
        .where(customers.c.id == row.id)
        .values({f: None if v is None else ring.rotate(v) for f, v in values.items()})
    )
    conn.execute(sa.delete(lookups).where(lookups.c.customer_id == row.id))
    contacts = json.loads(clear["contacts"]) if clear["contacts"] else []
    found = sorted(digests(contacts, clear["license_no"], clear["tax_no"], index=keys.index))
    if found:
        conn.execute(
            sa.insert(lookups), [{"kind": k, "digest": d, "customer_id": row.id} for k, d in found]
        )
    counts.cards += 1
    counts.values += len(_tokens(row))
    counts.lookups += len(found)


def status(url: str, keys: Keys) -> Counts:
    """How many values there are, and how many the newest key alone does not open."""
    newest, counts = KeyRing(keys.data.keys[:1]), Counts()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            for rows in _batches(conn, sa.select(customers), customers.c.id):
                for row in rows:
                    counts.cards += 1
                    for token in _tokens(row):
                        counts.values += 1
                        counts.unopened += not _opens(newest, token)
            query = sa.select(history.c.id, history.c.changes).where(
                history.c.entity_type == "customer"
            )
            for rows in _batches(conn, query, history.c.id):
                for row in rows:
                    tokens = _history_tokens(row.changes)
                    counts.history += bool(tokens)
                    counts.values += len(tokens)
                    counts.unopened += sum(not _opens(newest, t) for t in tokens)
            for row in conn.execute(_answers()).all():
                tokens = _answer_tokens(row.result)
                counts.answers += bool(tokens)
                counts.values += len(tokens)
                counts.unopened += sum(not _opens(newest, t) for t in tokens)
            for tokens in parking.sealed_tokens(conn):
                counts.parked += 1
                counts.values += len(tokens)
                counts.unopened += sum(not _opens(newest, t) for t in tokens)
    finally:
        engine.dispose()
    return counts


def _opens(ring: KeyRing, token: str) -> bool:
    try:
        ring.decrypt(token)
    except InvalidToken:
        return False
    return True


def _key_file(env: Mapping[str, str] | None, keys: Keys, what: str):
    if keys.source == "environment":
        raise RotationError(
            f"the keys come from CUSTOMER_DATA_KEYS: {what} there (newest first) and "
            "restart the customer service"
        )
    return key_files(OWNER, env)[0]


def new_key(env: Mapping[str, str] | None = None) -> str:
    """A new key first in the key file; its fingerprint."""
    keys = load_keys(OWNER, env)
    path = _key_file(env, keys, "put a new key first")
    key = new_data_key()
    write_private(path, "\n".join([key, *keys.data.keys]))
    return KeyRing([key]).fingerprints()[0]


def drop_old(url: str, env: Mapping[str, str] | None = None) -> list[str]:
    """The key file keeps the newest key only, once it alone opens every value; the
    fingerprints of the keys dropped."""
    keys = load_keys(OWNER, env)
    path = _key_file(env, keys, "leave only the newest key")
    counts = status(url, keys)
    if counts.unopened:
        raise RotationError(
            f"{counts.unopened} value(s) still need an older key: run `rotate` first"
        )
    write_private(path, keys.data.keys[0])
    return keys.data.fingerprints()[1:]


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m customer.rotate_keys", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=("status", "new-key", "rotate", "drop-old"))
    args = parser.parse_args(argv)
    url = database_url(OWNER, env)
    try:
        if args.command == "new-key":
            print(f"new data key {new_key(env)} put first; restart the customer service")
            return 0
        if args.command == "drop-old":
            dropped = drop_old(url, env)
            print(f"dropped {len(dropped)} old key(s) {', '.join(dropped) or ''}".rstrip())
            print("restart the customer service")
            return 0
        keys = load_keys(OWNER, env)
        if args.command == "rotate":
            counts = rotate(url, keys)
            print(
                f"re-encrypted {counts.values} value(s) of {counts.cards} card(s), "
                f"{counts.history} history entr(ies), {counts.answers} kept answer(s) and "
                f"{counts.parked} parked message(s) with key {keys.data.fingerprints()[0]}; "
                f"{counts.lookups} lookup hash(es) rebuilt"
            )
            return 0
        counts = status(url, keys)
        print(f"keys from {keys.source}, newest first: {', '.join(keys.data.fingerprints())}")
        print(
            f"{counts.cards} card(s), {counts.history} history entr(ies), "
            f"{counts.answers} kept answer(s) and {counts.parked} parked message(s) with "
            f"personal values; {counts.values} "
            f"value(s), {counts.unopened} needing an older key"
        )
        return 0
    except (RotationError, InvalidToken) as exc:
        message = str(exc) or "a value opens with none of the keys (a key is missing)"
        print(f"error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
