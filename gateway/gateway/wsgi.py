"""WSGI entry for gunicorn: ``gunicorn -c python:gateway.gunicorn_conf gateway.wsgi:app``
(gthread workers: plain threads over the pooled, thread-safe RPC client; the gateway
needs no green threads, only the nameko services do).
"""

from gateway import settings
from gateway.app import create_app
from servicekit import logging as json_logging

json_logging.configure("gateway", settings.load()["LOG_LEVEL"])

app = create_app()
