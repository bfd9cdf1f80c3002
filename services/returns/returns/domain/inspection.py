"""Quality check and scrap: rule R3 and rule R4. Quality splits what was received into
good, rework and scrap, witnessed by the sales clerk (seed 002's joint check); good goes
back to stock and scrap leaves it at once, recorded with product, spec and quantity."""

from __future__ import annotations

from datetime import datetime

from returns.commands import RecordInspection
from returns.domain.shared import AuthorizedLine, ScrapRecord, StockMovement, aware, required_text
from servicekit.contracts.returns_vocabulary import (
    RETURN_INSPECTED,
    InspectionMismatch,
    ReturnNotReceived,
    SkuNotAuthorized,
)
from servicekit.errors import Invalid


class Inspection:
    """Mixed into ``ReturnAuthorization``."""

    id: str
    status: str
    lines: list[AuthorizedLine]
    movements: list[StockMovement]
    scrapped: list[ScrapRecord]
    updated_at: datetime
    inspected_at: datetime | None
    inspected_by: str | None
    witness: str | None

    def inspect(self, inspection: RecordInspection, by: str, now: datetime) -> None:
        if self.received_at is None or self.inspected_at is not None:  # rule R2 first, once
            raise ReturnNotReceived(details={"status": self.status})
        witness = required_text("witness", inspection.witness)
        given = {}
        for split in inspection.lines:
            if self.line(split.sku) is None:
                raise SkuNotAuthorized(details={"sku": [split.sku]})
            if split.sku in given:
                raise InspectionMismatch(
                    "Each sku is inspected once.", {"lines": [f"{split.sku}: named twice"]}
                )
            if min(split.good, split.rework, split.scrap) < 0:
                raise Invalid(
                    "Good, rework and scrap are not negative.",
                    {"lines": [f"{split.sku}: a negative quantity"]},
                )
            given[split.sku] = split
        # rule R3: every received unit is accounted for, no more and no less.
        wrong = [
            f"{line.sku}: {_total(given.get(line.sku))} inspected, {line.received_quantity}"
            " received"
            for line in self.lines
            if _total(given.get(line.sku)) != line.received_quantity
        ]
        if wrong:
            raise InspectionMismatch(details={"lines": wrong})
        now = aware(now)
        movements, scrapped = [], []
        for line in self.lines:
            split = given.get(line.sku)
            line.good = split.good if split else 0
            line.rework = split.rework if split else 0
            line.scrap = split.scrap if split else 0
            if line.good:  # rule R3: good units go back to stock
                movements.append(
                    StockMovement(self.id, line.sku, "returned_to_stock", line.good, now, by)
                )
            if line.scrap:  # rule R4: scrap leaves stock at once, and is recorded
                movements.append(StockMovement(self.id, line.sku, "scrapped", -line.scrap, now, by))
                scrapped.append(
                    ScrapRecord(self.id, line.sku, line.description, line.scrap, now, by)
                )
        self.movements = [*self.movements, *movements]
        self.scrapped = [*self.scrapped, *scrapped]
        self.inspected_at = now
        self.inspected_by = by
        self.witness = witness
        self.updated_at = now
        self._note(
            by,
            "inspected",
            {
                "status": {"old": self.status, "new": "inspected"},
                "witness": witness,
                "lines": {
                    line.sku: {"good": line.good, "rework": line.rework, "scrap": line.scrap}
                    for line in self.lines
                },
            },
            at=now,
        )
        self.status = "inspected"
        self._record_event(
            RETURN_INSPECTED,
            {
                **self.event_head(),
                "inspected_at": now.isoformat(),
                "inspected_by": by,
                "witness": witness,
            },
        )


def _total(split) -> int:
    return split.good + split.rework + split.scrap if split else 0
