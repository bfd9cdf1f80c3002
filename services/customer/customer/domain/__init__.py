"""Customer records. Standard library only (and servicekit's pure parts).

One module per rule group:

- ``card``: the customer card, its lifecycle and the change requests of its terms
  (rule C1, rule C2, rule C3, rule C4, rule X1)
"""

from customer.domain.card import (
    DECIDING_ROLES,
    DIRECT_FIELDS,
    LIFECYCLE,
    NEW_STATUSES,
    ChangeRequest,
    Customer,
    CustomerSettings,
    check_discount,
)

__all__ = [
    "DECIDING_ROLES",
    "DIRECT_FIELDS",
    "LIFECYCLE",
    "NEW_STATUSES",
    "ChangeRequest",
    "Customer",
    "CustomerSettings",
    "check_discount",
]
