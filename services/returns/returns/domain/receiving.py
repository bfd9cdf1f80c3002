"""Receiving and sign-off: rule R2 and rule R6. Scanners post what arrives, over as many
scans as it takes; a resent scan counts nothing twice; the warehouse signs for the actual
quantities, and the posting announces them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from returns.commands import PostReceipt
from returns.domain.shared import AuthorizedLine, Receipt, ReceivedLine, aware
from servicekit.contracts.returns_vocabulary import (
    RECEIVING_STATUSES,
    RETURN_RECEIVED,
    NothingReceived,
    ReturnSignedOff,
    SkuNotAuthorized,
)
from servicekit.errors import Invalid


class Receiving:
    """Mixed into ``ReturnAuthorization``."""

    id: str
    owner: str | None
    status: str
    lines: list[AuthorizedLine]
    receipts: list[Receipt]
    differences: list[dict[str, Any]]
    updated_at: datetime
    received_at: datetime | None
    received_by: str | None
    posted_at: datetime | None

    def line(self, sku: str) -> AuthorizedLine | None:
        return next((line for line in self.lines if line.sku == sku), None)

    def receipt(self, scan_id: str) -> Receipt | None:
        return next((r for r in self.receipts if r.scan_id == scan_id), None)

    def receive(self, scan: PostReceipt, by: str, now: datetime) -> tuple[Receipt, bool]:
        """rule R2: ``(receipt, created)``; a scan_id seen before answers its receipt and
        counts nothing (also after sign-off: a resent scan is harmless)."""
        known = self.receipt(scan.scan_id)
        if known is not None:
            return known, False
        if self.status not in RECEIVING_STATUSES:
            raise ReturnSignedOff(details={"status": self.status})
        if not scan.lines:
            raise Invalid("A receipt needs at least one line.", {"lines": ["required"]})
        unknown = sorted({s.sku for s in scan.lines if self.line(s.sku) is None})
        if unknown:
            raise SkuNotAuthorized(details={"sku": unknown})
        low = sorted({s.sku for s in scan.lines if s.quantity < 1})
        if low:
            raise Invalid(
                "A scanned quantity is at least 1.",
                {"lines": [f"{sku}: quantity must be at least 1" for sku in low]},
            )
        now = aware(now)
        receipt = Receipt(
            return_id=self.id,
            scan_id=scan.scan_id,
            scanner_id=scan.scanner_id,
            lines=tuple(ReceivedLine(s.sku, s.quantity, s.lot) for s in scan.lines),
            received_by=by,
            received_at=now,
        )
        first = not self.receipts  # the first scan starts the receiving
        counted = {}
        for scanned in receipt.lines:
            # rule R2: more than authorized is taken and recorded; finance decides on it.
            line = self.line(scanned.sku)
            line.received_quantity += scanned.quantity
            counted[scanned.sku] = line.received_quantity
        self.receipts = [*self.receipts, receipt]
        changes: dict[str, Any] = {"scan_id": scan.scan_id, "scanner_id": scan.scanner_id}
        changes["lines"] = [line.payload() for line in receipt.lines]
        changes["received_quantity"] = counted
        if first:
            changes["status"] = {"old": self.status, "new": "receiving"}
            self.status = "receiving"
        self.updated_at = now
        self._note(by, "receipt_posted", changes, at=now)
        return receipt, True

    def sign_off(self, by: str, now: datetime, post: bool = True) -> None:
        """rule R2: the warehouse signs for the actual quantities; every line that differs
        from its authorization is recorded against the case's sales clerk (the owner).
        rule R6: posted at once unless the daily batch posts it (``post=False``)."""
        if self.status not in RECEIVING_STATUSES:
            raise ReturnSignedOff(details={"status": self.status})
        if not self.receipts:
            raise NothingReceived(details={"status": self.status})
        now = aware(now)
        self.differences = [
            {
                "sku": line.sku,
                "authorized_quantity": line.authorized_quantity,
                "received_quantity": line.received_quantity,
                "difference": line.received_quantity - line.authorized_quantity,
                "charged_to": self.owner,
            }
            for line in self.lines
            if line.received_quantity != line.authorized_quantity
        ]
        self.received_at = now
        self.received_by = by
        self.updated_at = now
        self._note(
            by,
            "signed_off",
            {
                "status": {"old": self.status, "new": "received"},
                "received_quantity": {line.sku: line.received_quantity for line in self.lines},
                "differences": self.differences,
            },
            at=now,
        )
        self.status = "received"
        if post:
            self.post(by, now)

    def post(self, by: str, now: datetime) -> bool:
        """rule R6: post the signed-off return as a sales return, announcing the actual
        quantities; once (False when it was posted already or is not signed off)."""
        if self.posted_at is not None or self.received_at is None:
            return False
        now = aware(now)
        self.posted_at = now
        self._note(by, "posted", {"posted_at": now.isoformat()}, at=now)
        self._record_event(
            RETURN_RECEIVED,
            {**self.event_head(), "received_at": self.received_at.isoformat()},
        )
        return True
