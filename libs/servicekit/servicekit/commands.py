"""RPC entrypoints: ``@query`` for reads and ``@command`` for changes.

Both check the request's shape before a worker starts (an object with ``args`` a
list and ``kwargs`` an object; a body that is not JSON never reaches them): a
malformed request is parked with its reason and, when the caller waits for an
answer, answered with ``MalformedRequest``. A command is carried out once per key:
the gateway's Idempotency-Key when the request has one, else the message's
correlation id (a redelivery after an instance died). A repeat answers the stored
result of the first. A service whose answers hold personal data stores them sealed:
its class's ``command_results`` (``seal(result)`` -> JSON value, ``open(stored)`` ->
result; the customer service encrypts them, rule C11).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import eventlet
from nameko.exceptions import MalformedRequest
from nameko.rpc import Rpc, RpcConsumer, get_rpc_exchange
from sqlalchemy import select, update

from servicekit import parking
from servicekit.consumers import (
    SafeQueueConsumer,
    parking_keys,
    service_database,
    settle_refused,
)
from servicekit.errors import Conflict
from servicekit.messages import safe_context_headers, short_key
from servicekit.tables import inbox

log = logging.getLogger(__name__)

RPC_CALL_ID = "rpc_call_id"
RPC_REDELIVERED = "rpc_redelivered"
# How long a repeat waits for the first request's answer while that one finishes.
RESULT_WAIT_SECONDS = 3.0


class DuplicateRequest(Conflict):
    code = "duplicate_request"
    default_message = "This request is being carried out; ask again in a moment."


def rpc_body_problem(body: object) -> str | None:
    if not isinstance(body, dict):
        return f"the request is a JSON {type(body).__name__}, not an object"
    if not isinstance(body.get("args"), list):
        return "the request's args are not a list"
    kwargs = body.get("kwargs")
    if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
        return "the request's kwargs are not an object"
    return None


class SafeRpcConsumer(RpcConsumer):
    queue_consumer = SafeQueueConsumer()

    def handle_message(self, body, message) -> None:
        # Runs in a managed thread: an exception here would stop the container.
        try:
            problem = rpc_body_problem(body)
            if problem is None:
                super().handle_message(body, message)
                return
            self._answer_malformed(message, problem)
            settle_refused(self.queue_consumer, self, message, parking.MALFORMED, problem)
        except Exception:
            log.exception("could not handle an RPC request; it is requeued")
            self.queue_consumer.requeue_message(message)

    def _answer_malformed(self, message, problem: str) -> None:
        properties = message.properties or {}
        if not isinstance(properties.get("reply_to"), str):
            return
        try:
            raise MalformedRequest(problem)
        except MalformedRequest:
            exc_info = sys.exc_info()
        from nameko.rpc import Responder

        config = self.container.config
        Responder(
            config["AMQP_URI"], get_rpc_exchange(config), config.get("SERIALIZER", "json"), message
        ).send_response(None, exc_info)

    def park_message(self, message, reason: str, error: str) -> int:
        routing_key = (message.delivery_info or {}).get("routing_key") or ""
        return parking.park(
            service_database(self.container),
            message,
            queue=self.queue.name,
            handler=f"rpc:{routing_key}",
            reason=reason,
            error=error,
            exchange=get_rpc_exchange(self.container.config).name,
            routing_key=routing_key,
            keys=parking_keys(self.container),
        )


class SafeRpc(Rpc):
    """``@query``: nameko's ``@rpc`` on the safe consumer, taking only known context
    headers. Every RPC entrypoint of a service must be a SafeRpc (they share one
    queue, and a plain ``@rpc`` would consume it through nameko's own consumer)."""

    rpc_consumer = SafeRpcConsumer()

    def unpack_message_headers(self, message) -> dict:
        return safe_context_headers(message)


class CommandRpc(SafeRpc):
    """``@command``: a SafeRpc whose request is carried out once (see module doc)."""

    def unpack_message_headers(self, message) -> dict:
        data = super().unpack_message_headers(message)
        correlation_id = (message.properties or {}).get("correlation_id")
        if isinstance(correlation_id, str) and correlation_id:
            data[RPC_CALL_ID] = correlation_id
        data[RPC_REDELIVERED] = bool((message.delivery_info or {}).get("redelivered"))
        return data

    def handle_result(self, message, worker_ctx, result, exc_info):
        key = command_key(worker_ctx)
        if key is not None:
            codec = getattr(self.container.service_cls, "command_results", None)
            try:
                if exc_info is None:
                    kept = codec.seal(result) if codec else result
                    _store_result(service_database(self.container), key, kept)
                elif isinstance(exc_info[1], DuplicateRequest):
                    found, stored = _stored_result(service_database(self.container), key)
                    if found:
                        log.info("repeated command answered with its first result")
                        result, exc_info = (codec.open(stored) if codec else stored), None
            except Exception:  # the answer still goes out; a repeat may get 409 instead
                log.warning("could not store or read a command's result", exc_info=True)
        return super().handle_result(message, worker_ctx, result, exc_info)


def command_key(worker_ctx: Any) -> tuple[str, str] | None:
    """(key, handler) of a command's inbox row, or None for queries."""
    if not isinstance(worker_ctx.entrypoint, CommandRpc):
        return None
    data = worker_ctx.data
    given = data.get("idempotency_key")
    key = f"idem:{given}" if isinstance(given, str) and given else data.get(RPC_CALL_ID)
    if not key:
        return None
    service = worker_ctx.service_name
    return short_key(key), f"rpc:{service}.{worker_ctx.entrypoint.method_name}"


def may_repeat(worker_ctx: Any) -> bool:
    """Whether this command may have been carried out before: a client's retry (it
    has an Idempotency-Key) or the broker's redelivery. Only then is its key looked
    up before the work."""
    data = worker_ctx.data
    return bool(data.get("idempotency_key")) or data.get(RPC_REDELIVERED, True)


def _where(key: tuple[str, str]):
    return (inbox.c.event_id == key[0]) & (inbox.c.handler == key[1])


def _store_result(database, key: tuple[str, str], result: Any) -> None:
    with database.engine.begin() as conn:
        conn.execute(update(inbox).where(_where(key)).values(result={"value": result}))


def _stored_result(database, key: tuple[str, str]) -> tuple[bool, Any]:
    """The first request's answer; waits a little while the first one finishes."""
    deadline = time.monotonic() + RESULT_WAIT_SECONDS
    while True:
        with database.engine.connect() as conn:
            row = conn.execute(select(inbox.c.result).where(_where(key))).first()
        if row is not None and row.result is not None:
            return True, row.result["value"]
        if time.monotonic() >= deadline:
            return False, None
        eventlet.sleep(0.1)


query = SafeRpc.decorator
command = CommandRpc.decorator
