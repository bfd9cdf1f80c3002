"""Customer records under ``/api/v1``: cards (rule C1), their lifecycle (rule C3) and
their terms, changed by two-party change requests (rule C4).

Each view makes one RPC to the ``customer`` service (methods documented in
``servicekit.contracts.customer``); commands get the acting user as ``actor``.
"""

from __future__ import annotations

from gateway.api._calls import ServiceCalls
from gateway.api._calls import actor as _actor
from gateway.auth.access import AUTHENTICATED, requires
from gateway.blueprint import ServiceBlueprint
from servicekit.contracts import customer as contract
from servicekit.contracts.common import PageArgsSchema, page_schema

blp = ServiceBlueprint("customers", __name__, url_prefix="/api/v1", description="Customer records")

CustomerPageSchema = page_schema(contract.CustomerSchema, "CustomerPage")
ChangeRequestPageSchema = page_schema(contract.ChangeRequestListItemSchema, "ChangeRequestPage")

CLERKS = ("sales_clerk", "sales_manager")
APPROVERS = ("sales_manager", "market_manager")
DECIDERS = ("market_manager", "finance")
AUDITORS = ("admin", "cs_manager")
# rule C4: who files change requests, and the two sides that decide them
CHANGE_REQUEST_READERS = (*CLERKS, *DECIDERS)

EXAMPLE_CARD = {
    "name": "华东机电有限公司",
    "nature": "distributor",
    "region": "华东",
    "industry": "机械制造",
    "address": "上海市浦东新区张江路 88 号",
    "contacts": [
        {
            "name": "王经理",
            "position": "采购经理",
            "phone": "13800000000",
            "email": "wang@example.cn",
            "role_in_decision": "decision_maker",
        }
    ],
    "payment_method": "bank_transfer",
    "settlement_terms": "net_30",
    "discount": "0.85",
    "credit_limit": "200000.00",
    "over_acceptance_ratio": "0.05",
    "owner": "li.sales",
    "pickup": False,
    "legal_representative": "张伟",
    "business_scope": "机电设备、五金交电的批发零售",
    "purchase_needs": "变频器、伺服电机",
    "purchase_frequency": "每月一次",
}


_customer = ServiceCalls(contract.SERVICE)


@blp.route("/customers", methods=["POST"])
@requires(*CLERKS)
@blp.arguments(contract.CreateCustomerSchema, example=EXAMPLE_CARD)
@blp.response(201, contract.CustomerSchema)
def create_customer(body):
    """Record a new customer card: ``pending_approval``, or ``lead`` with ``"status": "lead"``.

    The terms in the body (discount, settlement terms, credit limit, over-acceptance
    ratio) are a proposal: the card answers them as ``proposed_terms`` with its terms in
    effect null, until a manager approves the card (rule C3). A discount below the company
    floor -> 422 ``discount_below_floor``. Example body:
    ``{"name": "华东机电有限公司", "nature": "distributor", "region": "华东",
    "discount": "0.85", "settlement_terms": "net_30", "credit_limit": "200000.00"}``
    """
    return _customer("create_customer", body, _actor())


@blp.route("/customers", methods=["GET"])
@requires(AUTHENTICATED)
@blp.arguments(contract.CustomerFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, CustomerPageSchema)
def list_customers(filters, page_args):
    """Customers, filtered and paged; personal data masked as on one card (rule C11).

    ``q`` matches a part of the name or a whole licence or tax number; ``phone`` and
    ``tax_no`` find the cards with that contact phone or tax number (whole; ``+86``,
    spaces and hyphens do not matter). Each listed card's read is audited.

    Example: ``GET /api/v1/customers?q=机电&status=active&grade=A&page=1&per_page=50`` ->
    ``{"items": [...], "total": 1, "page": 1, "per_page": 50}``;
    ``GET /api/v1/customers?phone=138-0000-0000``
    """
    return _customer("list_customers", filters, page_args["page"], page_args["per_page"], _actor())


