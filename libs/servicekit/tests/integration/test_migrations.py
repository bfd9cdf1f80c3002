"""Every service's (and the gateway's) migrations build exactly the schema its models
describe, go down and up again, on SQLite and PostgreSQL."""

import pytest
from alembic import command

from servicekit.migrations import alembic_config, upgrade

OWNERS = ["customer", "complaints", "returns", "finance", "gateway"]


@pytest.mark.parametrize("owner", OWNERS)
def test_migrations_match_the_models_and_go_both_ways(owner, db_url):
    upgrade(owner, db_url)
    config = alembic_config(owner, db_url)
    command.check(config)  # raises when the models and the migrations disagree
    command.downgrade(config, "base")
    upgrade(owner, db_url)
    command.check(config)
