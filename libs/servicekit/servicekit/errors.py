"""One error hierarchy for every service and the gateway.

Pure Python on purpose: domain modules raise these without importing nameko.
``servicekit.rpc`` registers every subclass with nameko's exception registry so
an RPC caller receives the same class (not ``RemoteError``), and the gateway maps
``http_status``/``code`` to the CONTRACT error shape in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

_error_classes: list[type[DomainError]] = []
_class_hooks: list[Callable[[type[DomainError]], Any]] = []


def on_error_class(hook: Callable[[type[DomainError]], Any]) -> None:
    """Call ``hook`` for every DomainError class, those defined and those to come."""
    for cls in _error_classes:
        hook(cls)
    _class_hooks.append(hook)


class DomainError(Exception):
    """A rule or request problem a client can act on.

    ``args`` are ``(message, details, code)`` so that nameko can rebuild the
    instance on the calling side from the serialised args.
    """

    code: ClassVar[str] = "domain_error"
    http_status: ClassVar[int] = 400
    default_message: ClassVar[str] = "The request cannot be carried out."

    def __init__(
        self, message: str | None = None, details: dict | None = None, code: str | None = None
    ) -> None:
        super().__init__(message or self.default_message, details or {}, code or type(self).code)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _error_classes.append(cls)
        for hook in _class_hooks:
            hook(cls)

    @property
    def message(self) -> str:
        return self.args[0]

    @property
    def details(self) -> dict:
        return self.args[1]

    @property
    def error_code(self) -> str:
        return self.args[2]

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = "No such thing."


class Conflict(DomainError):
    """The current state does not allow the action (e.g. an illegal lifecycle move)."""

    code = "conflict"
    http_status = 409
    default_message = "The current state does not allow this."


class Invalid(DomainError):
    """Well-formed but invalid input; ``details`` maps field -> list of problems."""

    code = "invalid"
    http_status = 422
    default_message = "The request is not valid."


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403
    default_message = "Your role may not do this."


class Unauthorized(DomainError):
    code = "unauthorized"
    http_status = 401
    default_message = "Authentication required."


class TooManyRequests(DomainError):
    code = "too_many_requests"
    http_status = 429
    default_message = "Too many attempts; try again later."


class ServiceUnavailable(DomainError):
    code = "service_unavailable"
    http_status = 503
    default_message = "A service behind the gateway is not answering."


_error_classes.append(DomainError)


def invalid_fields(errors: dict[str, Any], message: str | None = None) -> Invalid:
    """An ``Invalid`` whose details map each field to a list of problems."""
    details = {k: v if isinstance(v, list | dict) else [v] for k, v in errors.items()}
    return Invalid(message or "The request is not valid.", details)
