"""Root conftest: eventlet must patch the standard library before anything else
imports it (nameko's pytest plugin no longer does this)."""

import eventlet

eventlet.monkey_patch()
