"""The customer service's published API (rule C1, rule C2, rule C3, rule C4; CONTRACT "Customers").

RPC methods (service name ``customer``); every command takes ``actor`` =
``{"username", "roles", "department"}`` last:

- ``create_customer(data, actor)`` -> customer            (CreateCustomerSchema)
- ``get_customer(customer_id, actor=None)`` -> customer   personal data masked unless
                                                          the actor may read it (rule C11)
- ``list_customers(filters, page, per_page, actor=None)`` -> page (CustomerFilterSchema)
- ``update_customer(customer_id, changes, actor)``        (UpdateCustomerSchema)
- ``submit_customer(customer_id, actor)``                 lead -> pending_approval
- ``approve_customer(customer_id, actor)``                pending_approval -> active;
                                                          the proposed terms take effect
- ``change_status(customer_id, data, actor)``             (ChangeStatusSchema)
- ``request_change(customer_id, data, actor)`` -> change request (ChangeRequestCreateSchema)
- ``decide_change_request(request_id, data, actor)`` -> change request (DecisionSchema)
- ``get_change_request(request_id)``, ``list_change_requests(customer_id)``
- ``list_all_change_requests(filters, page, per_page)`` -> page of every customer's change
                                                          requests with the customer's name
                                                          (ChangeRequestFilterSchema)
- ``get_audit(customer_id, actor=None)`` -> every change and read (rule C11)
- ``customer_names(ids)`` -> ``[{"id", "name"}]`` of up to 100 ids (CustomerNamesSchema);
                                                          unknown ids absent; no personal
                                                          data, so no read is audited
- ``health()`` -> {"service": "customer", "status": "ok"}
"""

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from servicekit.contracts.common import BodyList, EventSchema, HistoryEntrySchema, Money, Ratio
from servicekit.contracts.customer_vocabulary import (  # noqa: F401  (the published API)
    CHANGE_REQUEST_SIDES,
    CHANGE_REQUEST_STATUSES,
    CUSTOMER_APPROVED,
    EVENTS,
    GRADE_CHANGED,
    NATURES,
    OWNER_CHANGED,
    PAYMENT_METHODS,
    ROLES_IN_DECISION,
    SERVICE,
    SETTLEMENT_TERMS,
    STATUS_CHANGED,
    STATUSES,
    TERMS_CHANGED,
    TERMS_FIELDS,
    AlreadyDecided,
    ChangeRequestClosed,
    ChangeRequestNotFound,
    ChangeRequestRequired,
    CustomerNotFound,
    DiscountBelowFloor,
    IllegalStatusChange,
    NotADecider,
    TermsNotInEffect,
)

# The over-acceptance ratio is the tolerance of finance's return reconciliation (not
# built yet).
_TOLERANCE = "over-acceptance tolerance of returns; null: the company default"


# --- payloads ---------------------------------------------------------------
class ContactSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    position = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    email = fields.Email(load_default=None, allow_none=True)
    role_in_decision = fields.String(
        load_default="other", validate=validate.OneOf(ROLES_IN_DECISION)
    )


