"""Start one service: ``python -m servicekit.run <service>``.

Configures JSON logging, runs the service's migrations (under a lock), declares
every subscriber's event queue (``servicekit.topology``), then runs
the nameko service until SIGTERM / Ctrl-C. Any number of instances may run.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    # eventlet says on import that it is in bug-fix mode; nameko 2 needs it.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

eventlet.monkey_patch()

import sys  # noqa: E402
from importlib import import_module  # noqa: E402

from nameko.cli.run import run  # noqa: E402

from servicekit import logging as kit_logging  # noqa: E402
from servicekit.config import SERVICES, ServiceConfig  # noqa: E402
from servicekit.migrations import upgrade  # noqa: E402
from servicekit.topology import declare_subscriber_queues  # noqa: E402


def service_class(name: str) -> type:
    module = import_module(f"{name}.service")
    for value in vars(module).values():
        if isinstance(value, type) and getattr(value, "name", None) == name:
            return value
    raise SystemExit(f"{name}.service defines no nameko service named {name!r}")


def main(argv: list[str]) -> None:
    if len(argv) != 1 or argv[0] not in SERVICES:
        raise SystemExit(f"usage: python -m servicekit.run {{{'|'.join(SERVICES)}}}")
    name = argv[0]
    config = ServiceConfig.from_env(name)
    kit_logging.configure(name, config.log_level)
    upgrade(name, config.database_url)
    declare_subscriber_queues(config.amqp_uri)  # events wait for consumers not started yet
    run([service_class(name)], config.nameko_config())


if __name__ == "__main__":
    main(sys.argv[1:])
