"""The contract's money field: decimal strings, rounded half-up to the cent (issue 10)."""

from decimal import Decimal

import pytest
from marshmallow import Schema, ValidationError

from servicekit.contracts.common import Money


class Priced(Schema):
    amount = Money(required=True)


@pytest.mark.parametrize(
    "given, loaded",
    [
        ("900.545", Decimal("900.55")),  # half-up, not banker's (900.54)
        ("900.544", Decimal("900.54")),
        ("0.005", Decimal("0.01")),
        ("12", Decimal("12.00")),
    ],
)
def test_money_is_rounded_half_up_to_the_cent(given, loaded):
    assert Priced().load({"amount": given})["amount"] == loaded
    assert Priced().dump({"amount": loaded}) == {"amount": str(loaded)}


@pytest.mark.parametrize("given", ["NaN", "Infinity", "abc"])
def test_what_is_not_an_amount_is_refused(given):
    with pytest.raises(ValidationError):
        Priced().load({"amount": given})
