"""A flask-smorest Blueprint whose views speak what RPC carries: JSON-ready dicts.

- ``arguments``: the loaded (validated, defaulted) request is dumped back with the
  same schema before the view sees it, so money is a decimal string again and the
  dict goes over the broker as is.
- ``response``: services answer with ISO strings for times; marshmallow dumps only
  ``datetime`` objects, so those strings are parsed first (schema-guided), then the
  contract schema dumps the result. Fields the schema does not name are dropped.

``ServiceBlueprint`` (the views that answer with a service's RPC result) passes that
result through as it came: the service dumped it with the very contract schema the
operation documents, so parsing and dumping it again would only cost time.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import wraps
from typing import Any

import flask_smorest
from flask import Response, current_app
from marshmallow import Schema, fields

from servicekit.validation import schema_instance

_PARSERS = (
    (fields.DateTime, datetime),
    (fields.Date, date),
    (fields.Time, time),
)


def _revive_value(field: fields.Field, value: Any) -> Any:
    if value is None:
        return None
    for field_type, python_type in _PARSERS:
        if isinstance(field, field_type) and isinstance(value, str):
            try:
                return python_type.fromisoformat(value)
            except ValueError:
                return value
    if isinstance(field, fields.Nested) and isinstance(value, dict | list):
        nested = field.schema
        if isinstance(value, list):
            return [revive(nested, item) for item in value]
        return revive(nested, value)
    if isinstance(field, fields.List) and isinstance(value, list):
        return [_revive_value(field.inner, item) for item in value]
    return value


def revive(schema: Schema | type[Schema], data: Any) -> Any:
    """``data`` with the ISO time strings the schema declares as times parsed."""
    schema = schema_instance(schema)
    if schema.many and isinstance(data, list):
        return [revive(schema_instance(type(schema)), item) for item in data]
    if not isinstance(data, dict):
        return data
    revived = dict(data)
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key in revived:
            revived[key] = _revive_value(field, revived[key])
    return revived


# Error answers every view of a kind may give, documented once here with the error
# shape (the views need not list them; 401/403 come with ``@requires``, 422 with
# ``arguments``): a path naming a thing -> 404; a command -> 409 when the thing's state
# does not allow it; a body -> 413 over GATEWAY_MAX_BODY_BYTES.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_COMMAND_METHODS = _BODY_METHODS | {"DELETE"}


class Blueprint(flask_smorest.Blueprint):
    def route(self, rule: str, *, parameters=None, tags=None, **options: Any):
        register = super().route(rule, parameters=parameters, tags=tags, **options)
        methods = {method.upper() for method in options.get("methods", ("GET",))}

        def decorator(view):
            if "<" in rule:
                view = self.alt_response(404, response="NOT_FOUND")(view)
            if methods & _COMMAND_METHODS and "<" in rule:
                view = self.alt_response(409, response="CONFLICT")(view)
            if methods & _BODY_METHODS:
                view = self.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")(view)
            return register(view)

        return decorator

    def arguments(self, schema, *args: Any, **kwargs: Any):
        as_wire = schema_instance(schema)
        parse = super().arguments(schema, *args, **kwargs)

        def decorator(view):
            @wraps(view)
            def with_wire_args(*view_args: Any, **view_kwargs: Any) -> Any:
                *rest, loaded = view_args
                return view(*rest, as_wire.dump(loaded), **view_kwargs)

            return parse(with_wire_args)

        return decorator

    def response(self, status_code, schema=None, **kwargs: Any):
        dump = super().response(status_code, schema, **kwargs)
        if schema is None:
            return dump

        def decorator(view):
            @wraps(view)
            def with_revived_result(*view_args: Any, **view_kwargs: Any) -> Any:
                return revive(schema, view(*view_args, **view_kwargs))

            return dump(with_revived_result)

        return decorator


class ServiceBlueprint(Blueprint):
    def response(self, status_code, schema=None, **kwargs: Any):
        document = flask_smorest.Blueprint.response(self, status_code, schema, **kwargs)
        if schema is None:
            return document

        def decorator(view):
            @wraps(view)
            def passed_through(*view_args: Any, **view_kwargs: Any) -> Any:
                result = view(*view_args, **view_kwargs)
                if isinstance(result, Response):
                    return result
                return current_app.response_class(
                    current_app.json.dumps(result) + "\n",
                    status=status_code,
                    mimetype="application/json",
                )

            return document(passed_through)

        return decorator
