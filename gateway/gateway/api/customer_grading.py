"""Customer grading, key accounts, risk and warnings under ``/api/v1`` (rule C5, rule C6,
rule C7, rule C8): a customer's grade and its history, re-grading, the summary of its
purchases, receivables and complaints the grades read, its risk, the key accounts with
their maintenance plans, and the churn and risk warnings with their remedies.

Each view makes one RPC to the ``customer`` service (methods documented in
``servicekit.contracts.customer_grading``); commands get the acting user as ``actor``.
"""

from __future__ import annotations

from gateway.api._calls import ServiceCalls
from gateway.api._calls import actor as _actor
from gateway.auth.access import AUTHENTICATED, requires
from gateway.blueprint import ServiceBlueprint
from servicekit.contracts import customer_grading as contract
from servicekit.contracts.common import PageArgsSchema, page_schema

blp = ServiceBlueprint(
    "customer_grading",
    __name__,
    url_prefix="/api/v1",
    description="Customer grades, key accounts, risk and warnings",
)

KeyAccountPageSchema = page_schema(contract.KeyAccountSchema, "KeyAccountPage")
WarningPageSchema = page_schema(contract.WarningSchema, "WarningPage")

# CONTRACT "Who may do what" (admin may do everything; every role may read customers).
REGRADERS = ("market_manager",)
KEY_ACCOUNT_MANAGERS = ("sales_manager", "market_manager")
REMEDIERS = ("cs_agent", "cs_manager", "sales_clerk", "sales_manager")

EXAMPLE_KEY_ACCOUNT = {
    "key_account": True,
    "plan": {
        "how": "每月拜访一次，季度业务回顾，优先排产",
        "who": "li.sales",
        "budget": "20000.00",
    },
    "owner": "li.sales",
}
EXAMPLE_REMEDY = {"action": "销售经理本周上门拜访，恢复季度返利政策"}


_customer = ServiceCalls(contract.SERVICE)
_page = _customer.page


# --- rule C5, rule C6: grades ----------------------------------------------------------
@blp.route("/customers/<customer_id>/grade", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.GradeSchema)
def get_grade(customer_id):
    """A customer's grade (rule C6) with its score, components, scale and history band.

    Scale and history band: rule C5. Nulls before the customer's first grading.

    Example: ``GET /api/v1/customers/3f2c.../grade`` -> ``{"grade": "B", "score": "68.40",
    "components": {"purchases": "48.00", "cooperation": "30.00", "payment": "100.00",
    "complaints": "75.00", "satisfaction": "75.00"}, "scale": "medium", "history_band":
    "medium", "graded_at": "...", "trigger": "periodic", "reason": "...", "inputs": {...}}``
    """
    return _customer("get_grade", customer_id)


@blp.route("/customers/<customer_id>/grade-history", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.GradeChangeSchema(many=True))
def list_grade_history(customer_id):
    """Every grading that changed something, with its reason and components, oldest first.

    ``trigger``: ``first``, ``periodic`` (monthly by default), ``large_change`` (the scale or
    history band moved, or the score by ``CUSTOMER_LARGE_CHANGE_POINTS``) or ``manual``.
    Example: ``[{"at": "...", "by": "system", "trigger": "large_change", "reason": "large
    change: scale medium -> large", "grade": "A", "previous_grade": "B", ...}]``
    """
    return _customer("list_grade_history", customer_id)


@blp.route("/customers/regrade", methods=["POST"])
@requires(*REGRADERS)
@blp.response(202, contract.RegradeRunSchema)
def regrade_all():
    """Start re-grading every approved customer (rule C6); answers at once with the run.

    The customer service grades ``CUSTOMER_REGRADE_BATCH_SIZE`` customers (200) per
    transaction, each batch's ``customer.grade_changed`` events going out with it; follow
    the run with ``GET /customers/regrade/{run_id}`` until ``done``. One run at a time:
    while one is running -> 409 ``regrade_running`` with ``details.run_id``. A run
    interrupted half-way (an instance gone: its lease of ``CUSTOMER_REGRADE_LEASE_SECONDS``
    ran out; or ``failed``) is taken over by the next request, which answers it with
    ``resumed`` counted, and grades the customers it had not reached.

    Example: ``POST /api/v1/customers/regrade`` (no body) -> 202 ``{"id": "9b1e...",
    "status": "running", "requested_by": "chen.mm", "started_at": "...", "finished_at":
    null, "total": 1200, "graded": 0, "changed": 0, "batches": 0, "resumed": 0, "error":
    null}``
    """
    return _customer("regrade_all", _actor())


@blp.route("/customers/regrade/<run_id>", methods=["GET"])
@requires(*REGRADERS)
@blp.response(200, contract.RegradeRunSchema)
def get_regrade_run(run_id):
    """A re-grading run (rule C6): ``running``, ``failed`` or ``done``, with its counts.

    Example: ``GET /api/v1/customers/regrade/9b1e...`` -> ``{"id": "9b1e...", "status":
    "done", "total": 1200, "graded": 1200, "changed": 85, "batches": 6, "finished_at":
    "...", ...}``; an unknown run -> 404 ``regrade_run_not_found``.
    """
    return _customer("get_regrade_run", run_id)


