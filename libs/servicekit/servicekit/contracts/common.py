"""Schema pieces every contract uses (CONTRACT "HTTP conventions")."""

from decimal import ROUND_HALF_UP

from marshmallow import EXCLUDE, Schema, fields, validate

ROLES = (
    "admin",
    "cs_agent",
    "cs_manager",
    "sales_clerk",
    "sales_manager",
    "market_manager",
    "quality",
    "warehouse",
    "finance",
    "vp",
    "gm",
)
MAX_PER_PAGE = 200
# CONTRACT "Lists": page 1..100,000 (422 outside); an unbounded page overflowed SQLite's
# OFFSET into a 500.
MAX_PAGE = 100_000
# CONTRACT "HTTP conventions": a list inside a request body has at most 500 items.
MAX_BODY_ITEMS = 500


def Money(**kwargs) -> fields.Decimal:  # noqa: N802 - reads like a field class
    """A money amount: decimal string with two places, never a float; more places are
    rounded half-up to the cent (issue 10: explicit rounding, not banker's)."""
    kwargs.setdefault("metadata", {})
    kwargs["metadata"] = {
        "type": "string",
        "format": "decimal",
        "example": "1234.50",
        **kwargs["metadata"],
    }
    kwargs.setdefault("rounding", ROUND_HALF_UP)
    return fields.Decimal(as_string=True, places=2, allow_nan=False, **kwargs)


def Ratio(**kwargs) -> fields.Decimal:  # noqa: N802
    kwargs["metadata"] = {
        "type": "string",
        "format": "decimal",
        "example": "0.85",
        **kwargs.get("metadata", {}),
    }
    return fields.Decimal(as_string=True, allow_nan=False, **kwargs)


def BodyList(inner: fields.Field, *, min_items: int = 0, **kwargs) -> fields.List:  # noqa: N802
    """A list inside a request body: ``min_items`` to ``MAX_BODY_ITEMS`` items, else 422
    (rendered as minItems/maxItems in the OpenAPI document)."""
    length = validate.Length(min=min_items or None, max=MAX_BODY_ITEMS)
    extra = kwargs.pop("validate", None)
    validators = [length, *([extra] if callable(extra) else extra or [])]
    return fields.List(inner, validate=validators, **kwargs)


class ActorSchema(Schema):
    """Who asks: passed with every command so history and rank rules know."""

    username = fields.String(required=True)
    roles = BodyList(fields.String(validate=validate.OneOf(ROLES)), required=True)
    department = fields.String(load_default=None, allow_none=True)


class EventSchema(Schema):
    """What every event payload carries: its id (the consumer's inbox key, rule X2) and
    when it happened. Consumers leave out fields they do not know: a newer producer may
    add some."""

    class Meta:
        unknown = EXCLUDE

    event_id = fields.String(required=True)
    occurred_at = fields.String()


class PageArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class HistoryEntrySchema(Schema):
    at = fields.DateTime(required=True)
    who = fields.String(required=True)
    action = fields.String(required=True)
    changes = fields.Dict(required=True)


_HISTORY = HistoryEntrySchema(many=True)


def dump_with_history(schema: Schema, view: tuple) -> dict:
    """``(aggregate, history)`` as its contract schema dumps it, with its ``history``
    (rule X3): what a service's ``get_...`` query answers."""
    aggregate, history = view
    return {**schema.dump(aggregate), "history": _HISTORY.dump(history)}


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """``{"items": [...], "total", "page", "per_page"}`` of ``item_schema``."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
        },
        name=name,
    )
