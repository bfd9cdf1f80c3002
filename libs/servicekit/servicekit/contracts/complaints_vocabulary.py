"""The complaints service's vocabulary: names, constants, event names and error classes.
Standard library only, so the domain can import it without marshmallow;
``servicekit.contracts.complaints`` re-exports all of it beside the payload schemas."""

from servicekit.errors import Conflict, Forbidden, Invalid, NotFound

SERVICE = "complaints"

CHANNELS = ("phone", "on_site", "email", "hotline", "pickup_point", "letter")  # rule P1
REQUEST_TYPES = ("return", "exchange", "allowance", "compensation", "replenishment", "other")
ACTION_TYPES = ("return", "exchange", "allowance", "compensation", "replenishment", "rework")
# An amount action may carry lines; a line action's amount is always sum(quantity * unit_price).
AMOUNT_ACTIONS = ("allowance", "compensation")
LINE_ACTIONS = ("return", "exchange", "replenishment", "rework")
# Actions whose goods come back through a return authorization of returns (rule P8).
GOODS_BACK_ACTIONS = ("return", "exchange", "rework")
# Actions credited by the return's reconciliation voucher (rule P8); lines = approved quantities.
CREDITED_ACTIONS = ("return", "exchange")
CAUSE_CATEGORIES = ("sales", "non_sales")

STATUSES = (
    "registered",
    "accepted",
    "rejected",
    "investigated",
    "planning",
    "executing",
    "resolved",
    "closed",
)
OPEN_STATUSES = tuple(s for s in STATUSES if s not in ("rejected", "closed"))
PLAN_STATUSES = ("pending_approval", "approved", "accepted", "declined")
# proposed: in a plan not yet accepted; dropped: its plan was declined.
ACTION_STATES = ("proposed", "in_progress", "done", "dropped")

APPROVER_RANKS = ("cs_manager", "vp", "gm")  # rule P6, lowest first

# Steps of a case with a due time (rule P10) and who answers for them.
STEPS = (
    "acceptance",
    "investigation",
    "planning",
    "approval",
    "response",
    "execution",
    "follow_up",
    "closure",
)
DEPARTMENTS = ("customer_service", "quality", "warehouse", "finance", "management")
NOTICE_TYPES = ("reminder", "escalation")
# due_soon: the reminder share of a step's time has passed; overdue: its due time has;
# closed_late: the case closed after its due date; exception: finance holds a return.
NOTICE_KINDS = ("due_soon", "overdue", "closed_late", "exception")

VOUCHER_TYPES = ("return_credit", "allowance", "compensation")

# Events published through the outbox as ``complaints.<name>``.
COMPLAINT_REGISTERED = "complaint_registered"
COMPLAINT_REJECTED = "complaint_rejected"
PLAN_ACCEPTED = "plan_accepted"
COMPLAINT_RESOLVED = "complaint_resolved"
COMPLAINT_CLOSED = "complaint_closed"
LOSS_APPORTIONED = "loss_apportioned"  # rule P12 -> finance's loss ledger
NOTICE_ISSUED = "notice_issued"
EVENTS = (
    COMPLAINT_REGISTERED,
    COMPLAINT_REJECTED,
    PLAN_ACCEPTED,
    COMPLAINT_RESOLVED,
    COMPLAINT_CLOSED,
    LOSS_APPORTIONED,
    NOTICE_ISSUED,
)


# --- errors -----------------------------------------------------------------
class ComplaintNotFound(NotFound):
    code = "complaint_not_found"
    default_message = "No such complaint."


class PlanNotFound(NotFound):
    code = "plan_not_found"
    default_message = "No such plan in this complaint."


class IllegalTransition(Conflict):
    code = "illegal_transition"
    default_message = "The complaint's current state does not allow this."


class PlanStillOpen(IllegalTransition):
    code = "plan_still_open"
    default_message = "A plan of this complaint is still awaiting approval or the customer."


class CustomerUnknown(Invalid):
    code = "customer_unknown"
    default_message = "No such customer."


class CustomerHasNoOrders(Invalid):
    code = "customer_has_no_orders"
    default_message = (
        "Complaints are registered for customers with orders (active, dormant, lost);"
        " a lead or a card pending approval has none yet."
    )


class ReasonRequired(Invalid):
    code = "reason_required"
    default_message = "A reason is required."


class SharesDoNotSumToOne(Invalid):
    code = "shares_do_not_sum_to_one"
    default_message = "Responsibility shares must sum to 1.00."


class ApproverRankTooLow(Forbidden):
    code = "approver_rank_too_low"
    default_message = "The plan's amount needs a higher approver."


# rule P11: the monthly compilation and its confirmations
class MonthlyReportNotFound(NotFound):
    code = "monthly_report_not_found"
    default_message = "The month's statistics are not compiled yet."


class NotResponsible(Invalid):
    code = "department_not_responsible"
    default_message = "The department has no responsibility share in the month's cases."


class WrongDepartment(Forbidden):
    code = "wrong_department"
    default_message = "Only a user of the department confirms its share."
