"""Root conftest: eventlet must patch the standard library before anything else
imports it (nameko's pytest plugin no longer does this)."""

import warnings

with warnings.catch_warnings():
    # eventlet is in bug-fix mode and says so on import; nameko 2 needs it.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

eventlet.monkey_patch()

import pytest  # noqa: E402

# Import the real gateway package before pytest's importlib mode names gateway/tests/*
# "gateway.tests.*": it would otherwise put an empty "gateway" module in its place.
import gateway  # noqa: E402, F401
from servicekit.testing import database_url  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each database test runs on SQLite and on PostgreSQL (127.0.0.1:5432)."""
    with database_url(request.param, tmp_path) as url:
        yield url
