"""``@handle_event``: nameko's event handler with an inbox, a retry budget and
parking (rule X2: an event has its effect once).

- A body that is not a JSON object with a string ``event_id`` is parked at once.
- An event refused by its consumer's schema (``Invalid``) is parked at once.
- An event already handled (same event_id, same handler) is acked with no effect.
- Any other failure is retried with back-off on the broker (``servicekit.retry``)
  until INBOX_RETRY_SECONDS of waiting are spent, then parked for an operator.
Nothing a message contains can stop the service.
"""

from __future__ import annotations

import logging
import time

from marshmallow import ValidationError
from nameko.events import EventHandler

from servicekit import parking, retry
from servicekit.consumers import (
    SafeQueueConsumer,
    parking_keys,
    service_database,
    settle_refused,
)
from servicekit.db import AlreadyHandled
from servicekit.errors import Invalid
from servicekit.messages import (
    ATTEMPTS_HEADER,
    FIRST_FAILURE_HEADER,
    MalformedMessage,
    header_float,
    header_int,
    republish,
    safe_context_headers,
)

log = logging.getLogger(__name__)

DEFAULT_RETRY_SECONDS = 900.0


def event_id_of(payload: object) -> str:
    """The event's id, or MalformedMessage: an event must be a JSON object with a
    non-empty string ``event_id`` of at most 64 characters."""
    if not isinstance(payload, dict):
        raise MalformedMessage(f"the event is a JSON {type(payload).__name__}, not an object")
    event_id = payload.get("event_id")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 64:
        raise MalformedMessage("the event has no event_id string (1-64 characters)")
    return event_id


class IdempotentEventHandler(EventHandler):
    queue_consumer = SafeQueueConsumer()

    @property
    def handler_name(self) -> str:
        return f"{self.container.service_name}.{self.method_name}"

    @property
    def retry_seconds(self) -> float:
        return float(self.container.config.get("INBOX_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))

    def unpack_message_headers(self, message) -> dict:
        return safe_context_headers(message)

    def handle_message(self, body, message) -> None:
        # Runs in a managed thread: an exception here would stop the container.
        try:
            event_id_of(body)
        except MalformedMessage as exc:
            settle_refused(self.queue_consumer, self, message, parking.MALFORMED, exc.reason)
            return
        try:
            super().handle_message(body, message)
        except Exception:
            log.exception("could not start a worker for an event; requeueing")
            self.queue_consumer.requeue_message(message)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        try:
            return self._settle(message, result, exc_info)
        except Exception:  # never let settling stop the container
            log.exception("could not settle an event; it is requeued")
            self.queue_consumer.requeue_message(message)
            return result, exc_info

    def _settle(self, message, result, exc_info):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return result, exc_info
        error = exc_info[1]
        if isinstance(error, AlreadyHandled):
            log.info("duplicate event skipped", extra={"event_key": str(error)})
            self.queue_consumer.ack_message(message)
            return None, None
        if isinstance(error, MalformedMessage | ValidationError | Invalid):
            reason = parking.MALFORMED if isinstance(error, MalformedMessage) else parking.INVALID
            settle_refused(self.queue_consumer, self, message, reason, _describe(error))
            return result, exc_info
        self._retry_or_park(message, error)
        return result, exc_info

    def _retry_or_park(self, message, error: BaseException) -> None:
        attempt = header_int(message, ATTEMPTS_HEADER) + 1
        first_failure = header_float(message, FIRST_FAILURE_HEADER) or time.time()
        delay = retry.delay_for(attempt)
        if retry.should_park(time.time() - first_failure, delay, self.retry_seconds):
            try:
                self.park_message(message, parking.RETRIES_EXHAUSTED, _describe(error), attempt)
                self.queue_consumer.ack_message(message)
                return
            except Exception:
                log.warning("could not park an event; retrying it later", exc_info=True)
                delay = retry.DELAYS[-1]
        headers = dict(message.headers or {})
        headers[ATTEMPTS_HEADER] = attempt
        headers[FIRST_FAILURE_HEADER] = first_failure
        exchange, queue = retry.delay_route(delay)
        republish(
            self.container.config["AMQP_URI"],
            parking.raw_body(message),
            exchange=exchange,
            routing_key=self.queue.name,
            headers=headers,
            content_type=message.content_type,
            content_encoding=message.content_encoding,
            declare=[exchange, queue],
        )
        self.queue_consumer.ack_message(message)
        log.info(
            "event failed; retry scheduled",
            extra={"handler": self.handler_name, "attempt": attempt, "delay_s": delay},
        )

    def park_message(self, message, reason: str, error: str, attempts: int = 0) -> int:
        payload = None
        try:
            payload = message.payload
        except Exception:  # undecodable: no id to record
            payload = None
        event_id = payload.get("event_id") if isinstance(payload, dict) else None
        return parking.park(
            service_database(self.container),
            message,
            queue=self.queue.name,
            handler=self.handler_name,
            reason=reason,
            error=error,
            exchange="",
            routing_key=self.queue.name,
            event_id=event_id if isinstance(event_id, str) else None,
            attempts=attempts,
            keys=parking_keys(self.container),
        )


def _describe(error: BaseException) -> str:
    details = getattr(error, "details", None) or getattr(error, "messages", None)
    text = f"{type(error).__name__}: {error}"
    return f"{text} {details}" if details else text


handle_event = IdempotentEventHandler.decorator
