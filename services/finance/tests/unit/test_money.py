"""Money in the finance service is Decimal, rounded half-up to the cent where it is
rounded, and never goes through a binary float: the package holds no ``float`` and no
float literal (read from its tokens, so a comment or a string does not count)."""

import io
import tokenize
from decimal import Decimal
from pathlib import Path

import finance
from finance.domain.shared import line_amount, total

PACKAGE = Path(finance.__file__).parent


def _not_integer(number: str) -> bool:
    return not number.startswith("0x") and any(c in number for c in ".ej")


def float_uses(source: str) -> list[str]:
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and token.string == "float":
            found.append(f"{token.start[0]}: float")
        elif token.type == tokenize.NUMBER and _not_integer(token.string.lower()):
            found.append(f"{token.start[0]}: {token.string}")
    return found


def test_the_check_finds_a_float_conversion_and_a_float_literal():
    assert float_uses("amount = float(price) * 2\n") == ["1: float"]
    assert float_uses("ratio = 0.05\n") == ["1: 0.05"]
    assert float_uses('ratio = Decimal("0.05")  # not 0.05 as a float\n') == []


def test_the_finance_package_has_no_float_anywhere():
    found = {
        str(path.relative_to(PACKAGE)): uses
        for path in sorted(PACKAGE.rglob("*.py"))
        if (uses := float_uses(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_amounts_round_half_up_to_the_cent():  # rule F1
    assert line_amount(3, Decimal("0.125")) == Decimal("0.38")  # 0.375 -> 0.38, not 0.37
    assert line_amount(1, Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    assert total([Decimal("0.005"), Decimal("0.005")]) == Decimal("0.01")
