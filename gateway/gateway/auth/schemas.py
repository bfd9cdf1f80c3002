"""Bodies of the identity endpoints (the gateway's own API, not a service's)."""

from marshmallow import Schema, fields, validate

from gateway.auth.passwords import MIN_LENGTH
from servicekit.contracts.common import ROLES, BodyList

# No whitespace, and no ':' (API keys act as "api_key:<name>").
USERNAME = validate.Regexp(r"^[^\s:]{1,150}$", error="1-150 characters, no spaces or ':'.")
API_KEY_ROLES = tuple(role for role in ROLES if role != "admin")


class TokenRequestSchema(Schema):
    username = fields.String(required=True, metadata={"example": "admin"})
    password = fields.String(required=True, metadata={"example": "s3cret-pass"})


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "bearer"})
    expires_in = fields.Integer(required=True, metadata={"example": 3600})


class CreateUserSchema(Schema):
    username = fields.String(required=True, validate=USERNAME, metadata={"example": "wang.li"})
    password = fields.String(
        required=True,
        validate=validate.Length(min=MIN_LENGTH, max=1024),
        metadata={"example": "long-enough-1"},
    )
    roles = BodyList(
        fields.String(validate=validate.OneOf(ROLES)),
        required=True,
        metadata={"example": ["cs_agent"]},
    )
    department = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"example": "客户服务部"},
    )


class UserSchema(Schema):
    id = fields.String(required=True)
    username = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    department = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


class CreateApiKeySchema(Schema):
    name = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata={"example": "scanner-07"}
    )
    roles = BodyList(
        fields.String(validate=validate.OneOf(API_KEY_ROLES)),
        required=True,
        min_items=1,
        metadata={"example": ["warehouse"]},
    )


class ApiKeySchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.String(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class NewApiKeySchema(ApiKeySchema):
    key = fields.String(
        required=True, metadata={"description": "Shown once; only its hash is kept."}
    )
