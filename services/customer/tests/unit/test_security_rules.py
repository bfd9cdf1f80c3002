"""rule C11 without broker or database: who reads personal data in clear, how it is
masked for everyone else, how phone and tax numbers are normalised for their lookup
hashes, how reads are recorded, and how the history's personal values are sealed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from customer import security_handlers
from customer.domain.security import (
    CLEAR_ROLES,
    CardRead,
    card_for,
    lookup_values,
    mask_email,
    mask_text,
    masked_changes,
    normal_number,
    normal_phone,
    reads_of,
    sees_personal_data,
)
from customer.repository import REPOSITORIES
from customer.security_keys import (
    KEYS,
    digest,
    digests,
    is_sealed,
    open_changes,
    protect_history,
    rotate_changes,
    seal_changes,
)
from customer.security_testing import FakeCardReadRepository
from servicekit.contracts.common import ROLES
from servicekit.crypto import BlindIndex, KeyRing, Keys, new_data_key, new_index_key
from servicekit.domain import Actor, HistoryEntry
from servicekit.testing import FakeUnitOfWork

CARD = {
    "id": "c-1",
    "name": "华东机电有限公司",
    "address": "上海市浦东新区张江路 88 号",
    "contacts": [
        {
            "name": "王经理",
            "position": "采购经理",
            "phone": "13800000000",
            "email": "wang@example.cn",
            "role_in_decision": "decision_maker",
        },
        {"name": "李会计", "position": None, "phone": None, "email": None},
    ],
    "license_no": "91310000MA1FL0000X",
    "tax_no": "91310000MA1FL0000X",
    "owner": "li.sales",
}
# CONTRACT "Who may do what": personal data in clear for these roles only.
IN_CLEAR = {"admin", "sales_clerk", "sales_manager", "market_manager", "cs_agent"}
IN_CLEAR |= {"cs_manager", "finance"}


# --- who reads in clear ---------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_personal_data_as_the_contract_says(role):  # rule C11
    actor = Actor(f"u-{role}", (role,))
    card = card_for(CARD, actor)
    if role in IN_CLEAR:
        assert sees_personal_data(actor)
        assert card == CARD
    else:
        assert not sees_personal_data(actor)
        assert card["contacts"][0]["phone"] == "138****0000"
        assert card["contacts"][0]["email"] == "w****@example.cn"
        assert card["license_no"] == card["tax_no"] == "913****000X"
        # what is not personal data stays as it is
        assert card["contacts"][0]["name"] == "王经理"
        assert (card["name"], card["address"], card["owner"]) == (
            CARD["name"],
            CARD["address"],
            CARD["owner"],
        )
        assert card["contacts"][1] == CARD["contacts"][1]
    assert CARD["contacts"][0]["phone"] == "13800000000"  # the card given is untouched


def test_the_clear_roles_are_the_contracts():
    assert set(CLEAR_ROLES) == IN_CLEAR


def test_an_api_key_reads_masked_whatever_its_roles():  # rule C11
    key = Actor("api_key:erp-sync", ("sales_manager", "admin"))
    assert not sees_personal_data(key)
    assert card_for(CARD, key)["contacts"][0]["phone"] == "138****0000"


def test_a_service_asking_without_an_actor_reads_masked():  # rule C11
    assert not sees_personal_data(None)
    assert card_for(CARD, None)["tax_no"] == "913****000X"


def test_a_user_with_one_clear_role_among_others_reads_in_clear():
    assert sees_personal_data(Actor("w", ("warehouse", "cs_agent")))


@pytest.mark.parametrize(
    "value, masked",
    [
        ("13800000000", "138****0000"),
        ("+86 138 0000 0000", "+86****0000"),
        ("91310000MA1FL0000X", "913****000X"),
        ("12345678", "12****78"),
        ("12345", "1****5"),
        ("1234", "****"),
        ("", "****"),
        (None, None),
    ],
)
def test_mask_text(value, masked):
    assert mask_text(value) == masked


@pytest.mark.parametrize(
    "value, masked",
    [
        ("wang@example.cn", "w****@example.cn"),
        ("a@b.cn", "a****@b.cn"),
        ("not-an-email", "not****mail"),
        (None, None),
    ],
)
def test_mask_email(value, masked):
    assert mask_email(value) == masked


def test_history_changes_are_masked_old_and_new():  # rule C11
    changes = {
        "tax_no": {"old": "91310000MA1FL0000X", "new": "91310000MA1FL1111Y"},
        "contacts": {"old": [], "new": [{"name": "王", "phone": "13911112222", "email": None}]},
        "address": {"old": "上海", "new": "苏州"},
    }
    masked = masked_changes(changes)
    assert masked["tax_no"] == {"old": "913****000X", "new": "913****111Y"}
    assert masked["contacts"]["new"][0]["phone"] == "139****2222"
    assert masked["address"] == changes["address"]
    assert masked_changes({"view": "card", "masked": True}) == {"view": "card", "masked": True}


# --- normalisation for the lookup hashes ------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    ["13800000000", "138-0000-0000", "138 0000 0000", "+86 13800000000", "0086 138 0000 0000",
     "(+86)138.0000.0000", "１３８００００００００"],
)  # fmt: skip
def test_one_phone_however_typed(typed):  # rule C11
    assert normal_phone(typed) == "13800000000"


def test_a_landline_keeps_its_area_code_and_no_digit_is_nothing():
    assert normal_phone("021-5888 0000") == "02158880000"
    assert normal_phone("86-21-5888-0000") == "862158880000"  # not a mobile: kept whole
    assert normal_phone("—") is None and normal_phone(None) is None


@pytest.mark.parametrize(
    "typed", ["91310000MA1FL0000X", "91310000ma1fl0000x", " 9131 0000 MA1F-L000.0X ",
              "９１３１００００ＭＡ１ＦＬ００００Ｘ"],
)  # fmt: skip
def test_one_tax_number_however_typed(typed):  # rule C11
    assert normal_number(typed) == "91310000MA1FL0000X"


def test_a_card_is_found_by_each_phone_its_licence_and_its_tax_number():
    found = lookup_values(CARD["contacts"], "LIC-001", "91310000ma1fl0000x")
    assert found == {
        ("phone", "13800000000"),
        ("license_no", "LIC001"),
        ("tax_no", "91310000MA1FL0000X"),
    }
    assert lookup_values([], None, "  ") == set()


def test_lookup_hashes_are_keyed_and_equal_for_one_value_however_typed(keys):
    assert digest("phone", "+86 138-0000-0000") == digest("phone", "13800000000")
    assert digest("phone", "13800000000") != digest("tax_no", "13800000000")
    assert digest("phone", " - ") is None
    hashed = digests(CARD["contacts"], None, CARD["tax_no"])
    assert ("phone", digest("phone", "13800000000")) in hashed
    assert all("13800000000" not in d for _kind, d in hashed)
    before = digest("phone", "13800000000")
    KEYS.use(Keys(keys.data, BlindIndex(new_index_key()), "test"))
    assert digest("phone", "13800000000") != before  # without the key, no guessing


# --- the history's personal values ------------------------------------------------------
def test_the_history_seals_personal_values_only(keys):  # rule C11
    changes = {
        "tax_no": {"old": None, "new": "91310000MA1FL0000X"},
        "contacts": {"old": [], "new": CARD["contacts"]},
        "address": {"old": "上海", "new": "苏州"},
    }
    entry = HistoryEntry("customer", "c-1", "li.na", "updated", changes)
    stored = protect_history(entry)
    assert is_sealed(stored["tax_no"]) and is_sealed(stored["contacts"])
    assert stored["address"] == changes["address"]
    text = str(stored)
    assert "91310000MA1FL0000X" not in text and "13800000000" not in text
    assert "wang@example.cn" not in text
    assert open_changes(stored) == changes
    assert entry.changes["tax_no"]["new"] == "91310000MA1FL0000X"  # the entry untouched
    other = HistoryEntry("change_request", "cr-1", "li.na", "requested", {"tax_no": "x"})
    assert protect_history(other) == {"tax_no": "x"}
    assert seal_changes(stored) == stored  # sealing twice changes nothing


def test_sealed_history_values_rotate_to_the_newest_key(keys):
    sealed = seal_changes({"tax_no": {"old": None, "new": "TAX-9"}, "name": "n"})
    newer = KeyRing([new_data_key(), *keys.data.keys])
    rotated = rotate_changes(sealed, newer)
    assert rotated["tax_no"] != sealed["tax_no"] and rotated["name"] == "n"
    assert open_changes(rotated, KeyRing(newer.keys[:1])) == {
        "tax_no": {"old": None, "new": "TAX-9"},
        "name": "n",
    }


# --- reads --------------------------------------------------------------------------
def test_reads_name_who_read_which_card_how_and_whether_masked():  # rule C11
    at = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    reads = reads_of(["c-1", "c-2", "c-1"], Actor("wh.zhang", ("warehouse",)), "list", at)
    assert reads == [
        CardRead("c-1", at, "wh.zhang", ("warehouse",), "list", True),
        CardRead("c-2", at, "wh.zhang", ("warehouse",), "list", True),
    ]
    (read,) = reads_of(["c-1"], Actor("li.na", ("sales_clerk",)), "card", at)
    assert not read.masked
    assert read.entry() == {
        "at": at,
        "who": "li.na",
        "action": "read",
        "changes": {"view": "card", "masked": False, "roles": ["sales_clerk"]},
    }
    (by_service,) = reads_of(["c-1"], None, "card", at)
    assert (by_service.actor, by_service.masked) == ("service", True)
    with pytest.raises(ValueError):
        reads_of(["c-1"], None, "export")


def test_reads_are_recorded_in_one_commit_and_nothing_is_recorded_for_none():
    uow = FakeUnitOfWork({**REPOSITORIES, "card_reads": FakeCardReadRepository})
    reads = reads_of(["c-1", "c-2"], Actor("vp1", ("vp",)), "list")
    security_handlers.record_reads(uow, reads)
    assert uow.commits == 1
    assert uow.card_reads.of("c-2") == [reads[1]]
    security_handlers.record_reads(uow, [])
    assert uow.commits == 1
