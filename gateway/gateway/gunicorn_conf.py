"""gunicorn settings: ``gunicorn -c python:gateway.gunicorn_conf gateway.wsgi:app``.

Binds 127.0.0.1:$GATEWAY_PORT with $GATEWAY_WORKERS eventlet workers; in prometheus
multiprocess mode a dead worker's samples are marked dead.
"""

from prometheus_client import multiprocess

from gateway import settings

_settings = settings.load()

bind = f"127.0.0.1:{_settings['GATEWAY_PORT']}"
workers = _settings["GATEWAY_WORKERS"]
worker_class = "eventlet"
graceful_timeout = 10


def child_exit(server, worker) -> None:
    if _settings["PROMETHEUS_MULTIPROC_DIR"]:
        multiprocess.mark_process_dead(worker.pid, _settings["PROMETHEUS_MULTIPROC_DIR"])
