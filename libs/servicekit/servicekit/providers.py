"""Dependency providers of every service: the unit of work (with its outbox relay
and the broker topology), the request context, RPC to other services, settings.

``get_dependency`` runs before nameko's error handling for the worker, so nothing
here reads the message: the inbox key is worked out when the handler opens a unit
of work, inside the worker's error handling.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import eventlet
from nameko.extensions import DependencyProvider

import servicekit.remote_errors  # noqa: F401  (DomainErrors cross RPC as themselves)
from servicekit import refusals, topology
from servicekit.commands import CommandRpc, DuplicateRequest, SafeRpc, command_key, may_repeat
from servicekit.db import AlreadyHandled, Database, UnitOfWork
from servicekit.domain import HistoryEntry
from servicekit.events import IdempotentEventHandler, event_id_of
from servicekit.logging import new_request_id, request_id_var
from servicekit.outbox import OutboxRelay
from servicekit.repository import RepositoryClasses

log = logging.getLogger(__name__)

refusals.install()


class RequestContext(DependencyProvider):
    """Puts the caller's request id (or a new one) in the log context and in
    ``worker_ctx.data`` so that every RPC and event this worker causes carries it;
    logs one INFO line per worker, with the refusal's code when there is one."""

    def setup(self) -> None:
        self._started: dict[int, float] = {}

    def worker_setup(self, worker_ctx) -> None:
        request_id = worker_ctx.data.get("request_id")
        if not isinstance(request_id, str):
            request_id = new_request_id()
        worker_ctx.data["request_id"] = request_id
        request_id_var.set(request_id)
        self._started[id(worker_ctx)] = time.monotonic()

    def worker_result(self, worker_ctx, result=None, exc_info=None) -> None:
        started = self._started.pop(id(worker_ctx), None)
        entry = {
            "entrypoint": f"{worker_ctx.service_name}.{worker_ctx.entrypoint.method_name}",
            "ms": round((time.monotonic() - started) * 1000, 1) if started else None,
        }
        if exc_info is not None:
            error = exc_info[1]
            entry["error"] = getattr(error, "error_code", None) or getattr(
                error, "code", type(error).__name__
            )
            entry["refused"] = refusals.is_refusal(error)
        log.info("handled", extra=entry)

    def worker_teardown(self, worker_ctx) -> None:
        self._started.pop(id(worker_ctx), None)

    def get_dependency(self, worker_ctx) -> dict:
        return worker_ctx.data


