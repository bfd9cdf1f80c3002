"""Loading RPC payloads with the contract schemas; problems become ``Invalid`` (422)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from marshmallow import Schema, ValidationError

from servicekit.domain import Actor
from servicekit.errors import Invalid

T = TypeVar("T")

_instances: dict[type[Schema], Schema] = {}


def schema_instance(schema: Schema | type[Schema]) -> Schema:
    """One instance per schema class: building one deep-copies its fields (a third of
    a gateway request's time), and an instance is stateless to reuse."""
    if not isinstance(schema, type):
        return schema
    instance = _instances.get(schema)
    if instance is None:
        instance = _instances[schema] = schema()
    return instance


def load(schema: Schema | type[Schema], data: Any, partial: bool = False) -> Any:
    """``data`` loaded with ``schema`` (a class is instantiated once and reused)."""
    schema = schema_instance(schema)
    if not isinstance(data, dict):
        raise Invalid("The payload must be a JSON object.", {"_schema": ["not an object"]})
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise Invalid("The request is not valid.", messages) from exc


def load_list_args(
    filter_schema: Schema | type[Schema], filters: Any, page: Any, per_page: Any
) -> tuple[dict, dict]:
    """The filters and the page of a list query, checked (CONTRACT "Lists"): ``(filters,
    {"page", "per_page"})``, for ``queries.list_...(uow, filters, **paging)``."""
    from servicekit.contracts.common import PageArgsSchema

    paging = load(PageArgsSchema, {"page": page, "per_page": per_page})
    return load(filter_schema, filters or {}), paging


def load_actor(actor: Any) -> dict:
    from servicekit.contracts.common import ActorSchema

    return load(ActorSchema, actor)


def load_command(schema: Schema | type[Schema], data: Any, command: Callable[..., T]) -> T:
    """``data`` checked once by ``schema`` and handed over as the typed ``command``
    (a dataclass whose fields are the schema's)."""
    return command(**load(schema, data))


def actor_of(actor: Any) -> Actor:
    """The ``actor`` of a command, checked, as ``servicekit.domain.Actor``."""
    loaded = load_actor(actor)
    return Actor(loaded["username"], tuple(loaded["roles"]), loaded.get("department"))
