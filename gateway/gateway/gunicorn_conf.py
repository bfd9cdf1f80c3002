"""gunicorn settings: ``gunicorn -c python:gateway.gunicorn_conf gateway.wsgi:app``.

Binds 127.0.0.1:$GATEWAY_PORT with $GATEWAY_WORKERS gthread workers of
$GATEWAY_THREADS threads each; in prometheus multiprocess mode a dead worker's samples
are marked dead.
"""

from prometheus_client import multiprocess

from gateway import settings

_settings = settings.load()

bind = f"127.0.0.1:{_settings['GATEWAY_PORT']}"
workers = _settings["GATEWAY_WORKERS"]
worker_class = "gthread"
threads = _settings["GATEWAY_THREADS"]
graceful_timeout = 10
# gunicorn closes an idle keep-alive connection after 2 s by default: a client reusing a
# pooled connection at that moment gets "Remote end closed connection" for a request
# that was never read. Longer than a proxy's or client pool's idle timeout, the client
# side always closes first.
keepalive = _settings["GATEWAY_KEEPALIVE_SECONDS"]
# gunicorn's largest request line (default 4094): long filter queries still reach the
# app; longer lines get gunicorn's own 400 before any application code.
limit_request_line = 8190


def child_exit(server, worker) -> None:
    if _settings["PROMETHEUS_MULTIPROC_DIR"]:
        multiprocess.mark_process_dead(worker.pid, _settings["PROMETHEUS_MULTIPROC_DIR"])


# gunicorn's own lines (start, workers, shutdown) as JSON like every other log line;
# requests are logged by the app itself (gateway.access), so no gunicorn access log.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "ts", "levelname": "level", "name": "logger"},
            "static_fields": {"service": "gateway"},
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["console"], "propagate": False},
    },
}
