"""Bodies of the identity endpoints (the gateway's own API, not a service's)."""

from marshmallow import Schema, fields, validate

from gateway.auth.passwords import MIN_LENGTH
from servicekit.contracts.common import ROLES, BodyList

# No whitespace, and no ':' (API keys act as "api_key:<name>").
USERNAME = validate.Regexp(r"^[^\s:]{1,150}$", error="1-150 characters, no spaces or ':'.")
API_KEY_ROLES = tuple(role for role in ROLES if role != "admin")


class TokenRequestSchema(Schema):
    username = fields.String(
        required=True, validate=validate.Length(max=150), metadata={"example": "admin"}
    )
    password = fields.String(
        required=True, validate=validate.Length(max=1024), metadata={"example": "s3cret-pass"}
    )


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
    disabled = fields.Boolean(
        required=True, metadata={"description": "A disabled user's tokens are refused (401)."}
    )
    created_at = fields.DateTime(required=True)


class UpdateUserSchema(Schema):
    """PATCH /users/{id}: only the fields given change."""

    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)),
        validate=validate.Length(max=len(ROLES)),
        metadata={"example": ["cs_manager"]},
    )
    department = fields.String(
        allow_none=True, validate=validate.Length(max=100), metadata={"example": "客户服务部"}
    )
    disabled = fields.Boolean(metadata={"example": True})


class ChangePasswordSchema(Schema):
    current_password = fields.String(
        required=True, validate=validate.Length(max=1024), metadata={"example": "long-enough-1"}
    )
    new_password = fields.String(
        required=True,
        validate=validate.Length(min=MIN_LENGTH, max=1024),
        metadata={"example": "even-longer-2"},
    )


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
    # Not required: a replay of the creation (Idempotency-Key) answers without it.
    key = fields.String(
        metadata={
            "description": "Shown once; only its hash is kept. Absent when the answer is an "
            "Idempotency-Key replay (Idempotent-Replayed: true)."
        }
    )
