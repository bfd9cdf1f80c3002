"""The broker-facing half of every entrypoint: a queue consumer that parks what
cannot be decoded instead of letting kombu raise in the consumer thread (which
would stop the service and, redelivered, every restart)."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import eventlet
from nameko.messaging import QueueConsumer

from servicekit.crypto import KeyRing
from servicekit.db import Database

log = logging.getLogger(__name__)


class SafeQueueConsumer(QueueConsumer):
    """nameko's QueueConsumer with an ``on_decode_error`` for each consumer: a body
    that is not JSON (or of a content type we do not accept) goes to the provider's
    ``park_message`` and is acked; it never reaches a worker."""

    def get_consumers(self, consumer_cls, channel):
        for provider in self._providers:
            consumer = consumer_cls(
                queues=[provider.queue],
                callbacks=[partial(self.handle_message, provider)],
                accept=self.accept,
                on_decode_error=partial(self._undecodable, provider),
            )
            consumer.qos(prefetch_count=self.prefetch_count)
            self._consumers[provider] = consumer
        return self._consumers.values()

    def _undecodable(self, provider: Any, message: Any, exc: Exception) -> None:
        settle_refused(self, provider, message, "malformed", f"cannot decode the body: {exc}")


def settle_refused(
    queue_consumer: QueueConsumer, provider: Any, message: Any, reason: str, error: str
) -> None:
    """Park a refused message and ack it. If it cannot be parked (database away),
    leave it on the broker a moment later rather than lose it. Never raises: this
    runs in threads whose exceptions stop the container."""
    try:
        provider.park_message(message, reason, error)
    except Exception:
        log.warning("could not park a refused message; it stays queued", exc_info=True)
        eventlet.sleep(1.0)
        try:
            queue_consumer.requeue_message(message)
        except Exception:  # connection gone: the broker redelivers it anyway
            log.debug("requeue failed", exc_info=True)
        return
    try:
        queue_consumer.ack_message(message)
    except Exception:  # connection gone: redelivered, parked again, harmless
        log.debug("ack failed", exc_info=True)


def service_database(container: Any) -> Database:
    """The service's database (from its UnitOfWorkProvider), where messages are parked."""
    for dep in container.dependencies:
        database = getattr(dep, "database", None)
        if isinstance(database, Database):
            return database
    raise RuntimeError(f"{container.service_name} has no UnitOfWorkProvider")


def parking_keys(container: Any) -> KeyRing | None:
    """rule C11: the data keys a service's parked messages are sealed with, from its
    class's ``parked_keys`` (a ``servicekit.crypto.KeySource``); None parks in clear."""
    source = getattr(container.service_cls, "parked_keys", None)
    return source.data() if source is not None else None
