"""The returns service's vocabulary (rule R1 to rule R6): names, statuses, event types and
error classes. Standard library only (and ``servicekit.errors``), so the service's domain
imports it without marshmallow; ``servicekit.contracts.returns`` re-exports all of it
beside the payload schemas."""

from servicekit.errors import Conflict, Invalid, NotFound

SERVICE = "returns"

# A return authorization (rule R1): authorized -> receiving (first scan) -> received
# (signed off, rule R6) -> inspected (rule R3).
RETURN_STATUSES = ("authorized", "receiving", "received", "inspected")
# Scans are taken until the warehouse signs off.
RECEIVING_STATUSES = ("authorized", "receiving")
REPLENISHMENT_STATUSES = ("pending", "shipped")  # rule R5
# A sales return request (销售退货申请单, seed 002), decided by the market manager.
REQUEST_STATUSES = ("pending", "approved", "rejected")
REQUEST_CLASSES = ("exchange", "short_not_replenished", "quality_not_replenished", "no_reason")
DECISIONS = ("approve", "reject")

# A plan's actions whose goods come back through one authorization (complaints' rule P8:
# a rework action is done when the return is inspected), and those that ship goods out
# (an exchange's replacement and a replenishment, rule R5).
GOODS_BACK_ACTIONS = ("return", "exchange", "rework")
SHIPPED_ACTIONS = ("exchange", "replenishment")

# Stock effects of an inspection: good units back in (rule R3), scrap out at once (rule R4).
MOVEMENT_KINDS = ("returned_to_stock", "scrapped")

# Events (published through the outbox as ``returns.<name>``).
RETURN_AUTHORIZED = "return_authorized"
RETURN_RECEIVED = "return_received"
RETURN_INSPECTED = "return_inspected"
REPLENISHMENT_SHIPPED = "replenishment_shipped"
EVENTS = (RETURN_AUTHORIZED, RETURN_RECEIVED, RETURN_INSPECTED, REPLENISHMENT_SHIPPED)


# --- errors -----------------------------------------------------------------
class ReturnNotFound(NotFound):
    code = "return_not_found"
    default_message = "No such return authorization."


class ReturnRequestNotFound(NotFound):
    code = "return_request_not_found"
    default_message = "No such sales return request."


class ReplenishmentNotFound(NotFound):
    code = "replenishment_not_found"
    default_message = "No such replenishment shipment."


class NothingToReturn(Invalid):
    code = "nothing_to_return"
    default_message = "A return needs at least one line with a quantity above zero."


class SkuNotAuthorized(Invalid):
    code = "sku_not_authorized"
    default_message = "The sku is not on the return authorization."


class ReturnSignedOff(Conflict):
    code = "return_signed_off"
    default_message = "The return is signed off; no more receipts are taken."


class NothingReceived(Conflict):
    code = "nothing_received"
    default_message = "Nothing has been received on this return yet."


class ReturnNotReceived(Conflict):
    code = "return_not_received"
    default_message = "The return is inspected once it is signed off, and only once."


class InspectionMismatch(Invalid):
    code = "inspection_mismatch"
    default_message = "Good, rework and scrap must add up to the received quantity of each sku."


class CaseRequired(Invalid):
    code = "case_required"
    default_message = "A replenishment shipment ships against its complaint case."


class AlreadyShipped(Conflict):
    code = "already_shipped"
    default_message = "The replenishment is shipped already."


class RequestDecided(Conflict):
    code = "request_decided"
    default_message = "The sales return request is already decided."
