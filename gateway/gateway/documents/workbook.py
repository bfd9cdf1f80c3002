"""The monthly statistics of closed cases (客户投诉案件统计表, rule P11) as an .xlsx
workbook: a summary sheet and one sheet per table of the report (by cause, by
responsible department with its problem ratio, by product, by customer, improvements).
Counts are numbers, rates are numbers formatted as percents, so the departments can sum
and chart them."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gateway.documents import text as t

TITLE = "客户投诉案件统计表"
HEADER_FILL = PatternFill("solid", start_color="DDDDDD")
BOLD = Font(bold=True)
PERCENT = "0.00%"
HOURS = "0.00"


def _decimal(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(value)


def _month_title(month: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


def _by_count(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def cell_text(value: Any) -> Any:
    """A value as a cell may hold it: text loses the control characters a workbook cannot
    store (openpyxl refuses them, which made a 500 of a name typed with one)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def as_text(sheet: Worksheet) -> None:
    """Text that starts with "=" stays text: names and notes come from users, and a
    spreadsheet must not run them as formulas (formula injection)."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _table(
    sheet: Worksheet,
    header: Iterable[str],
    rows: Iterable[Iterable[Any]],
    formats: Mapping[int, str] | None = None,
    widths: Iterable[int] = (),
) -> None:
    """``header`` in row 1 (bold, shaded, frozen, filterable), ``rows`` below it."""
    sheet.append([cell_text(h) for h in header])
    for cell in sheet[1]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    for row in rows:
        sheet.append([cell_text(value) for value in row])
    as_text(sheet)
    for column, number_format in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = number_format
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def monthly_workbook(report: dict, customer_names: Mapping[str, str] | None = None) -> bytes:
    """``report`` as ``monthly_report`` gives it, as an .xlsx; ``customer_names`` maps
    the customer ids of ``by_customer`` to names (an id without one is left unnamed)."""
    names = customer_names or {}
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary["A1"] = f"{TITLE}（{_month_title(report['month'])}）"
    summary["A1"].font = Font(bold=True, size=14)
    rows = (
        ("统计月份", report["month"], None),
        ("结案件数", report["closed"], None),
        ("平均处理时长（小时）", _decimal(report.get("avg_handling_hours")), HOURS),
        ("及时受理率", _decimal(report.get("timely_acceptance_rate")), PERCENT),
        ("按时结案率", _decimal(report.get("on_time_closure_rate")), PERCENT),
    )
    for offset, (name, value, number_format) in enumerate(rows, start=3):
        summary.cell(offset, 1, name).font = BOLD
        cell = summary.cell(offset, 2, value)
        if number_format:
            cell.number_format = number_format
    summary.cell(len(rows) + 4, 1, "比率空白：当月无结案案件。")
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 16

    _table(
        book.create_sheet("按原因"),
        ["发生原因", "件数"],
        _by_count(report["by_cause"]),
        widths=(30, 10),
    )
    ratios = report.get("problem_ratio") or {}
    departments = sorted(
        set(report["by_department"]) | set(ratios),
        key=lambda d: (-report["by_department"].get(d, 0), d),
    )
    _table(
        book.create_sheet("按责任部门"),
        ["责任部门", "部门代码", "件数", "问题比率"],
        [
            (
                t.label(t.DEPARTMENTS, d),
                d,
                report["by_department"].get(d, 0),
                _decimal(ratios.get(d)),
            )
            for d in departments
        ],
        formats={4: PERCENT},
        widths=(18, 18, 10, 12),
    )
    _table(
        book.create_sheet("按产品"),
        ["料号", "件数"],
        _by_count(report["by_product"]),
        widths=(24, 10),
    )
    _table(
        book.create_sheet("按客户"),
        ["客户名称", "客户编号", "件数"],
        [(names.get(c), c, n) for c, n in _by_count(report["by_customer"])],
        widths=(36, 38, 10),
    )
    _table(
        book.create_sheet("改善对策"),
        ["案件编号", "发生原因", "改善对策"],
        [(i["number"], i.get("cause"), i["improvement"]) for i in report["improvements"]],
        widths=(20, 24, 60),
    )
    for cell in book["改善对策"]["C"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.properties.title = f"{TITLE} {report['month']}"
    book.properties.creator = "after-sales suite"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
