"""Repositories: one per aggregate, carried by the unit of work (cosmicpython's
``AbstractRepository``), so handlers load and add aggregates and never write SQL.

A service declares its repositories once and hands them to its unit of work::

    class CustomerRepository(SqlRepository[Customer]):
        model = Customer
        not_found = CustomerNotFound
        id_key = "customer_id"

    uow = UnitOfWorkProvider(repositories={"customers": CustomerRepository})

and a handler writes ``uow.customers.get(customer_id, for_update=True)`` (the
service's ``NotFound`` with ``{"customer_id": ...}`` when there is none) or
``uow.customers.add(customer)``. ``servicekit.testing.FakeUnitOfWork`` gives the same
interface in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from servicekit.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from servicekit.db import UnitOfWork

T = TypeVar("T")


class Repository(Generic[T]):
    """What every repository offers, whatever keeps the aggregates.

    ``not_found`` is the error ``get`` raises, with ``{id_key: id}`` as details.
    """

    not_found: ClassVar[type[NotFound]] = NotFound
    id_key: ClassVar[str] = "id"

    def add(self, aggregate: T) -> None:
        raise NotImplementedError

    def find(self, id: str, for_update: bool = False) -> T | None:
        """The aggregate with this id, or None."""
        raise NotImplementedError

    def get(self, id: str, for_update: bool = False) -> T:
        """The aggregate with this id; the repository's ``not_found`` when there is none.

        ``for_update`` locks its row until the unit of work ends (SELECT ... FOR UPDATE),
        so two commands on one aggregate take turns.
        """
        found = self.find(id, for_update=for_update)
        if found is None:
            raise self.not_found(details={self.id_key: id})
        return found


class SqlRepository(Repository[T]):
    """A repository on the unit of work's SQLAlchemy session; ``model`` is the mapped
    domain class (its primary key column is ``id``)."""

    model: ClassVar[type]

    def __init__(self, uow: UnitOfWork) -> None:
        # The session exists only inside ``with uow:``; it is looked up at each call.
        self._uow = uow

    @property
    def session(self) -> Session:
        return self._uow.session

    def add(self, aggregate: T) -> None:
        self.session.add(aggregate)

    def find(self, id: str, for_update: bool = False) -> T | None:
        query = select(self.model).where(self.model.id == id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).first()


def add_once(repository: SqlRepository[T], id: str, make: Callable[[], T]) -> T:
    """The aggregate ``id``, locked; made by ``make()`` and inserted when there is none.
    A twin inserted at the same moment wins: the insert runs in a savepoint, and its
    refusal reads the twin (an insert refused at commit would be taken for a duplicate
    event by the unit of work, and the event's fact lost)."""
    found = repository.find(id, for_update=True)
    if found is not None:
        return found
    made = make()
    try:
        with repository.session.begin_nested():
            repository.session.add(made)
    except IntegrityError:
        return repository.get(id, for_update=True)
    return made


RepositoryClasses = dict[str, type[Repository[Any]]]
