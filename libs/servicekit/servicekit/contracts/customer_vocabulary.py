"""The customer service's vocabulary (rule C1 to rule C4): names, event types and error
classes. Standard library only (and ``servicekit.errors``), so the service's domain
imports it without marshmallow; ``servicekit.contracts.customer`` re-exports all of it
beside the payload schemas."""

from servicekit.errors import Conflict, Forbidden, Invalid, NotFound

SERVICE = "customer"

NATURES = ("distributor", "agent", "end_user")
STATUSES = ("lead", "pending_approval", "active", "dormant", "lost")
PAYMENT_METHODS = ("cash", "bank_transfer", "acceptance_bill", "card")
# Shorter first (CONTRACT); the order is used when terms are compared.
SETTLEMENT_TERMS = (
    "cash_on_delivery",
    "net_15",
    "net_30",
    "net_60",
    "net_90",
    "monthly_statement",
)
ROLES_IN_DECISION = ("decision_maker", "signer", "influencer", "user", "other")
CHANGE_REQUEST_STATUSES = ("pending", "partially_approved", "applied", "rejected")
# rule C4: the two sides whose approvals a change request needs.
CHANGE_REQUEST_SIDES = ("market_manager", "finance")
# Fields that change only through a two-party change request (rule C4); a new card's
# are a proposal until the manager approves the card (rule C3).
TERMS_FIELDS = ("discount", "settlement_terms", "credit_limit", "over_acceptance_ratio")

# Events (published through the outbox as ``customer.<name>``).
CUSTOMER_APPROVED = "customer_approved"
TERMS_CHANGED = "terms_changed"
STATUS_CHANGED = "status_changed"
OWNER_CHANGED = "owner_changed"  # rule X1: finance keeps the owner for its collection rate
GRADE_CHANGED = "grade_changed"
EVENTS = (CUSTOMER_APPROVED, TERMS_CHANGED, STATUS_CHANGED, OWNER_CHANGED)


# --- errors -----------------------------------------------------------------
class CustomerNotFound(NotFound):
    code = "customer_not_found"
    default_message = "No such customer."


class ChangeRequestNotFound(NotFound):
    code = "change_request_not_found"
    default_message = "No such change request."


class IllegalStatusChange(Conflict):
    code = "illegal_status_change"
    default_message = "The customer's lifecycle does not allow this move."


class ChangeRequestClosed(Conflict):
    code = "change_request_closed"
    default_message = "The change request is already decided."


class AlreadyDecided(Conflict):
    code = "already_decided"
    default_message = "Your side has already decided this change request."


class ChangeRequestRequired(Invalid):
    code = "change_request_required"
    default_message = (
        "Discount, settlement terms, credit limit and over-acceptance ratio change only by"
        " change request."
    )


class TermsNotInEffect(Conflict):
    code = "terms_not_in_effect"
    default_message = (
        "The card's terms are still a proposal; they take effect when the card is approved,"
        " and change requests apply to terms in effect."
    )


class DiscountBelowFloor(Invalid):
    code = "discount_below_floor"
    default_message = "The discount is below the company floor."


class NotADecider(Forbidden):
    code = "not_a_decider"
    default_message = "Only the market manager and finance decide change requests."
