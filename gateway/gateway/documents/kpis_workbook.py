"""The departments' KPIs (issue 12.2) as an .xlsx workbook: a summary sheet of the
period's rates, the departments' handling hours, and one row per owner. Rates are numbers
formatted as percents; a blank cell: nothing counted."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from gateway.documents import text as t
from gateway.documents.workbook import BOLD, HOURS, PERCENT, _table

TITLE = "部门绩效指标"
LABELS = (
    ("file_completeness_rate", "客户档案完整率", PERCENT),
    ("timely_acceptance_rate", "客户投诉受理及时率", PERCENT),
    ("follow_up_rate", "客户回访率", PERCENT),
    ("follow_ups", "客户回访次数", "0"),
    ("resolution_rate", "客户投诉解决率", PERCENT),
    ("complaint_rate", "客户投诉率", PERCENT),
    ("satisfaction.average", "客户满意度（平均分）", HOURS),
    ("satisfaction.satisfied_share", "满意客户比例", PERCENT),
    ("enquiry_reply_on_time_rate", "客户咨询回复及时率", PERCENT),
)


def _value(report: dict, key: str) -> Any:
    value: Any = report
    for part in key.split("."):
        value = (value or {}).get(part)
    if isinstance(value, str):
        return Decimal(value)
    return value


def kpis_workbook(report: dict) -> bytes:
    """``report`` as ``GET /reports/kpis`` gives it, as an .xlsx."""
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary["A1"] = f"{TITLE}（{report['period']}）"
    summary["A1"].font = Font(bold=True, size=14)
    for row, (key, label, number_format) in enumerate(LABELS, start=3):
        summary.cell(row, 1, label).font = BOLD
        summary.cell(row, 2, key)
        summary.cell(row, 3, _value(report, key)).number_format = number_format
    summary.cell(len(LABELS) + 4, 1, "比率空白：期间内无可统计的数据。")
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 30
    summary.column_dimensions["C"].width = 14
    hours = report.get("department_handling_hours") or {}
    _table(
        book.create_sheet("各部门处理时效"),
        ["部门", "部门代码", "平均处理时长（小时）"],
        [(t.label(t.DEPARTMENTS, d), d, Decimal(h)) for d, h in sorted(hours.items())],
        formats={3: HOURS},
        widths=(18, 18, 20),
    )
    _table(
        book.create_sheet("按负责人"),
        ["负责人", *(label for _, label, _ in LABELS)],
        [
            (owner, *(_value(rates, key) for key, _, _ in LABELS))
            for owner, rates in sorted((report.get("by_owner") or {}).items())
        ],
        formats={i + 2: f for i, (_, _, f) in enumerate(LABELS)},
        widths=(16, *(14 for _ in LABELS)),
    )
    book.properties.title = f"{TITLE} {report['period']}"
    book.properties.creator = "after-sales suite"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
