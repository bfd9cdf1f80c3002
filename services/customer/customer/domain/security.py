"""Information security of the customer card (rule C11): which fields are personal
data, who reads them in clear, how they are masked for everyone else, and how a phone or
tax number is normalised before its keyed lookup hash is taken. Standard library only:
the encryption itself is the mapping layer's (``customer.security_keys``), so the card's
rules never see ciphertext.

CONTRACT "Who may do what": contacts' phone and email, licence and tax numbers are in
clear for admin, sales_clerk, sales_manager, market_manager, cs_agent, cs_manager and
finance, and masked for every other role and for API keys (``"138****0000"``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from servicekit.domain import Actor, utcnow

# rule C11: card fields that hold personal data; encrypted at rest, and so are their old
# and new values in the card's history.
PERSONAL_FIELDS = ("contacts", "license_no", "tax_no")
# rule C11: the personal data inside a contact.
CONTACT_PERSONAL_KEYS = ("phone", "email")
# rule C11: the roles that read personal data in clear (CONTRACT "Who may do what").
CLEAR_ROLES = (
    "admin",
    "sales_clerk",
    "sales_manager",
    "market_manager",
    "cs_agent",
    "cs_manager",
    "finance",
)
# How the gateway names an API key as actor (gateway.auth.api_keys.actor_name); usernames
# never contain ':'. rule C11: an API key reads masked data whatever its roles.
API_KEY_PREFIX = "api_key:"
# Who a read is recorded as when a service asks without an actor (complaints' lookups).
SERVICE_READER = "service"

# rule C11: the kinds of keyed lookup a card has (GET /customers?phone=&tax_no=; q also
# finds a licence or tax number as a whole).
LOOKUP_KINDS = ("phone", "tax_no", "license_no")

# rule C11: how a read of a card is recorded in its audit trail.
READ_ACTION = "read"
READ_VIEWS = ("card", "list", "audit")

MASK = "****"


def sees_personal_data(actor: Actor | None) -> bool:
    """rule C11: whether ``actor`` reads personal data in clear. A service that asks
    without an actor, and any API key, does not."""
    if actor is None or actor.username.startswith(API_KEY_PREFIX):
        return False
    return any(role in CLEAR_ROLES for role in actor.roles)


def reader_name(actor: Actor | None) -> str:
    return actor.username if actor is not None else SERVICE_READER


@dataclass(frozen=True)
class CardRead:
    """rule C11: one read of a card, for its audit trail."""

    customer_id: str
    at: datetime
    actor: str
    roles: tuple[str, ...]
    view: str  # READ_VIEWS
    masked: bool

    def entry(self) -> dict[str, Any]:
        """As an audit entry (who, when, what), beside the history's changes."""
        return {
            "at": self.at,
            "who": self.actor,
            "action": READ_ACTION,
            "changes": {"view": self.view, "masked": self.masked, "roles": list(self.roles)},
        }


def reads_of(
    customer_ids: Sequence[str], actor: Actor | None, view: str, now: datetime | None = None
) -> list[CardRead]:
    """rule C11: the reads to record when ``actor`` reads these cards through ``view``."""
    if view not in READ_VIEWS:
        raise ValueError(f"unknown view {view!r}")
    now = now or utcnow()
    roles = tuple(actor.roles) if actor is not None else ()
    masked = not sees_personal_data(actor)
    return [
        CardRead(customer_id, now, reader_name(actor), roles, view, masked)
        for customer_id in dict.fromkeys(customer_ids)
    ]


