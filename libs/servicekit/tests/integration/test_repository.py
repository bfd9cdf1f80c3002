"""The repository base on the unit of work's session, on SQLite and PostgreSQL: load or
404 with the service's error, add, and events of what it loaded collected at commit
(rule X2)."""

import gc

import pytest
from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.orm import registry

from servicekit.db import Database, UnitOfWork
from servicekit.repository import SqlRepository
from servicekit.tables import kit_metadata, outbox
from servicekit.testing import Parcel as PlainParcel
from servicekit.testing import ParcelNotFound


class Parcel(PlainParcel):
    """Mapped in this module only: the unit tests use the plain class."""


class ParcelRepository(SqlRepository[Parcel]):
    model = Parcel
    not_found = ParcelNotFound
    id_key = "parcel_id"


metadata = MetaData()
parcels = Table(
    "parcels",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("label", String(50), nullable=False),
)
registry(metadata=metadata).map_imperatively(Parcel, parcels)


@pytest.fixture
def database(db_url):
    db = Database(db_url)
    metadata.create_all(db.engine)
    kit_metadata.create_all(db.engine)
    yield db
    db.dispose()


def unit_of_work(database: Database) -> UnitOfWork:
    return UnitOfWork(database, repositories={"parcels": ParcelRepository})


def test_added_aggregate_is_got_back_by_id_in_the_next_unit_of_work(database):
    parcel = Parcel("A-1")
    with unit_of_work(database) as uow:
        uow.parcels.add(parcel)
        uow.commit()
    with unit_of_work(database) as uow:
        loaded = uow.parcels.get(parcel.id, for_update=True)
        assert loaded.label == "A-1" and loaded is not parcel
        assert uow.parcels.find(parcel.id).label == "A-1"


def test_missing_aggregate_raises_the_repositorys_not_found_with_the_id(database):
    with unit_of_work(database) as uow:
        assert uow.parcels.find("nope") is None
        with pytest.raises(ParcelNotFound) as raised:
            uow.parcels.get("nope", for_update=True)
    assert raised.value.details == {"parcel_id": "nope"}
    assert raised.value.http_status == 404 and raised.value.code == "parcel_not_found"


def test_events_of_a_loaded_aggregate_reach_the_outbox_at_commit(database):
    parcel = Parcel("A-1")
    with unit_of_work(database) as uow:
        uow.parcels.add(parcel)
        uow.commit()
    with unit_of_work(database) as uow:
        uow.parcels.get(parcel.id, for_update=True).relabel("B-2", "alice")
        uow.commit()
    with database.engine.connect() as conn:
        (event,) = conn.execute(select(outbox)).mappings().all()
        assert conn.execute(select(parcels.c.label)).scalar_one() == "B-2"
    assert event["event_type"] == "parcel_relabelled"
    assert event["payload"]["label"] == "B-2"


def test_add_without_commit_stores_nothing(database):
    parcel = Parcel("A-1")
    with unit_of_work(database) as uow:
        uow.parcels.add(parcel)
    with unit_of_work(database) as uow:
        assert uow.parcels.find(parcel.id) is None


def test_events_of_aggregates_worked_through_one_after_another_all_reach_the_outbox(database):
    labels = [f"A-{n}" for n in range(5)]
    ids = []
    with unit_of_work(database) as uow:
        for label in labels:
            parcel = Parcel(label)
            uow.parcels.add(parcel)
            ids.append(parcel.id)
        uow.commit()
    del parcel
    with unit_of_work(database) as uow:
        for parcel_id in ids:  # each flushed by the next query, then referenced by nobody
            uow.parcels.get(parcel_id, for_update=True).relabel("B", "alice")
        gc.collect()
        uow.commit()
    with database.engine.connect() as conn:
        assert len(conn.execute(select(outbox)).all()) == len(ids)