@blp.route("/customer-names", methods=["GET"])
@requires(AUTHENTICATED)
@blp.arguments(contract.CustomerNamesQuerySchema, location="query")
@blp.response(200, contract.CustomerNameSchema(many=True))
def customer_names(args):
    """Customers' company names by id, for pages that show names where answers carry ids.

    For every signed-in role: a customer's company name is business data every
    department works with (a warehouse clerk's return, finance's vouchers), not personal
    data, so no read is audited (rule C11). ``ids`` comma-separated, 1 to 100 (repeats
    count once; none or more -> 422 ``validation_error``); unknown ids are absent from
    the answer.

    Example: ``GET /api/v1/customer-names?ids=3f2c...,9a1b...`` -> ``[{"id": "3f2c...",
    "name": "华东机电有限公司"}]``
    """
    return _customer("customer_names", args["ids"])


@blp.route("/customers/<customer_id>", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.CustomerSchema)
def get_customer(customer_id):
    """One customer card, for every signed-in role; the read is audited (rule C11).

    Contacts' phone and email, licence and tax numbers are in clear for admin,
    sales_clerk, sales_manager, market_manager, cs_agent, cs_manager and finance, and
    masked for every other role and for API keys: ``"phone": "138****0000"``,
    ``"email": "w****@example.cn"``, ``"tax_no": "913****000X"``.

    Example: ``GET /api/v1/customers/3f2c...`` -> ``{"id": "3f2c...", "name":
    "华东机电有限公司", "status": "active", "discount": "0.85", ...}``
    """
    return _customer("get_customer", customer_id, _actor())


@blp.route("/customers/<customer_id>", methods=["PATCH"])
@requires(*CLERKS)
@blp.arguments(
    contract.UpdateCustomerSchema,
    example={"address": "苏州工业园区星湖街 1 号", "contacts": EXAMPLE_CARD["contacts"]},
)
@blp.response(200, contract.CustomerSchema)
def update_customer(body, customer_id):
    """Change card fields directly (audited).

    The direct fields: name, nature, region, industry, address, contacts, licence and tax
    numbers, payment method, owner, pickup, and the business fields legal_representative,
    business_scope, purchase_needs, purchase_frequency (seed 003).

    Discount, settlement terms, credit limit and over-acceptance ratio of an approved
    card change only by change request: 422 ``change_request_required`` (rule C4). On a
    card not yet approved they correct its ``proposed_terms`` (rule C3), which take effect with
    the approval. A new ``owner`` is announced as ``customer.owner_changed``.

    Example body: ``{"address": "苏州工业园区星湖街 1 号"}``
    """
    return _customer("update_customer", customer_id, body, _actor())


@blp.route("/customers/<customer_id>/submit", methods=["POST"])
@requires(*CLERKS)
@blp.response(200, contract.CustomerSchema)
def submit_customer(customer_id):
    """Submit a lead for approval: ``lead`` -> ``pending_approval`` (409 otherwise).

    Example: ``POST /api/v1/customers/3f2c.../submit`` (no body) -> the customer.
    """
    return _customer("submit_customer", customer_id, _actor())


@blp.route("/customers/<customer_id>/approve", methods=["POST"])
@requires(*APPROVERS)
@blp.response(200, contract.CustomerSchema)
def approve_customer(customer_id):
    """Approve a customer: ``pending_approval`` -> ``active`` (409 otherwise).

    Its proposed terms take effect now (rule C3): kept in its history with the approver, and
    announced in ``customer.customer_approved``.

    Example: ``POST /api/v1/customers/3f2c.../approve`` (no body) -> the customer.
    """
    return _customer("approve_customer", customer_id, _actor())


@blp.route("/customers/<customer_id>/status", methods=["POST"])
@requires(*APPROVERS)
@blp.arguments(contract.ChangeStatusSchema, example={"status": "dormant", "reason": "半年无订单"})
@blp.response(200, contract.CustomerSchema)
def change_status(body, customer_id):
    """Move a customer along its lifecycle (rule C3).

    To dormant, lost, or back to active (win-back); 409 for a move the lifecycle does not allow.

    Example body: ``{"status": "dormant", "reason": "半年无订单"}``
    """
    return _customer("change_status", customer_id, body, _actor())


