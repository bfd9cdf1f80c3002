from dataclasses import dataclass
from decimal import Decimal

import pytest

from servicekit.config import ServiceConfig, database_url, settings_from


def test_database_url_defaults_to_sqlite_in_the_data_dir(tmp_path):
    url = database_url("complaints", {"AFTERSALES_DATA_DIR": str(tmp_path)})
    assert url == f"sqlite:///{tmp_path.resolve() / 'complaints.db'}"


def test_service_database_url_wins():
    env = {"COMPLAINTS_DATABASE_URL": "postgresql://db/complaints"}
    assert ServiceConfig.from_env("complaints", env).database_url == "postgresql://db/complaints"
    assert database_url("customer", env).startswith("sqlite:///")


@dataclass(frozen=True)
class Limits:
    vp_limit: Decimal = Decimal("100000.00")
    hours: int = 24


def test_rule_settings_come_from_config_then_environment():
    settings = settings_from(
        Limits, "COMPLAINTS", {"COMPLAINTS_HOURS": 0}, {"COMPLAINTS_VP_LIMIT": "200000.00"}
    )
    assert settings == Limits(vp_limit=Decimal("200000.00"), hours=0)
    assert settings_from(Limits, "COMPLAINTS", {}) == Limits()


@dataclass(frozen=True)
class Switches:
    post_at_once: bool = True


def test_a_yes_no_setting_reads_the_word_not_its_truthiness():
    # bool("false") is True: RETURNS_POST_AT_ONCE=false must switch the rule R6 batch on.
    for word, expected in [("false", False), ("0", False), ("No", False), ("off", False)]:
        assert settings_from(Switches, "RETURNS", {"RETURNS_POST_AT_ONCE": word}) == Switches(
            expected
        )
    for word in ("true", "1", "YES", "on", True):
        assert settings_from(Switches, "RETURNS", {"RETURNS_POST_AT_ONCE": word}).post_at_once


def test_a_yes_no_setting_refuses_other_words():
    with pytest.raises(ValueError, match="RETURNS_POST_AT_ONCE"):
        settings_from(Switches, "RETURNS", {"RETURNS_POST_AT_ONCE": "maybe"})
