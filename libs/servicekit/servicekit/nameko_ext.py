"""What a nameko service imports from servicekit, in one place.

- entrypoints: ``query`` and ``command`` (RPC, ``servicekit.commands``),
  ``handle_event`` (events with inbox, retry and parking, ``servicekit.events``);
- dependency providers: ``UnitOfWorkProvider``, ``RequestContext``, ``TimedRpc``,
  ``DomainSettings`` (``servicekit.providers``);
- ``HealthRpc``: the ``health`` query every service answers (``servicekit.health``).

Every RPC entrypoint of a service must be ``query`` or ``command``, never nameko's
``rpc``: they share the service's queue and only these consumers check what arrives.
"""

from servicekit.commands import RPC_CALL_ID, CommandRpc, DuplicateRequest, SafeRpc, command, query
from servicekit.events import IdempotentEventHandler, event_id_of, handle_event
from servicekit.health import HealthRpc
from servicekit.providers import DomainSettings, RequestContext, TimedRpc, UnitOfWorkProvider

__all__ = [
    "RPC_CALL_ID",
    "CommandRpc",
    "DomainSettings",
    "DuplicateRequest",
    "HealthRpc",
    "IdempotentEventHandler",
    "RequestContext",
    "SafeRpc",
    "TimedRpc",
    "UnitOfWorkProvider",
    "command",
    "event_id_of",
    "handle_event",
    "query",
]
