"""WSGI entry for gunicorn: ``gunicorn -k eventlet -w 2 -b 127.0.0.1:8000 gateway.wsgi:app``
(or ``gunicorn -c python:gateway.gunicorn_conf gateway.wsgi:app``).

gunicorn's eventlet worker has patched the standard library before it imports this
module; imported any other way, patch here, before anything opens a socket.
"""

import eventlet
import eventlet.patcher

if not eventlet.patcher.is_monkey_patched("socket"):
    eventlet.monkey_patch()

from gateway import settings  # noqa: E402
from gateway.app import create_app  # noqa: E402
from servicekit import logging as json_logging  # noqa: E402

json_logging.configure("gateway", settings.load()["LOG_LEVEL"])

app = create_app()