class UnitOfWorkProvider(DependencyProvider):
    """``self.uow()`` gives a new UnitOfWork; commits wake the outbox relay.

    Settings from the nameko config: DATABASE_URL, AMQP_URI, OUTBOX_POLL_SECONDS,
    and OUTBOX_RELAY (false in tests that want to hold events back). At start it
    declares every subscriber's queue (``servicekit.topology``), so an event waits
    for a consumer that is not running yet.

    ``repositories`` (``{"customers": CustomerRepository}``) are put on every unit of
    work, so handlers write ``uow.customers.get(customer_id)``; ``history_changes`` is
    the units of work's hook on history rows (``servicekit.db.UnitOfWork``).
    """

    def __init__(
        self,
        repositories: RepositoryClasses | None = None,
        history_changes: Callable[[HistoryEntry], dict] | None = None,
    ) -> None:
        self.repositories = dict(repositories or {})
        self.history_changes = history_changes

    def setup(self) -> None:
        config = self.container.config
        self.database = Database(config["DATABASE_URL"])
        self.relay = OutboxRelay(self.database, self.container.service_name, config["AMQP_URI"])
        self.poll_seconds = float(config.get("OUTBOX_POLL_SECONDS", 1.0))
        self.relay_enabled = config.get("OUTBOX_RELAY", True)
        self._wake = threading.Event()
        self._running = False
        self._next_prune = time.monotonic() + 60

    def start(self) -> None:
        topology.declare_subscriber_queues(self.container.config["AMQP_URI"])
        if self.relay_enabled:
            self._running = True
            self.container.spawn_managed_thread(self._relay_loop, identifier="outbox-relay")

    def stop(self) -> None:
        self._running = False
        self._wake.set()

    def kill(self) -> None:
        self.stop()

    def _relay_loop(self) -> None:
        while self._running:
            self._wake.wait(timeout=self.poll_seconds)
            self._wake.clear()
            if not self._running:
                break
            try:
                self.relay.relay_all()
                self._prune_now_and_then()
            except Exception:  # the broker or database may be away; try again next tick
                log.exception("outbox relay failed; will retry")
                eventlet.sleep(self.poll_seconds)

    def _prune_now_and_then(self) -> None:
        """Hourly: drop sent outbox rows and old inbox rows (deleting twice is harmless,
        so every instance may do it)."""
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + 3600
        config = self.container.config
        deleted = self.relay.prune(
            timedelta(days=float(config.get("OUTBOX_RETENTION_DAYS", 7))),
            timedelta(days=float(config.get("INBOX_RETENTION_DAYS", 30))),
        )
        if deleted:
            log.info("pruned outbox and inbox", extra={"rows": deleted})

    def get_dependency(self, worker_ctx) -> Callable[[], UnitOfWork]:
        def uow() -> UnitOfWork:
            event_key, duplicate = _inbox_key(worker_ctx)
            return UnitOfWork(
                self.database,
                context={"request_id": worker_ctx.data.get("request_id")},
                event_key=event_key,
                on_commit=self._wake.set,
                duplicate=duplicate,
                read_only=_is_query(worker_ctx),
                check_seen=not isinstance(worker_ctx.entrypoint, CommandRpc)
                or may_repeat(worker_ctx),
                repositories=self.repositories,
                history_changes=self.history_changes,
            )

        return uow


def _inbox_key(worker_ctx) -> tuple[tuple[str, str] | None, Callable]:
    entrypoint = worker_ctx.entrypoint
    if isinstance(entrypoint, IdempotentEventHandler):
        return (event_id_of(worker_ctx.args[0]), entrypoint.handler_name), AlreadyHandled
    key = command_key(worker_ctx)
    if key is not None:
        return key, _duplicate_request
    return None, AlreadyHandled


def _is_query(worker_ctx) -> bool:
    entrypoint = worker_ctx.entrypoint
    return isinstance(entrypoint, SafeRpc) and not isinstance(entrypoint, CommandRpc)


def _duplicate_request(key: tuple[str, str]) -> DuplicateRequest:
    return DuplicateRequest(details={"command": key[1].removeprefix("rpc:")})


class TimedRpc(DependencyProvider):
    """RPC to another service with a timeout (nameko's RpcProxy waits forever).

    ``self.call("customer", "get_customer", customer_id)``; a service that does not
    answer within SERVICE_RPC_TIMEOUT seconds (default 3) raises
    ``ServiceUnavailable``, and the request expires so it is not acted on later.
    """

    def setup(self) -> None:
        from servicekit.rpc_client import RpcPool

        config = self.container.config
        self.pool = RpcPool(
            config["AMQP_URI"], timeout=float(config.get("SERVICE_RPC_TIMEOUT", 3.0))
        )

    def stop(self) -> None:
        self.pool.close()

    def get_dependency(self, worker_ctx):
        def call(service: str, method: str, *args, **kwargs):
            request_id = worker_ctx.data.get("request_id")
            return self.pool.call(service, method, *args, request_id=request_id, **kwargs)

        return call


class DomainSettings(DependencyProvider):
    """A service's rule settings (a frozen dataclass) from ``<PREFIX>_<FIELD>`` keys of
    the nameko config or the environment."""

    def __init__(self, cls: type, prefix: str) -> None:
        self.cls = cls
        self.prefix = prefix

    def setup(self) -> None:
        from servicekit.config import settings_from

        self.settings = settings_from(self.cls, self.prefix, self.container.config, os.environ)

    def get_dependency(self, worker_ctx):
        return self.settings