# --- masking ----------------------------------------------------------------------------
def mask_text(value: str | None, head: int = 3, tail: int = 4) -> str | None:
    """``13800000000`` -> ``138****0000``; a value too short to keep both ends keeps at
    most a quarter of itself at each end, and one of four characters or fewer none."""
    if value is None:
        return None
    text = str(value)
    if len(text) <= 4:
        return MASK
    if len(text) <= head + tail + 2:
        keep = max(1, len(text) // 4)
        head, tail = keep, keep
    return f"{text[:head]}{MASK}{text[-tail:]}"


def mask_email(value: str | None) -> str | None:
    """``wang@example.cn`` -> ``w****@example.cn`` (the domain says only the company)."""
    if value is None:
        return None
    local, at, domain = str(value).rpartition("@")
    if not at:
        return mask_text(value)
    return f"{local[:1]}{MASK}@{domain}"


def mask_contact(contact: Mapping[str, Any]) -> dict[str, Any]:
    masked = dict(contact)
    if masked.get("phone") is not None:
        masked["phone"] = mask_text(masked["phone"])
    if masked.get("email") is not None:
        masked["email"] = mask_email(masked["email"])
    return masked


def mask_contacts(contacts: Any) -> Any:
    if not isinstance(contacts, list):
        return contacts
    return [mask_contact(c) if isinstance(c, Mapping) else c for c in contacts]


def mask_field(field: str, value: Any) -> Any:
    """One personal field's value masked (anything else unchanged)."""
    if field == "contacts":
        return mask_contacts(value)
    if field in ("license_no", "tax_no"):
        return mask_text(value)
    return value


def masked_card(card: Mapping[str, Any]) -> dict[str, Any]:
    """rule C11: a card (as the contract writes it) with its personal data masked."""
    return {field: mask_field(field, value) for field, value in card.items()}


def masked_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """rule C11: a history entry's changes with the old and new values of personal
    fields masked."""
    masked = {}
    for field, change in changes.items():
        if field in PERSONAL_FIELDS and isinstance(change, Mapping):
            masked[field] = {k: mask_field(field, v) for k, v in change.items()}
        else:
            masked[field] = mask_field(field, change)
    return masked


def card_for(card: Mapping[str, Any], actor: Actor | None) -> dict[str, Any]:
    """rule C11: the card as ``actor`` may read it."""
    return dict(card) if sees_personal_data(actor) else masked_card(card)


# --- normalisation for the keyed lookups ------------------------------------------------
_NOT_DIGIT = re.compile(r"\D")
_SEPARATORS = re.compile(r"[\s\-_./]")


def normal_phone(value: str | None) -> str | None:
    """Digits only, a Chinese country code dropped: ``+86 138-0000-0000``, ``0086
    13800000000`` and ``13800000000`` are one number; None when no digit is left."""
    if value is None:
        return None
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", str(value)))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            digits = digits[len(prefix) :]
            break
    return digits or None


def normal_number(value: str | None) -> str | None:
    """A licence or tax number as one: full-width folded, upper case, no spaces,
    hyphens, dots or slashes; None when empty."""
    if value is None:
        return None
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value))).upper()
    return text or None


NORMALISERS = {"phone": normal_phone, "tax_no": normal_number, "license_no": normal_number}


def normalised(kind: str, value: str | None) -> str | None:
    return NORMALISERS[kind](value)


def lookup_values(
    contacts: Iterable[Mapping[str, Any]] | None, license_no: str | None, tax_no: str | None
) -> set[tuple[str, str]]:
    """rule C11: the (kind, normalised value) pairs a card is found by: every contact's
    phone, its licence and its tax number."""
    found = set()
    for contact in contacts or ():
        phone = normal_phone(contact.get("phone")) if isinstance(contact, Mapping) else None
        if phone:
            found.add(("phone", phone))
    for kind, value in (("license_no", license_no), ("tax_no", tax_no)):
        number = normal_number(value)
        if number:
            found.add((kind, number))
    return found


# --- retention of the read audit -------------------------------------------------------
def read_audit_cutoff(now: datetime, keep_days: int, utc_offset_hours: int) -> datetime | None:
    """rule C11: reads of cards before this instant are pruned: the start of the
    business day ``keep_days`` days before today's, so a read is kept at least
    ``keep_days`` whole days and a day's reads go together. None (keep every read) when
    ``keep_days`` is 0 (or less). Only the reads: the changes (the history) are kept."""
    if keep_days <= 0:
        return None
    business = timezone(timedelta(hours=utc_offset_hours))
    today = now.astimezone(business).date()
    first_kept = today - timedelta(days=keep_days)
    starts = datetime(first_kept.year, first_kept.month, first_kept.day, tzinfo=business)
    return starts.astimezone(UTC)
