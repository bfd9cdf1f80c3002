"""The unit of work's history hook (rule C11: a service stores some history values
encrypted): a history row stores what the hook gives, the recorded entry is untouched."""

import uuid

from sqlalchemy import select

from servicekit.db import Database, UnitOfWork, history_of
from servicekit.domain import Aggregate
from servicekit.tables import history, kit_metadata


class Card(Aggregate):
    entity_type = "card"

    def __init__(self):
        self.id = uuid.uuid4().hex

    def renumber(self, actor, old, new):
        self._note(actor, "updated", {"tax_no": {"old": old, "new": new}, "name": "x"})


def test_history_rows_store_what_the_hook_gives(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'kit.db'}")
    kit_metadata.create_all(database.engine)
    seen = []

    def hide(entry):
        seen.append(entry)
        return {**entry.changes, "tax_no": "hidden"}

    card = Card()
    with UnitOfWork(database, history_changes=hide) as uow:
        card.renumber("alice", "A-1", "B-2")
        uow.track(card)
        uow.commit()
    with UnitOfWork(database) as uow:
        (entry,) = history_of(uow.session, "card", card.id)
    assert entry["changes"] == {"tax_no": "hidden", "name": "x"}
    assert seen[0].changes["tax_no"] == {"old": "A-1", "new": "B-2"}

    with UnitOfWork(database) as uow:  # without a hook: as recorded
        card.renumber("alice", "B-2", "C-3")
        uow.track(card)
        uow.commit()
    with database.engine.connect() as conn:
        stored = conn.execute(select(history.c.changes).order_by(history.c.id)).scalars().all()
    assert stored[-1]["tax_no"] == {"old": "B-2", "new": "C-3"}
