"""What a nameko service needs from servicekit: the unit of work with its outbox
relay, the request context, and event handlers with an inbox and bounded retry.

Importing this module also registers every ``DomainError`` class with nameko's
exception registry so RPC callers get the same class back.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from datetime import timedelta

import eventlet
from kombu import Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.events import EventHandler
from nameko.exceptions import deserialize_to_instance
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from servicekit.db import AlreadyHandled, Database, UnitOfWork
from servicekit.domain import utcnow
from servicekit.errors import Conflict, on_error_class
from servicekit.logging import new_request_id, request_id_var
from servicekit.outbox import OutboxRelay
from servicekit.tables import inbox_failures

log = logging.getLogger(__name__)

on_error_class(deserialize_to_instance)


class RequestContext(DependencyProvider):
    """Puts the caller's request id (or a new one) in the log context and in
    ``worker_ctx.data`` so that every RPC and event this worker causes carries it."""

    def setup(self) -> None:
        self._started: dict[int, float] = {}

    def worker_setup(self, worker_ctx) -> None:
        request_id = worker_ctx.data.get("request_id") or new_request_id()
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
            entry["error"] = getattr(error, "error_code", type(error).__name__)
        log.info("handled", extra=entry)

    def worker_teardown(self, worker_ctx) -> None:
        self._started.pop(id(worker_ctx), None)

    def get_dependency(self, worker_ctx) -> dict:
        return worker_ctx.data


class UnitOfWorkProvider(DependencyProvider):
    """``self.uow()`` gives a new UnitOfWork; commits wake the outbox relay.

    Settings from the nameko config: DATABASE_URL, AMQP_URI, OUTBOX_POLL_SECONDS,
    and OUTBOX_RELAY (false in tests that want to hold events back).
    """

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
        entrypoint = worker_ctx.entrypoint
        event_key, duplicate = None, AlreadyHandled
        if isinstance(entrypoint, IdempotentEventHandler):
            event_key = (event_id_of(worker_ctx.args[0]), entrypoint.handler_name)
        elif isinstance(entrypoint, CommandRpc) and worker_ctx.data.get(RPC_CALL_ID):
            service = self.container.service_name
            event_key = (worker_ctx.data[RPC_CALL_ID], f"rpc:{service}.{entrypoint.method_name}")
            duplicate = _duplicate_request

        def uow() -> UnitOfWork:
            return UnitOfWork(
                self.database,
                context={"request_id": worker_ctx.data.get("request_id")},
                event_key=event_key,
                on_commit=self._wake.set,
                duplicate=duplicate,
            )

        return uow


RPC_CALL_ID = "rpc_call_id"


class DuplicateRequest(Conflict):
    code = "duplicate_request"
    default_message = "This request was already carried out."


class CommandRpc(Rpc):
    """``@rpc`` for commands: the request's correlation id goes into the command's
    inbox row, so a redelivered request (the instance that took it died before
    answering) is not carried out twice; it answers 409 ``duplicate_request``."""

    def unpack_message_headers(self, message) -> dict:
        data = super().unpack_message_headers(message)
        data[RPC_CALL_ID] = message.properties.get("correlation_id")
        return data


command = CommandRpc.decorator


def _duplicate_request(key: tuple[str, str]) -> DuplicateRequest:
    return DuplicateRequest(details={"command": key[1].removeprefix("rpc:")})


def event_id_of(payload: object) -> str:
    if isinstance(payload, dict) and payload.get("event_id"):
        return str(payload["event_id"])
    raise ValueError("event without event_id")


class IdempotentEventHandler(EventHandler):
    """``@event_handler`` with an inbox and a bounded retry.

    A failing event is requeued (nameko would ack and drop it) after a short
    back-off, up to INBOX_MAX_ATTEMPTS tries counted in the database (so all
    instances share the count); then it is parked on ``parked.<service>`` for an
    operator and acked. An event already handled (same event_id, same handler)
    is acked with no effect.
    """

    def __init__(self, source_service: str, event_type: str, **kwargs) -> None:
        kwargs.setdefault("requeue_on_error", True)
        super().__init__(source_service, event_type, **kwargs)

    @property
    def handler_name(self) -> str:
        return f"{self.container.service_name}.{self.method_name}"

    def _database(self) -> Database:
        for dep in self.container.dependencies:
            if isinstance(dep, UnitOfWorkProvider):
                return dep.database
        raise RuntimeError("IdempotentEventHandler needs a UnitOfWorkProvider on the service")

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is not None and issubclass(exc_info[0], AlreadyHandled):
            log.info("duplicate event skipped", extra={"event_key": str(exc_info[1])})
            self.queue_consumer.ack_message(message)
            return None, None
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return result, exc_info
        try:
            attempts = self._count_failure(message, exc_info)
        except Exception:  # database away: keep the event, try again later
            log.exception("could not count the failure; requeueing")
            eventlet.sleep(1.0)
            self.queue_consumer.requeue_message(message)
            return result, exc_info
        max_attempts = int(self.container.config.get("INBOX_MAX_ATTEMPTS", 5))
        if attempts >= max_attempts:
            self._park(message, exc_info)
            self.queue_consumer.ack_message(message)
        else:
            eventlet.sleep(min(0.1 * 2**attempts, 5.0))
            self.queue_consumer.requeue_message(message)
        return result, exc_info

    def _key(self, message) -> tuple[str, str]:
        body = message.payload if isinstance(message.payload, dict) else {}
        event_id = body.get("event_id") or message.properties.get("message_id") or "unknown"
        return str(event_id), self.handler_name

    def _count_failure(self, message, exc_info) -> int:
        event_id, handler = self._key(message)
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        database = self._database()
        key = (inbox_failures.c.event_id == event_id) & (inbox_failures.c.handler == handler)
        with database.engine.begin() as conn:
            updated = conn.execute(
                update(inbox_failures)
                .where(key)
                .values(attempts=inbox_failures.c.attempts + 1, last_error=error[:2000])
            ).rowcount
            if not updated:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(inbox_failures).values(
                                event_id=event_id, handler=handler, attempts=1, last_error=error
                            )
                        )
                except IntegrityError:
                    conn.execute(
                        update(inbox_failures)
                        .where(key)
                        .values(attempts=inbox_failures.c.attempts + 1)
                    )
            return conn.execute(select(inbox_failures.c.attempts).where(key)).scalar_one()

    def _park(self, message, exc_info) -> None:
        event_id, handler = self._key(message)
        queue_name = f"parked.{self.container.service_name}"
        queue = Queue(queue_name, exchange=Exchange(""), routing_key=queue_name, durable=True)
        Publisher(self.container.config["AMQP_URI"]).publish(
            {
                "handler": handler,
                "source_service": self.source_service,
                "event_type": self.event_type,
                "payload": message.payload,
                "error": repr(exc_info[1]),
            },
            exchange=Exchange(""),
            routing_key=queue_name,
            declare=[queue],
        )
        with self._database().engine.begin() as conn:
            conn.execute(
                update(inbox_failures)
                .where(inbox_failures.c.event_id == event_id, inbox_failures.c.handler == handler)
                .values(parked_at=utcnow())
            )
        log.error("event parked after repeated failures", extra={"event_id": event_id})


handle_event = IdempotentEventHandler.decorator


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
        import os

        from servicekit.config import settings_from

        self.settings = settings_from(self.cls, self.prefix, self.container.config, os.environ)

    def get_dependency(self, worker_ctx):
        return self.settings
