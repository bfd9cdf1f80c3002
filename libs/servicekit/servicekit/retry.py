"""Delayed redelivery of a failing event, on the broker rather than in a worker.

A failed event is published to a delay queue whose messages expire after a fixed
time and are dead-lettered back to the consumer's own queue (RabbitMQ's
``x-message-ttl`` + ``x-dead-letter-exchange``), then the original is acked. No
worker sleeps and the count travels in the message's headers, so every instance
shares it. The budget is seconds of back-off: a database away for a minute parks
nothing under the default of 15 minutes (INBOX_RETRY_SECONDS).
"""

from __future__ import annotations

from kombu import Exchange, Queue

# Back-off steps in seconds; the last repeats until the budget is spent.
DELAYS = (1, 2, 5, 10, 30, 60)


def delay_for(attempt: int) -> int:
    """The wait before retry number ``attempt`` (1 = the first retry)."""
    return DELAYS[min(max(attempt, 1), len(DELAYS)) - 1]


def should_park(elapsed_seconds: float, next_delay: int, budget_seconds: float) -> bool:
    """Park when waiting once more would go past the budget."""
    return elapsed_seconds + next_delay > budget_seconds


def delay_route(seconds: int) -> tuple[Exchange, Queue]:
    """A fanout exchange and its queue holding messages ``seconds`` long, then handing
    them back through the default exchange under their routing key (the name of the
    consumer's queue they came from). Shared by every service on the broker."""
    name = f"aftersales.retry.{seconds}s"
    exchange = Exchange(name, type="fanout", durable=True)
    queue = Queue(
        name,
        exchange=exchange,
        durable=True,
        queue_arguments={"x-message-ttl": seconds * 1000, "x-dead-letter-exchange": ""},
    )
    return exchange, queue
