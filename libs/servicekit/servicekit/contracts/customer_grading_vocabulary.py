"""The customer service's vocabulary for grading, key accounts, risk and warnings (rule C5,
rule C6, rule C7, rule C8): names and error classes. Standard library only (and
``servicekit.errors``), so the service's domain imports it without marshmallow;
``servicekit.contracts.customer_grading`` re-exports all of it beside the schemas."""

from servicekit.errors import Conflict, Invalid, NotFound

# rule C5: scale from the annual purchase amount, history from the cooperation years.
SCALES = ("large", "medium", "small")
HISTORY_BANDS = ("long", "medium", "short")
# rule C6
GRADES = ("A", "B", "C")
COMPONENTS = ("purchases", "cooperation", "payment", "complaints", "satisfaction")
# Why a grading ran: the first one, the periodic one, a large change, a person's request.
TRIGGERS = ("first", "periodic", "large_change", "manual")
# rule C8: lowest first (a rise is a move to the right).
RISK_LEVELS = ("low", "medium", "high")
RISK_FACTORS = ("overdue", "credit_record", "disputes", "complaints")
# rule C7, rule C8: the warnings and their lifecycle.
WARNING_TYPES = ("churn", "risk")
WARNING_STATUSES = ("open", "handled")
KEY_ACCOUNT_SOURCES = ("auto", "manager")
# rule C6: a run that re-grades every customer, in batches (``POST /customers/regrade``):
# running, then done; failed when a batch raised (starting again resumes it).
REGRADE_RUN_STATUSES = ("running", "failed", "done")

# Who the history names when the service acts by itself (a timer, an event).
SYSTEM = "system"

# Events (published through the outbox as ``customer.<name>``): ``grade_changed`` is
# ``customer_vocabulary.GRADE_CHANGED``; no service consumes it yet (audit only).


# --- errors -----------------------------------------------------------------
class WarningNotFound(NotFound):
    code = "warning_not_found"
    default_message = "No such warning."


class WarningHandled(Conflict):
    code = "warning_handled"
    default_message = "The warning already has its remedy."


class MaintenancePlanRequired(Invalid):
    code = "maintenance_plan_required"
    default_message = "A key account needs a maintenance plan (how, who, budget)."


class NotGradable(Conflict):
    code = "customer_not_gradable"
    default_message = (
        "A card is graded once it is approved: a lead or a card pending approval has no"
        " grade, key-account review or risk level yet."
    )


class RegradeRunning(Conflict):
    code = "regrade_running"
    default_message = (
        "A re-grading of every customer is running already; follow it with"
        " GET /customers/regrade/{run_id}."
    )


class RegradeRunNotFound(NotFound):
    code = "regrade_run_not_found"
    default_message = "No such re-grading run."