@blp.route("/customers/<customer_id>/regrade", methods=["POST"])
@requires(*REGRADERS)
@blp.response(200, contract.GradeSchema)
def regrade_customer(customer_id):
    """Re-grade one customer now (rule C6), kept in its grade history as ``manual``.

    A lead or a card pending approval -> 409 ``customer_not_gradable``. A new grade letter
    is announced as ``customer.grade_changed``. Example: ``POST
    /api/v1/customers/3f2c.../regrade`` (no body) -> the grade.
    """
    return _customer("regrade_customer", customer_id, _actor())


@blp.route("/customers/<customer_id>/summary", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.SummarySchema)
def get_summary(customer_id):
    """The customer's purchases, receivables and complaints as the customer service keeps them.

    Its own summary of finance's invoices and ledger and of complaints' cases (rule X1):
    what grades, key accounts and risk read.

    Example: ``GET /api/v1/customers/3f2c.../summary`` -> ``{"purchases": {"in_window":
    "1250000.00", "by_month": {"2026-10": "900.00"}, "by_quarter": {...}, "by_product":
    {"P-100": {"quantity": 2, "amount": "900.00"}}, ...}, "receivables": {"balance":
    "900.00", "overdue": "0.00", ...}, "complaints": {"total": 1, "open": 1, ...}}``
    """
    return _customer("get_summary", customer_id)


# --- rule C8: risk -------------------------------------------------------------------
@blp.route("/customers/<customer_id>/risk", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.RiskSchema)
def get_risk(customer_id):
    """A customer's risk level (rule C8) and its factors, each with its points.

    The factors: overdue share, credit record, disputes (open complaints) and recent
    complaints.

    A rise to high proposes a cut credit limit and shorter terms as a change request
    (``change_request_id``, decided by market manager and finance like any other) and
    requires a guarantee. Example: ``{"level": "high", "points": 4, "factors": {"overdue":
    {"share": "0.6000", "points": 2, ...}, ...}, "guarantee_required": true, ...}``
    """
    return _customer("get_risk", customer_id)


# --- rule C7: key accounts -----------------------------------------------------------
@blp.route("/key-accounts", methods=["GET"])
@requires(AUTHENTICATED)
@blp.arguments(contract.KeyAccountFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, KeyAccountPageSchema)
def list_key_accounts(filters, page_args):
    """The key accounts (大客户), by name, each with its maintenance plan and owner.

    By the rule (``source`` auto: grade and scale) or designated by a manager.

    Example: ``GET /api/v1/key-accounts?owner=li.sales`` -> ``{"items": [{"customer_id":
    "...", "name": "华东机电有限公司", "key_account": true, "source": "manager", "plan":
    {"how": "...", "who": "li.sales", "budget": "20000.00"}, ...}], "total": 1, ...}``
    """
    return _page("list_key_accounts", filters, page_args)


@blp.route("/customers/<customer_id>/key-account", methods=["POST"])
@requires(*KEY_ACCOUNT_MANAGERS)
@blp.arguments(contract.SetKeyAccountSchema, example=EXAMPLE_KEY_ACCOUNT)
@blp.response(200, contract.KeyAccountSchema)
def set_key_account(body, customer_id):
    """Designate a key account with its maintenance plan, or take a customer off the list.

    rule C7: the plan says how, who and with what budget; ``"key_account": false`` takes
    the customer off.

    A manager's decision stands: the grading rule no longer moves this customer. A new key
    account without a plan -> 422 ``maintenance_plan_required``. ``owner`` is who the
    warnings name (the card's owner when not given). Example body: ``{"key_account": true,
    "plan": {"how": "每月拜访一次", "who": "li.sales", "budget": "20000.00"}}``
    """
    return _customer("set_key_account", customer_id, body, _actor())


# --- rule C7, rule C8: warnings -----------------------------------------------------
@blp.route("/warnings", methods=["GET"])
@requires(AUTHENTICATED)
@blp.arguments(contract.WarningFilterSchema, location="query")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, WarningPageSchema)
def list_warnings(filters, page_args):
    """Churn and risk warnings, newest first.

    Churn (流失预警, rule C7): purchases fell 30 % or more against the quarter before, or
    complaints spiked; risk (风险预警, rule C8): the risk level rose.

    Each names the account's owner and waits for a remedy. Example: ``GET
    /api/v1/warnings?type=churn&status=open`` -> ``{"items": [{"id": "...", "customer_id":
    "...", "type": "churn", "reason": "purchases fell 40.00% in 2026Q3 ...", "owner":
    "li.sales", "status": "open", ...}], "total": 1, ...}``
    """
    return _page("list_warnings", filters, page_args)


@blp.route("/warnings/<warning_id>", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, contract.WarningSchema)
def get_warning(warning_id):
    """One warning with its figures (``details``) and, once handled, its remedy.

    Example: ``GET /api/v1/warnings/7b1e...`` -> ``{"id": "7b1e...", "type": "risk",
    "status": "handled", "action": "要求提供银行保函", "handled_by": "wu.kf", ...}``
    """
    return _customer("get_warning", warning_id)


@blp.route("/warnings/<warning_id>/remedy", methods=["POST"])
@requires(*REMEDIERS)
@blp.arguments(contract.RemedySchema, example=EXAMPLE_REMEDY)
@blp.response(200, contract.WarningSchema)
def remedy_warning(body, warning_id):
    """Record the remedy taken (补救措施): the warning is ``handled`` (rule C7, rule C8).

    Handled already -> 409 ``warning_handled``. ``remedy`` is accepted for ``action``.
    Example body: ``{"action": "销售经理本周上门拜访，恢复季度返利政策"}``
    """
    return _customer("remedy_warning", warning_id, body, _actor())