class _CardFields(Schema):
    """Fields of the customer card that change directly (audited)."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    region = fields.String(allow_none=True, validate=validate.Length(max=100))
    industry = fields.String(allow_none=True, validate=validate.Length(max=100))
    address = fields.String(allow_none=True, validate=validate.Length(max=500))
    contacts = BodyList(fields.Nested(ContactSchema))
    license_no = fields.String(allow_none=True, validate=validate.Length(max=64))
    tax_no = fields.String(allow_none=True, validate=validate.Length(max=64))
    payment_method = fields.String(validate=validate.OneOf(PAYMENT_METHODS))
    owner = fields.String(validate=validate.Length(min=1, max=150))
    pickup = fields.Boolean()
    nature = fields.String(validate=validate.OneOf(NATURES))
    # seed 003 (客户信息收集): 法定代表人, 经营范围, 采购需求, 采购频率
    legal_representative = fields.String(allow_none=True, validate=validate.Length(max=100))
    business_scope = fields.String(allow_none=True, validate=validate.Length(max=2000))
    purchase_needs = fields.String(allow_none=True, validate=validate.Length(max=2000))
    purchase_frequency = fields.String(
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"description": "how often the customer buys, in words (每月, quarterly)"},
    )


class CreateCustomerSchema(_CardFields):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    nature = fields.String(required=True, validate=validate.OneOf(NATURES))
    owner = fields.String(load_default=None, validate=validate.Length(min=1, max=150))
    contacts = BodyList(fields.Nested(ContactSchema), load_default=list)
    payment_method = fields.String(
        load_default="bank_transfer", validate=validate.OneOf(PAYMENT_METHODS)
    )
    settlement_terms = fields.String(
        load_default="cash_on_delivery", validate=validate.OneOf(SETTLEMENT_TERMS)
    )
    # The proposed terms: in effect only once a manager approves the card (rule C3).
    # Decimal defaults: marshmallow hands a default over as it is, without loading it.
    discount = Ratio(load_default=Decimal("1.00"), validate=validate.Range(min=0, max=1))
    credit_limit = Money(load_default=Decimal("0.00"), validate=validate.Range(min=0))
    over_acceptance_ratio = Ratio(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=1)
    )
    pickup = fields.Boolean(load_default=False)
    status = fields.String(
        load_default="pending_approval", validate=validate.OneOf(("lead", "pending_approval"))
    )


class UpdateCustomerSchema(_CardFields):
    """PATCH body; terms fields are accepted here only to answer 422 change_request_required."""

    discount = Ratio()
    settlement_terms = fields.String()
    credit_limit = Money()
    over_acceptance_ratio = Ratio(allow_none=True)


class ChangeStatusSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("dormant", "lost", "active")))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ChangeRequestCreateSchema(Schema):
    discount = Ratio(validate=validate.Range(min=0, max=1))
    settlement_terms = fields.String(validate=validate.OneOf(SETTLEMENT_TERMS))
    credit_limit = Money(validate=validate.Range(min=0))
    over_acceptance_ratio = Ratio(
        allow_none=True,
        validate=validate.Range(min=0, max=1),
        metadata={"description": _TOLERANCE},
    )
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class DecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class CustomerFilterSchema(Schema):
    q = fields.String(
        metadata={"description": "a part of the name, or a whole licence or tax number"}
    )
    # rule C11: found by the keyed hash of the normalised value, never by decrypting
    phone = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={"description": "a contact's phone, whole (+86, spaces, hyphens ignored)"},
    )
    tax_no = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "the tax number, whole (case, spaces, hyphens ignored)"},
    )
    status = fields.String(validate=validate.OneOf(STATUSES))
    grade = fields.String(validate=validate.OneOf(("A", "B", "C")))
    nature = fields.String(validate=validate.OneOf(NATURES))
    region = fields.String()
    risk = fields.String(validate=validate.OneOf(("high", "medium", "low")))
    key_account = fields.Boolean()
    owner = fields.String()


class ChangeRequestFilterSchema(Schema):
    """Filters of every customer's change requests (rule C4)."""

    status = fields.String(validate=validate.OneOf(CHANGE_REQUEST_STATUSES))
    customer_id = fields.String(validate=validate.Length(min=1, max=64))
    awaiting = fields.String(
        validate=validate.OneOf(CHANGE_REQUEST_SIDES),
        metadata={
            "description": "a side whose decision is still missing: the pending and"
            " partially approved requests that side has not decided yet"
        },
    )


# The most ids one customer_names lookup takes (a console page's rows).
MAX_NAME_IDS = 100
_ID = validate.Length(min=1, max=64)


class CustomerNamesSchema(Schema):
    """``customer_names``' argument: up to MAX_NAME_IDS customer ids."""

    ids = fields.List(
        fields.String(validate=_ID), required=True, validate=validate.Length(max=MAX_NAME_IDS)
    )


class IdList(fields.String):
    """A query parameter of comma-separated ids (``ids=a,b,c``), loaded as the list of
    its 1 to MAX_NAME_IDS distinct ids in their order; none, or more -> 422. Dumped (as
    the gateway dumps loaded arguments for RPC) it stays that list."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None or isinstance(value, str):
            return super()._serialize(value, attr, obj, **kwargs)
        return [str(i) for i in value]

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        ids = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
        if not ids:
            raise ValidationError("Give at least one id.")
        if len(ids) > MAX_NAME_IDS:
            raise ValidationError(f"At most {MAX_NAME_IDS} ids, not {len(ids)}.")
        too_long = [i for i in ids if len(i) > 64]
        if too_long:
            raise ValidationError(f"An id has at most 64 characters: {too_long[0][:70]}")
        return ids


class CustomerNamesQuerySchema(Schema):
    """``GET /customer-names?ids=a,b,c``."""

    ids = IdList(
        required=True,
        metadata={
            "description": f"comma-separated customer ids, 1 to {MAX_NAME_IDS}"
            " (repeats count once)",
            "example": "3f2c...,9a1b...",
        },
    )


class CustomerNameSchema(Schema):
    """A customer's id and company name: business data, not personal (rule C11)."""

    id = fields.String(required=True)
    name = fields.String(required=True)


