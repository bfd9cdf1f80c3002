"""Declares the broker's event topology from ``contracts.subscriptions``: each
publisher's event exchange, each subscriber's durable queue and its binding, with
the same arguments nameko's ``@event_handler`` uses, so both may declare them."""

from __future__ import annotations

import logging

from kombu import Connection, Queue

from servicekit.contracts.subscriptions import SUBSCRIPTIONS, Subscription

log = logging.getLogger(__name__)


def subscriber_queue(subscription: Subscription) -> Queue:
    from servicekit.outbox import event_exchange

    return Queue(
        subscription.queue,
        exchange=event_exchange(subscription.source),
        routing_key=subscription.event_type,
        durable=True,
        auto_delete=False,
        exclusive=False,
    )


def declare_subscriber_queues(amqp_uri: str) -> int:
    """Declare every subscriber's queue (idempotent); returns how many."""
    with Connection(amqp_uri) as connection:
        channel = connection.default_channel
        for subscription in SUBSCRIPTIONS:
            subscriber_queue(subscription)(channel).declare()
    log.info("event queues declared", extra={"queues": len(SUBSCRIPTIONS)})
    return len(SUBSCRIPTIONS)