@blp.route("/customers/<customer_id>/change-requests", methods=["POST"])
@requires(*CLERKS)
@blp.arguments(
    contract.ChangeRequestCreateSchema,
    example={"discount": "0.80", "credit_limit": "300000.00", "reason": "年度框架协议"},
)
@blp.response(201, contract.ChangeRequestSchema)
def request_change(body, customer_id):
    """Ask for a discount, settlement-terms, credit-limit or over-acceptance-ratio change (rule C4).

    It applies once the market manager and finance both approve. A card not approved
    yet has no terms in effect to change: 409 ``terms_not_in_effect``.

    Example body: ``{"discount": "0.80", "credit_limit": "300000.00", "reason": "年度框架协议"}``
    """
    return _customer("request_change", customer_id, body, _actor())


@blp.route("/customers/<customer_id>/change-requests", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.ChangeRequestSchema(many=True))
def list_change_requests(customer_id):
    """A customer's change requests, oldest first.

    Example: ``GET /api/v1/customers/3f2c.../change-requests`` -> ``[{"id": "...",
    "status": "pending", "changes": {"discount": {"old": "0.85", "new": "0.80"}}, ...}]``
    """
    return _customer("list_change_requests", customer_id)


@blp.route("/change-requests", methods=["GET"])
@requires(*CHANGE_REQUEST_READERS)
@blp.arguments(contract.ChangeRequestFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, ChangeRequestPageSchema)
def list_all_change_requests(filters, page_args):
    """Every customer's change requests, newest first, with the customer's name (rule C4).

    ``status`` (pending, partially_approved, applied, rejected), ``customer_id``, and
    ``awaiting`` (market_manager or finance): the pending and partially approved requests
    that side has not decided yet, what waits for it. Each with its changes (old and new
    values), reason, requester and the decisions so far.

    Example: ``GET /api/v1/change-requests?awaiting=finance&page=1&per_page=50`` ->
    ``{"items": [{"id": "9a1b...", "customer_id": "3f2c...", "customer_name":
    "华东机电有限公司", "status": "partially_approved", "changes": {"discount": {"old":
    "0.85", "new": "0.80"}}, "decisions": [{"role": "market_manager", ...}], ...}],
    "total": 1, "page": 1, "per_page": 50}``
    """
    return _customer.page("list_all_change_requests", filters, page_args)


@blp.route("/change-requests/<request_id>", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.ChangeRequestSchema)
def get_change_request(request_id):
    """One change request with its decisions.

    Example: ``GET /api/v1/change-requests/9a1b...`` -> ``{"id": "9a1b...", "status":
    "partially_approved", "decisions": [{"role": "market_manager", ...}], ...}``
    """
    return _customer("get_change_request", request_id)


@blp.route("/change-requests/<request_id>/decision", methods=["POST"])
@requires(*DECIDERS)
@blp.arguments(contract.DecisionSchema, example={"decision": "approve", "comment": "同意"})
@blp.response(200, contract.ChangeRequestSchema)
def decide_change_request(body, request_id):
    """Approve or reject a change request as market manager or finance (rule C4).

    The second approval applies it, any rejection ends it.

    Example body: ``{"decision": "approve", "comment": "同意"}``
    """
    return _customer("decide_change_request", request_id, body, _actor())


@blp.route("/customers/<customer_id>/audit", methods=["GET"])
@requires(*AUDITORS)
@blp.response(200, contract.AuditEntrySchema(many=True))
def customer_audit(customer_id):
    """Every change and read of a customer card, oldest first (rule C4, rule C11).

    With its change requests' changes. Who changed or read what, and when. A read is
    ``"action": "read"`` with ``"changes": {"view": "card"|"list"|"audit", "masked":
    bool, "roles": [...]}``. Reading the audit is itself recorded.

    Example: ``[{"at": "2026-01-05T08:00:00+00:00", "who": "li.clerk", "action":
    "updated", "changes": {"address": {"old": "...", "new": "..."}}}, {"at": "...",
    "who": "wh.zhang", "action": "read", "changes": {"view": "card", "masked": true,
    "roles": ["warehouse"]}}]``
    """
    return _customer("get_audit", customer_id, _actor())
