"""The customer service's keys and what it encrypts with them (rule C11), below the domain:
the card's personal columns (``customer.models``), the old and new values of those fields
in the history the unit of work writes, and the keyed lookup hashes.

Keys: ``CUSTOMER_DATA_KEYS`` (Fernet keys, comma-separated, newest first) and
``CUSTOMER_INDEX_KEY`` (the lookup hashes' HMAC key), else ``customer-data-keys`` and
``customer-index-key`` generated once under ``$AFTERSALES_DATA_DIR``
(``servicekit.crypto.load_keys``). ``python -m customer.rotate_keys`` re-encrypts with
the newest key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from customer.domain.security import PERSONAL_FIELDS, lookup_values, normalised
from servicekit.crypto import BlindIndex, Encrypted, EncryptedJSON, KeyRing, KeySource
from servicekit.domain import HistoryEntry

OWNER = "customer"
KEYS = KeySource(OWNER)

# How an encrypted value sits in a history entry's changes: {"tax_no": {"encrypted": ...}}
ENCRYPTED = "encrypted"


def encrypted_text() -> Encrypted:
    return Encrypted(KEYS.data)


def encrypted_json() -> EncryptedJSON:
    return EncryptedJSON(KEYS.data)


# --- history (rule C11: the old and new values of personal fields) -----------------------
def seal_changes(changes: Mapping[str, Any], ring: KeyRing | None = None) -> dict[str, Any]:
    """A history entry's changes with each personal field's value (its ``{"old",
    "new"}``) replaced by one encrypted token."""
    ring = ring or KEYS.data()
    sealed = dict(changes)
    for field in PERSONAL_FIELDS:
        if field in sealed and not is_sealed(sealed[field]):
            text = json.dumps(sealed[field], ensure_ascii=False, separators=(",", ":"))
            sealed[field] = {ENCRYPTED: ring.encrypt(text)}
    return sealed


def open_changes(changes: Mapping[str, Any], ring: KeyRing | None = None) -> dict[str, Any]:
    """The clear changes of a history entry written by ``seal_changes``."""
    ring = ring or KEYS.data()
    opened = dict(changes)
    for field, value in changes.items():
        if is_sealed(value):
            opened[field] = json.loads(ring.decrypt(value[ENCRYPTED]))
    return opened


def rotate_changes(changes: Mapping[str, Any], ring: KeyRing) -> dict[str, Any]:
    """The changes with every sealed value re-encrypted with the ring's newest key (and
    any personal value still in clear sealed)."""
    rotated = dict(changes)
    for field, value in changes.items():
        if is_sealed(value):
            rotated[field] = {ENCRYPTED: ring.rotate(value[ENCRYPTED])}
    return seal_changes(rotated, ring)


def is_sealed(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {ENCRYPTED}


def protect_history(entry: HistoryEntry) -> dict[str, Any]:
    """The unit of work's hook: what a customer's history row stores as its changes."""
    if entry.entity_type != "customer":
        return entry.changes
    return seal_changes(entry.changes)


# --- command answers (servicekit.commands keeps them for a repeated request) -----------
class SealedResults:
    """rule C11: a command's answer is a card with its personal data; the inbox keeps
    it for a repeated request encrypted (``CustomerService.command_results``)."""

    def seal(self, result: Any) -> dict[str, str]:
        text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        return {ENCRYPTED: KEYS.data().encrypt(text)}

    def open(self, stored: Any) -> Any:
        if not is_sealed(stored):
            return stored  # kept before its service sealed answers
        return json.loads(KEYS.data().decrypt(stored[ENCRYPTED]))


# --- keyed lookups -----------------------------------------------------------------------
def digest(kind: str, value: str | None, index: BlindIndex | None = None) -> str | None:
    """The lookup hash of a phone, licence or tax number as typed (normalised first)."""
    value = normalised(kind, value)
    return (index or KEYS.index()).digest(kind, value) if value else None


def digests(
    contacts: Iterable[Mapping[str, Any]] | None,
    license_no: str | None,
    tax_no: str | None,
    index: BlindIndex | None = None,
) -> set[tuple[str, str]]:
    """(kind, hash) of every value a card is found by."""
    index = index or KEYS.index()
    return {
        (kind, index.digest(kind, value))
        for kind, value in lookup_values(contacts, license_no, tax_no)
    }
