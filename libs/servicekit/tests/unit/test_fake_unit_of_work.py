"""FakeUnitOfWork behaves as the real unit of work does for handler tests: repositories
that refuse like the service's, events and history collected at commit (rule X2, rule X3),
and a block left without commit changes nothing."""

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table
from sqlalchemy.orm import registry, relationship

from servicekit.repository import Repository
from servicekit.testing import FakeRepository, FakeUnitOfWork, Parcel, ParcelNotFound


class ParcelRepository(Repository[Parcel]):
    not_found = ParcelNotFound
    id_key = "parcel_id"


class FakeParcels(FakeRepository[Parcel]):
    not_found = ParcelNotFound
    id_key = "parcel_id"

    def next_label(self) -> str:
        return f"P-{len(self.items) + 1}"


def stored_parcel(uow: FakeUnitOfWork, label: str = "A-1") -> str:
    with uow:
        parcel = Parcel(label)
        uow.parcels.add(parcel)
        uow.commit()
    return parcel.id


def test_get_raises_the_real_repositorys_not_found_with_the_id():
    uow = FakeUnitOfWork({"parcels": ParcelRepository})
    with uow, pytest.raises(ParcelNotFound) as raised:
        uow.parcels.get("nope", for_update=True)
    assert raised.value.details == {"parcel_id": "nope"}
    assert uow.parcels.find("nope") is None


def test_a_fake_repository_class_keeps_its_own_methods():
    uow = FakeUnitOfWork({"parcels": FakeParcels})
    stored_parcel(uow)
    assert uow.parcels.next_label() == "P-2"


def test_commit_collects_events_and_history_of_stored_aggregates():
    uow = FakeUnitOfWork({"parcels": ParcelRepository})
    parcel_id = stored_parcel(uow)
    with uow:
        uow.parcels.get(parcel_id).relabel("B-2", "alice")
        uow.publish("labels_printed", {"count": 1})
        uow.commit()
    assert uow.committed and uow.commits == 2
    assert uow.event_types() == ["parcel_relabelled", "labels_printed"]
    relabelled = uow.events[0].payload
    assert relabelled["label"] == "B-2" and relabelled["event_id"] and relabelled["occurred_at"]
    (entry,) = uow.history
    assert (entry.entity_id, entry.actor, entry.action) == (parcel_id, "alice", "relabelled")


def test_leaving_without_commit_keeps_nothing_of_the_block():
    uow = FakeUnitOfWork({"parcels": ParcelRepository})
    parcel_id = stored_parcel(uow)
    with pytest.raises(RuntimeError), uow:
        uow.parcels.get(parcel_id).relabel("B-2", "alice")
        uow.parcels.add(Parcel("C-3"))
        uow.publish("labels_printed", {"count": 1})
        raise RuntimeError("refused")
    assert not uow.committed
    with uow:
        assert [p.label for p in uow.parcels.all()] == ["A-1"]
        uow.commit()
    assert uow.events == [] and uow.history == []


def test_commit_outside_the_block_is_a_mistake():
    uow = FakeUnitOfWork({"parcels": ParcelRepository})
    with pytest.raises(RuntimeError):
        uow.commit()


# --- an aggregate SQLAlchemy maps (as a service's are once its mappers started) --------
class Sticker:
    def __init__(self, text: str) -> None:
        self.text = text


class StickeredParcel(Parcel):
    def __init__(self, label: str, *stickers: str) -> None:
        super().__init__(label)
        self.stickers = [Sticker(text) for text in stickers]


_metadata = MetaData()
_parcels = Table(
    "parcels", _metadata, Column("id", String(32), primary_key=True), Column("label", String(50))
)
_stickers = Table(
    "stickers",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("parcel_id", ForeignKey("parcels.id")),
    Column("text", String(50)),
)
_registry = registry(metadata=_metadata)
_registry.map_imperatively(Sticker, _stickers)
_registry.map_imperatively(
    StickeredParcel, _parcels, properties={"stickers": relationship(Sticker)}
)


def test_a_mapped_aggregate_is_held_as_itself_through_every_block():
    # Each block snapshots the repositories; a mapped aggregate's collection cannot be
    # deep-copied twice, so the snapshot keeps it as it is.
    uow = FakeUnitOfWork({"parcels": ParcelRepository})
    parcel = StickeredParcel("A-1", "fragile")
    with uow:
        uow.parcels.add(parcel)
        uow.commit()
    for label in ("B-2", "C-3"):
        with pytest.raises(RuntimeError), uow:
            uow.parcels.add(StickeredParcel(label))
            raise RuntimeError("refused")
    with uow:
        (held,) = uow.parcels.all()  # the parcels added by the refused blocks are gone
        assert held is parcel and [s.text for s in held.stickers] == ["fragile"]
        held.relabel("D-4", "alice")
        uow.commit()
    assert uow.event_types() == ["parcel_relabelled"]
