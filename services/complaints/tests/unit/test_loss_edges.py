"""Edges of the loss apportionment (rule P12) that mutation testing found untested
(issue 8.9, docs/mutation.md): share bounds and where the rounding's cents go."""

from decimal import Decimal

import pytest

from complaints.domain import apportion
from servicekit.errors import Invalid


@pytest.mark.parametrize("shares", [["1", "0"], ["1.5", "-0.5"]])
def test_every_share_of_a_loss_is_greater_than_zero(shares):  # rule P12
    with pytest.raises(Invalid) as refused:
        apportion(Decimal("1.00"), [Decimal(s) for s in shares])
    assert "shares" in refused.value.details


def test_a_leftover_cent_goes_to_the_largest_remainder_not_the_first_part():  # rule P12
    # 0.10 over 0.31 / 0.69 is 3.1 and 6.9 cents: the cent rounding took goes to the second.
    assert apportion(Decimal("0.10"), [Decimal("0.31"), Decimal("0.69")]) == [
        Decimal("0.03"),
        Decimal("0.07"),
    ]
