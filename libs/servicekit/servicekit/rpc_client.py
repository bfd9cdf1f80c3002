"""A pooled, timed RPC client for callers outside nameko (the gateway, benchmarks).

One standalone proxy cannot serve two threads (green or not) at once, so proxies
are pooled; the pool itself is thread-safe. Every call has a timeout, and its
request message expires with it, so a service that comes back later does not act
on a request whose caller already got 503 ("a rejected request changes nothing").
"""

from __future__ import annotations

import logging
import queue
import threading
import warnings
from typing import Any

from kombu.exceptions import OperationalError

with warnings.catch_warnings():
    # nameko imports eventlet, which says on import that it is in bug-fix mode; the
    # gateway uses no green threads and must not print that line into its JSON log.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    from nameko.exceptions import RpcTimeout, UnknownService
    from nameko.rpc import MethodProxy
    from nameko.standalone.rpc import ClusterRpcProxy

import servicekit.remote_errors  # noqa: F401  (DomainErrors come back as themselves)
from servicekit.errors import ServiceUnavailable

log = logging.getLogger(__name__)


class RpcPool:
    def __init__(self, amqp_uri: str, timeout: float = 5.0, size: int = 8) -> None:
        self.config = {"AMQP_URI": amqp_uri, "SERIALIZER": "json"}
        self.timeout = timeout
        self.size = size
        self._free: queue.LifoQueue = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()  # the gateway's gthread workers share a pool

    def _acquire(self) -> ClusterRpcProxy:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            may_create = self._created < self.size
            if may_create:
                self._created += 1
        if may_create:
            try:
                proxy = ClusterRpcProxy(self.config, timeout=self.timeout)
                proxy.start()
                return proxy
            except Exception as exc:
                with self._lock:
                    self._created -= 1
                raise ServiceUnavailable(
                    "The message broker is not answering.", {"service": "broker"}
                ) from exc
        try:
            return self._free.get(timeout=self.timeout)
        except queue.Empty as exc:
            raise ServiceUnavailable("All RPC connections are busy.") from exc

    def _discard(self, proxy: ClusterRpcProxy) -> None:
        with self._lock:
            self._created -= 1
        try:
            proxy.stop()
        except Exception:  # already broken; nothing to clean
            log.debug("stopping a broken proxy failed", exc_info=True)

    def call(
        self,
        service: str,
        method: str,
        *args: Any,
        request_id: str | None = None,
        idempotency_key: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call ``service.method(*args, **kwargs)``; DomainErrors come back as themselves.

        ``idempotency_key`` (the gateway's, scoped to the caller) makes a command's
        retry answer the first result instead of carrying it out again."""
        proxy = self._acquire()
        healthy = True
        try:
            worker_ctx = proxy._worker_ctx
            worker_ctx.data.clear()
            if request_id:
                worker_ctx.data["request_id"] = request_id
            if idempotency_key:
                worker_ctx.data["idempotency_key"] = idempotency_key
            method_proxy = MethodProxy(
                worker_ctx, service, method, proxy._reply_listener, expiration=self.timeout
            )
            return method_proxy(*args, **kwargs)
        except UnknownService as exc:
            raise ServiceUnavailable(
                f"The {service} service is not running.", {"service": service}
            ) from exc
        except RpcTimeout as exc:
            raise ServiceUnavailable(
                f"The {service} service did not answer in time.", {"service": service}
            ) from exc
        except (OSError, OperationalError, ConnectionError) as exc:
            healthy = False
            raise ServiceUnavailable(
                "The message broker is not answering.", {"service": "broker"}
            ) from exc
        finally:
            if healthy:
                self._free.put(proxy)
            else:
                self._discard(proxy)

    def close(self) -> None:
        while True:
            try:
                self._discard(self._free.get_nowait())
            except queue.Empty:
                return
