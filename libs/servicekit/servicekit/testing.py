"""Test helpers shared by every service's tests: the fake unit of work (handler tests
without broker or database), databases (empty, or migrated for a service, and counting
rows), waiting; ``Parcel``, the aggregate of servicekit's own tests."""

from __future__ import annotations

import contextlib
import copy
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Table, func, inspect, select

from servicekit.db import Database
from servicekit.domain import Aggregate, DomainEvent, HistoryEntry, new_id, utcnow
from servicekit.errors import NotFound
from servicekit.repository import Repository

T = TypeVar("T")

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def postgres_database(prefix: str = "aftersales_test") -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    import psycopg2

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN_URL)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        yield f"{base}/{name}"
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@contextlib.contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """``sqlite`` (a file under tmp_path) or ``postgresql`` (a new database)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    elif kind == "postgresql":
        with postgres_database() as url:
            yield url
    else:
        raise ValueError(kind)


@contextlib.contextmanager
def migrated_database(
    owner: str, url: str, start_mappers: Callable[[], None] | None = None
) -> Iterator[Database]:
    """``owner``'s schema migrated on ``url`` (``owner``'s mappers started with
    ``start_mappers``), and a ``Database`` on it, disposed afterwards: what a service's
    integration tests of tables and mappings run on (with the root conftest's ``db_url``)."""
    from servicekit.migrations import upgrade  # alembic: only where a database is migrated

    upgrade(owner, url)
    if start_mappers is not None:
        start_mappers()
    database = Database(url)
    try:
        yield database
    finally:
        database.dispose()


def count(database: Database, table: Table, *where: Any) -> int:
    """How many rows of ``table`` match every condition in ``where`` (all rows without)."""
    with database.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()


def wait_for(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check}")
        time.sleep(interval)


class Parcel(Aggregate):
    """A minimal aggregate for servicekit's own tests (repositories, units of work)."""

    entity_type = "parcel"

    def __init__(self, label: str) -> None:
        self.id = new_id()
        self.label = label

    def relabel(self, label: str, actor: str) -> None:
        self.label = label
        self._record_event("parcel_relabelled", {"parcel_id": self.id, "label": label})
        self._note(actor, "relabelled", {"label": label})


class ParcelNotFound(NotFound):
    code = "parcel_not_found"


class FakeRepository(Repository[T]):
    """A repository in memory: the aggregates added, by id.

    ``aggregates`` given here are held as committed before the test: what they recorded
    (events, history) is dropped. A service whose repository has more methods
    (``next_number``) subclasses this with the same methods and the same ``not_found``
    and ``id_key``; ``self.uow`` is the fake unit of work that carries it (its
    ``history`` is what was committed).
    """

    uow: FakeUnitOfWork | None = None

    def __init__(self, aggregates: Iterable[T] = ()) -> None:
        self.items: dict[str, T] = {}
        for aggregate in aggregates:
            if isinstance(aggregate, Aggregate):
                aggregate.pull_events()
                aggregate.pull_history()
            self.add(aggregate)

    @classmethod
    def like(cls, repository: type[Repository]) -> FakeRepository:
        """A fake that refuses as ``repository`` does (its ``not_found`` and ``id_key``)."""
        fake = cls()
        fake.not_found = repository.not_found
        fake.id_key = repository.id_key
        return fake

    def add(self, aggregate: T) -> None:
        self.items[str(aggregate.id)] = aggregate

    def find(self, id: str, for_update: bool = False) -> T | None:
        return self.items.get(id)

    def all(self) -> list[T]:
        return list(self.items.values())


def _fake(repository: type[Repository] | FakeRepository) -> FakeRepository:
    if isinstance(repository, FakeRepository):
        return repository
    if issubclass(repository, FakeRepository):
        return repository()
    return FakeRepository.like(repository)


def _mapped(obj: object) -> bool:
    """Whether SQLAlchemy maps ``obj``'s class (without importing any service's models)."""
    return inspect(type(obj), raiseerr=False) is not None


class FakeUnitOfWork:
    """The unit of work of ``servicekit.db`` in memory, for handler tests.

    ``FakeUnitOfWork({"customers": CustomerRepository})`` takes the same repositories
    as ``UnitOfWorkProvider`` (a real repository class gets a ``FakeRepository`` that
    refuses as it does; a ``FakeRepository`` class or instance is used as it is).
    ``commit()`` collects the events and history the aggregates recorded, as the real
    one writes them to the outbox and history table: ``events`` (``DomainEvent`` with
    ``event_id`` and ``occurred_at`` set), ``history`` (``HistoryEntry``), both over
    every commit, and ``committed``. Leaving ``with uow:`` without commit rolls back:
    the repositories hold again what they held at its start, as copies (a real unit of
    work would load them afresh), so read back through the repository afterwards.
    An aggregate of a class SQLAlchemy maps (a process that also ran a service's
    integration tests has started its mappers) is held as it is, not copied: the ORM's
    collections cannot be deep-copied twice. A rollback then restores which aggregates
    the repositories hold, not the fields of a mapped one (domains check before they
    change anything).
    """

    def __init__(
        self,
        repositories: Mapping[str, type[Repository] | FakeRepository] | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        self.context = dict(context or {})
        self.repositories = {name: _fake(r) for name, r in (repositories or {}).items()}
        for name, repository in self.repositories.items():
            repository.uow = self
            setattr(self, name, repository)
        self.events: list[DomainEvent] = []
        self.history: list[HistoryEntry] = []
        self.committed = False
        self.commits = 0
        self._extra_events: list[tuple[str, dict]] = []
        self._tracked: list[Aggregate] = []
        self._snapshot: dict[str, dict[str, Any]] | None = None

    def __enter__(self) -> FakeUnitOfWork:
        self.committed = False
        self._snapshot = self._copy()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.committed:
            self.rollback()
        self._snapshot = None
        self._extra_events = []
        self._tracked = []

    def _copy(self) -> dict[str, dict[str, Any]]:
        # One deepcopy of all repositories keeps references between aggregates; mapped
        # ones are in the memo already, so they (and what they hold) stay themselves.
        items = {name: dict(r.items) for name, r in self.repositories.items()}
        kept = {id(a): a for held in items.values() for a in held.values() if _mapped(a)}
        return copy.deepcopy(items, kept)

    def publish(self, event_type: str, payload: dict) -> None:
        """Queue an event that belongs to no aggregate (collected at commit)."""
        self._extra_events.append((event_type, payload))

    def track(self, *aggregates: Aggregate) -> None:
        self._tracked.extend(aggregates)

    def _aggregates(self) -> Iterator[Aggregate]:
        seen = set()
        stored = [a for r in self.repositories.values() for a in r.items.values()]
        for obj in stored + self._tracked:
            if isinstance(obj, Aggregate) and id(obj) not in seen:
                seen.add(id(obj))
                yield obj

    def commit(self) -> None:
        if self._snapshot is None:
            raise RuntimeError("commit() outside 'with uow:'")
        now = utcnow()
        events: list[tuple[str, dict]] = []
        for aggregate in self._aggregates():
            self.history.extend(aggregate.pull_history())
            events.extend((e.event_type, e.payload) for e in aggregate.pull_events())
        events.extend(self._extra_events)
        self._extra_events = []
        for event_type, payload in events:
            payload.setdefault("event_id", str(uuid.uuid4()))
            payload.setdefault("occurred_at", now.isoformat())
            self.events.append(DomainEvent(event_type, payload))
        self._snapshot = self._copy()
        self.committed = True
        self.commits += 1

    def rollback(self) -> None:
        if self._snapshot is not None:
            for name, items in self._snapshot.items():
                self.repositories[name].items = items
            self._snapshot = self._copy()
        self._extra_events = []

    def event_types(self) -> list[str]:
        """The types of the events committed so far, in order."""
        return [e.event_type for e in self.events]