class ContactOutSchema(ContactSchema):
    pass


class TermsSchema(Schema):
    """A card's terms (rule C4): the ones in effect, or a new card's proposal."""

    discount = Ratio(required=True)
    settlement_terms = fields.String(required=True)
    credit_limit = Money(required=True)
    over_acceptance_ratio = Ratio(allow_none=True, metadata={"description": _TOLERANCE})


_IN_EFFECT = "In effect; null while the card awaits approval (see proposed_terms)."


class CustomerSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    nature = fields.String(required=True)
    region = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    contacts = fields.List(fields.Nested(ContactOutSchema), required=True)
    license_no = fields.String(allow_none=True)
    tax_no = fields.String(allow_none=True)
    payment_method = fields.String(required=True)
    # rule C3: the terms in effect are null until the card is approved; until then
    # the card's terms are only proposed_terms, so nobody reads a proposal as granted.
    settlement_terms = fields.String(allow_none=True, metadata={"description": _IN_EFFECT})
    discount = Ratio(allow_none=True, metadata={"description": _IN_EFFECT})
    credit_limit = Money(allow_none=True, metadata={"description": _IN_EFFECT})
    over_acceptance_ratio = Ratio(
        allow_none=True,
        metadata={"description": f"In effect ({_TOLERANCE})."},
    )
    proposed_terms = fields.Nested(
        TermsSchema,
        allow_none=True,
        metadata={
            "description": "A new card's terms, not in effect until the card is approved;"
            " null once approved."
        },
    )
    owner = fields.String(allow_none=True)
    pickup = fields.Boolean(required=True)
    legal_representative = fields.String(allow_none=True)
    business_scope = fields.String(allow_none=True)
    purchase_needs = fields.String(allow_none=True)
    purchase_frequency = fields.String(allow_none=True)
    status = fields.String(required=True)
    grade = fields.String(allow_none=True)
    risk = fields.String(allow_none=True)
    key_account = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    approved_at = fields.DateTime(allow_none=True)
    approved_by = fields.String(allow_none=True)


class ApprovalSchema(Schema):
    role = fields.String(
        required=True, metadata={"description": "the side that decided: market_manager or finance"}
    )
    by = fields.String(required=True)
    decision = fields.String(required=True)
    comment = fields.String(allow_none=True)
    at = fields.String(required=True, metadata={"description": "ISO 8601 time"})


class ChangeRequestSchema(Schema):
    id = fields.String(required=True)
    customer_id = fields.String(required=True)
    changes = fields.Dict(required=True)  # field -> {"old", "new"}
    reason = fields.String(required=True)
    status = fields.String(required=True)
    requested_by = fields.String(required=True)
    requested_at = fields.DateTime(required=True)
    decisions = fields.List(fields.Nested(ApprovalSchema), required=True)
    decided_at = fields.DateTime(allow_none=True)


class ChangeRequestListItemSchema(ChangeRequestSchema):
    """A change request in the list of every customer's, with its customer's name."""

    customer_name = fields.String(required=True)


class AuditEntrySchema(HistoryEntrySchema):
    pass


# --- events -----------------------------------------------------------------
class CustomerTermsEventSchema(EventSchema):
    """Payload of ``customer.customer_approved``, ``customer.terms_changed`` and
    ``customer.status_changed``: the terms finance needs to reconcile returns, check
    credit and count collections (finance, not built yet)."""

    customer_id = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    credit_limit = Money(required=True)
    settlement_terms = fields.String(required=True)
    discount = Ratio(required=True)
    over_acceptance_ratio = Ratio(allow_none=True)
    owner = fields.String(allow_none=True)
    # rule X1: grows with every event about the customer; a copy keeps the newest
    version = fields.Integer(load_default=None, allow_none=True)
    change_request_id = fields.String()  # terms_changed: the request that changed them
    action = fields.String()  # status_changed: went_dormant, lost, reactivated, won_back


class OwnerChangedEventSchema(EventSchema):
    """Payload of ``customer.owner_changed``: the sales person a customer's receivables
    count for from now on (finance's collection rate), so finance keeps its own copy
    (rule X1)."""

    customer_id = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    owner = fields.String(required=True)
    previous_owner = fields.String(allow_none=True)
    changed_by = fields.String(required=True)
    version = fields.Integer(load_default=None, allow_none=True)  # rule X1


EVENT_SCHEMAS = {
    CUSTOMER_APPROVED: CustomerTermsEventSchema,
    TERMS_CHANGED: CustomerTermsEventSchema,
    STATUS_CHANGED: CustomerTermsEventSchema,
    OWNER_CHANGED: OwnerChangedEventSchema,
}
