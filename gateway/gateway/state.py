"""What a running gateway holds besides ``app.config``: its identity store, the
token secret and the RPC clients. Kept in ``app.extensions["gateway"]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from gateway.auth.store import IdentityStore


@dataclass
class GatewayState:
    store: IdentityStore
    jwt_secret: str
    rpc: Any
    health_rpc: Any


def state() -> GatewayState:
    return current_app.extensions["gateway"]
