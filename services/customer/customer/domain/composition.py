"""The composition analysis (rule C10, 客户构成分析, seed 001): a year's sales by grade
(等级构成), by product (商品构成) and by region (地区构成), each with its share of the
year's total, from the customer service's own summary of finance's invoices (rule X1);
the grade and the region are the card's.

An invoice without product lines (or whose lines sum to less than it) counts its
remainder under no product, so each grouping adds up to the total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from customer.domain.summaries import Purchase
from servicekit.contracts.customer_grading_vocabulary import GRADES
from servicekit.domain import money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Sale:
    """One invoice of the year, with the card's grade and region."""

    purchase: Purchase
    grade: str | None
    region: str | None


def share(part: Decimal, total: Decimal) -> Decimal:
    if total == 0:
        return Decimal("0.0000")
    return (part / total).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _grade_order(grade: str | None) -> int:
    return GRADES.index(grade) if grade in GRADES else len(GRADES)


def composition(year: int, sales: list[Sale]) -> dict[str, Any]:
    """The year's sales by grade, product and region (only invoices dated in ``year``)."""
    sales = [s for s in sales if s.purchase.date.year == year]
    total = money(sum((s.purchase.amount for s in sales), ZERO))
    grades: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    grade_customers: dict[str | None, set[str]] = defaultdict(set)
    regions: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    region_customers: dict[str | None, set[str]] = defaultdict(set)
    products: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    quantities: dict[str | None, int] = defaultdict(int)
    for sale in sales:
        purchase = sale.purchase
        grades[sale.grade] += purchase.amount
        grade_customers[sale.grade].add(purchase.customer_id)
        regions[sale.region] += purchase.amount
        region_customers[sale.region].add(purchase.customer_id)
        lined = ZERO
        for line in purchase.lines:
            products[line.sku] += line.amount
            quantities[line.sku] += line.quantity
            lined += line.amount
        if purchase.amount > lined:
            products[None] += purchase.amount - lined
    by_grade = [
        {
            "grade": grade,
            "customers": len(grade_customers[grade]),
            "amount": money(amount),
            "share": share(amount, total),
        }
        for grade, amount in sorted(grades.items(), key=lambda kv: _grade_order(kv[0]))
    ]
    by_product = [
        {
            "sku": sku,
            "quantity": quantities[sku],
            "amount": money(amount),
            "share": share(amount, total),
        }
        for sku, amount in sorted(
            products.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or "")
        )
    ]
    by_region = [
        {
            "region": region,
            "customers": len(region_customers[region]),
            "amount": money(amount),
            "share": share(amount, total),
        }
        for region, amount in sorted(
            regions.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or "")
        )
    ]
    return {
        "year": year,
        "total": total,
        "invoices": len(sales),
        "customers": len({s.purchase.customer_id for s in sales}),
        "by_grade": by_grade,
        "by_product": by_product,
        "by_region": by_region,
    }
