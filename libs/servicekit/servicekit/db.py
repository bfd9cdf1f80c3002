"""Database access and the unit of work.

``UnitOfWork.commit`` is where rule X2 is kept: the events recorded on the
aggregates in the session are written to the outbox, and their history entries
to the history table, in the same transaction as the change itself.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from servicekit.domain import Aggregate, HistoryEntry, utcnow
from servicekit.tables import history, inbox, outbox


class AlreadyHandled(Exception):
    """This event was handled by this handler before (rule X2: once in effect)."""


def normalize_url(url: str) -> str:
    """Plain ``postgresql://`` means psycopg2 here (SQLAlchemy 2.1 would pick psycopg 3)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            # WAL lets readers work beside the one writer; several instances share the file.
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a process
            # crash loses no committed transaction; only a power cut may lose the last
            # few (never corrupting the file). Production runs on PostgreSQL.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            # Let SQLAlchemy issue BEGIN so a write transaction takes the lock early.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A write takes the lock at BEGIN (a deferred one could fail with BUSY when
            # it starts writing). A read (execution option read_only) begins deferred:
            # in WAL mode it reads a snapshot without queueing behind other readers or
            # the writer, in this process and in other instances.
            if conn.get_execution_options().get("read_only"):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)


class Database:
    """One engine and session factory per service process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading only (see ``make_engine``: no write lock on SQLite)."""
        with self.engine.connect() as conn:
            conn.execution_options(read_only=True)
            yield conn

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    """A transaction around one use case.

    ``with uow: ...; uow.commit()`` - leaving the block without commit rolls back.
    ``context`` carries the request id (logged with history and event headers);
    ``event_key`` = (event_id, handler) makes this an inbox transaction;
    ``read_only`` (queries) reads without taking SQLite's write lock;
    ``repositories`` = ``{"customers": CustomerRepository}`` puts ``uow.customers``
    on it (``servicekit.repository``);
    ``history_changes(entry)`` gives what a history row stores as its changes (the
    customer service encrypts personal values there, rule C11); default: as recorded.
    """

    def __init__(
        self,
        database: Database,
        context: dict[str, Any] | None = None,
        event_key: tuple[str, str] | None = None,
        on_commit: Callable[[], None] | None = None,
        duplicate: Callable[[tuple[str, str]], Exception] = AlreadyHandled,
        read_only: bool = False,
        check_seen: bool = True,
        repositories: Mapping[str, Callable[[UnitOfWork], Any]] | None = None,
        history_changes: Callable[[HistoryEntry], dict] | None = None,
    ) -> None:
        self.read_only = read_only
        self.history_changes = history_changes
        # Look the key up before the work (a repeat must not redo it); a first delivery
        # may skip that transaction: the inbox row's key still refuses a second commit.
        self.check_seen = check_seen
        self.database = database
        self.duplicate = duplicate  # makes the error raised when event_key was handled before
        self.context = dict(context or {})
        self.event_key = event_key
        self._on_commit = on_commit
        self._extra_events: list[tuple[str, dict]] = []
        self._tracked: list[Aggregate] = []
        self.session: Session | None = None
        self.committed = False
        for name, repository in (repositories or {}).items():
            setattr(self, name, repository(self))

    def __enter__(self) -> UnitOfWork:
        self.session = self.database.session_factory()
        # The session holds clean objects weakly: an aggregate flushed and no longer
        # referenced (a use case working through many, one after the other) would be
        # collected with the events and history it recorded. Held here until the end.
        self._held: list[object] = []
        event.listen(self.session, "loaded_as_persistent", self._hold)
        event.listen(self.session, "transient_to_pending", self._hold)
        if self.read_only:
            self.session.connection(execution_options={"read_only": True})
        self.committed = False
        if self.event_key and self.check_seen and self._seen(self.event_key):
            self.session.close()
            raise self.duplicate(self.event_key)
        return self

    def __exit__(self, *exc: object) -> None:
        # close() rolls back whatever was not committed and detaches the objects
        # without expiring them, so a query's results stay readable afterwards.
        self.session.close()
        self._held = []

    def _hold(self, _session: Session, obj: object) -> None:
        self._held.append(obj)

    def _seen(self, key: tuple[str, str]) -> bool:
        found = self.session.execute(
            select(inbox.c.event_id).where(inbox.c.event_id == key[0], inbox.c.handler == key[1])
        ).first()
        self.session.rollback()
        return found is not None

    def publish(self, event_type: str, payload: dict) -> None:
        """Queue an event that belongs to no aggregate (written at commit, like the rest)."""
        self._extra_events.append((event_type, payload))

    def track(self, *aggregates: Aggregate) -> None:
        """Collect events and history of aggregates that are not in the session."""
        self._tracked.extend(aggregates)

    def _aggregates(self) -> Iterable[Aggregate]:
        seen = set()
        objects = list(self.session.identity_map.values()) + list(self.session.new)
        for obj in objects + self._tracked:
            if isinstance(obj, Aggregate) and id(obj) not in seen:
                seen.add(id(obj))
                yield obj

    def commit(self) -> None:
        session = self.session
        now = utcnow()
        request_id = self.context.get("request_id")
        events: list[tuple[str, dict]] = []
        for aggregate in self._aggregates():
            for entry in aggregate.pull_history():
                session.execute(
                    insert(history).values(
                        entity_type=entry.entity_type,
                        entity_id=entry.entity_id,
                        at=entry.at,
                        actor=entry.actor,
                        action=entry.action,
                        changes=(
                            self.history_changes(entry) if self.history_changes else entry.changes
                        ),
                        request_id=request_id,
                    )
                )
            events.extend((e.event_type, e.payload) for e in aggregate.pull_events())
        events.extend(self._extra_events)
        self._extra_events = []
        headers = {"request_id": request_id} if request_id else {}
        for event_type, payload in events:
            event_id = payload.setdefault("event_id", str(uuid.uuid4()))
            payload.setdefault("occurred_at", now.isoformat())
            session.execute(
                insert(outbox).values(
                    event_id=event_id,
                    event_type=event_type,
                    payload=payload,
                    headers=headers,
                    created_at=now,
                    attempts=0,
                )
            )
        # The handler's own rows go in first: a clash of theirs is a fault to raise, not
        # a duplicate event (the inbox insert below would flush them inside its ``try``).
        session.flush()
        if self.event_key:
            try:
                session.execute(
                    insert(inbox).values(
                        event_id=self.event_key[0], handler=self.event_key[1], processed_at=now
                    )
                )
            except IntegrityError as exc:
                session.rollback()
                raise self.duplicate(self.event_key) from exc
        try:
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            if self.event_key and "inbox" in str(exc.orig).lower():
                raise self.duplicate(self.event_key) from exc
            raise
        self.committed = True
        if events and self._on_commit:
            self._on_commit()

    def rollback(self) -> None:
        self.session.rollback()


def history_of(session: Session, entity_type: str, entity_id: str) -> list[dict]:
    """History rows of one entity, oldest first (rule X3)."""
    rows = session.execute(
        select(history)
        .where(history.c.entity_type == entity_type, history.c.entity_id == entity_id)
        .order_by(history.c.id)
    ).mappings()
    return [
        {"at": r["at"], "who": r["actor"], "action": r["action"], "changes": r["changes"]}
        for r in rows
    ]
