"""Warehouse returns. Standard library only (and servicekit's pure parts).

One module per rule group; ``ReturnAuthorization`` (in ``authorization``) mixes the
first three into one aggregate:

- ``authorization``: the return authorization from a plan or a request (rule R1)
- ``receiving``: scanner receipts, sign-off and posting (rule R2, rule R6)
- ``posting``: the settings, and when the daily posting batch is due (rule R6)
- ``inspection``: quality's split, stock movements and scrap (rule R3, rule R4)
- ``replenishment``: replenishment shipments (rule R5)
- ``requests``: sales return requests (seed 002) decided by the market manager
- ``shared``: lines, receipts, movements, scrap records, numbers and checks
"""

from returns.domain.authorization import ReturnAuthorization
from returns.domain.posting import ReturnsSettings, due_batch
from returns.domain.replenishment import Replenishment, ShipmentLine
from returns.domain.requests import SalesReturnRequest
from returns.domain.shared import (
    AuthorizedLine,
    Receipt,
    ReceivedLine,
    ScrapRecord,
    StockMovement,
    return_number,
)

__all__ = [
    "AuthorizedLine",
    "Receipt",
    "ReceivedLine",
    "Replenishment",
    "ReturnAuthorization",
    "ReturnsSettings",
    "SalesReturnRequest",
    "ScrapRecord",
    "ShipmentLine",
    "StockMovement",
    "due_batch",
    "return_number",
]
