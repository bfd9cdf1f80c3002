"""The env.py alembic runs for every service and the gateway (``servicekit.migrations``
points ``script_location`` here, so the one ``script.py.mako`` beside it makes every
revision): it runs the env.py of the package being migrated, which names its tables."""

import runpy

from alembic import context

runpy.run_path(context.config.attributes["package_env"], run_name="env")
