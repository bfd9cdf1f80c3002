"""What the blueprints that speak to one service share: a call of one of its RPC
methods, a call of one of its paged lists, and the acting user a command carries.

Each blueprint names its service once (``_customer = ServiceCalls(contract.SERVICE)``)
and calls ``_customer(method, *args)`` or ``_customer.page(method, filters, page_args)``.
"""

from __future__ import annotations

from typing import Any

from gateway import rpc
from gateway.auth.access import current_identity


class ServiceCalls:
    """The RPC methods of ``service``, each call through ``gateway.rpc.call``."""

    def __init__(self, service: str) -> None:
        self.service = service

    def __call__(self, method: str, *args: Any) -> Any:
        return rpc.call(self.service, method, *args)

    def page(self, method: str, filters: dict, page_args: dict) -> Any:
        """One page of a list: its filters, then the page and page size asked for."""
        return self(method, filters, page_args["page"], page_args["per_page"])


def actor() -> dict:
    """The acting user, as a command carries it over RPC."""
    return current_identity().actor
