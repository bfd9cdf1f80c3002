"""The spreadsheets of the customer import (issue 11.8): a file read into rows of the
contract's columns, and the template written.

- .xlsx by openpyxl (the first sheet, values as last saved: formulas as their results);
  .csv by the standard library, UTF-8 (with or without BOM) or else GB18030 (what a
  Chinese Excel saves as "CSV").
- Row 1 is the header: column names (``servicekit.contracts.customer_imports.COLUMNS``) or
  the template's Chinese headers; a column nobody knows is ignored and named in the answer.
- Rows are numbered as the spreadsheet shows them; a row with every cell empty is not a
  card and is left out.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from servicekit.contracts import customer_imports as contract
from servicekit.errors import Invalid

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
DATA_SHEET = "客户资料"  # the template's first sheet
NOTES_SHEET = "说明"


class UnsupportedFile(Invalid):
    code = "unsupported_file"
    default_message = "The file must be an .xlsx or a .csv spreadsheet."


class UnreadableFile(Invalid):
    code = "unreadable_file"
    default_message = "The file could not be read as a spreadsheet."


class MissingColumns(Invalid):
    code = "missing_columns"
    default_message = "The header row lacks columns every card needs."


class TooManyRows(Invalid):
    code = "too_many_rows"
    default_message = "The file has more rows than one import takes; split it."


@dataclass
class Sheet:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row, column -> text)
    ignored_columns: list[str] = field(default_factory=list)


def text_of(value: Any) -> str | None:
    """A cell as text: numbers without a float's noise (0.85, 200000, not 200000.0),
    booleans as true/false, dates as ISO; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _records(filename: str, content: bytes) -> list[tuple[Any, ...]]:
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise UnreadableFile(details={"file": [f"not an .xlsx workbook: {exc}"]}) from exc
        try:
            return list(book.worksheets[0].iter_rows(values_only=True))
        finally:
            book.close()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes nearly every byte string
            raise UnreadableFile(details={"file": ["neither UTF-8 nor GB18030 text"]})
        try:
            return [tuple(r) for r in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error as exc:
            raise UnreadableFile(details={"file": [str(exc)]}) from exc
    raise UnsupportedFile(details={"file": [f"{filename!r}: .xlsx or .csv"]})


def read(filename: str, content: bytes, max_rows: int) -> Sheet:
    """The card rows of an uploaded file; 422 when it is no spreadsheet, its header
    lacks ``name`` or ``nature``, or it has more than ``max_rows`` card rows."""
    records = _records(filename, content)
    if not records:
        raise MissingColumns(details={"file": ["the file is empty"]})
    header = records[0]
    columns = [contract.column_of(h) for h in header]
    sheet = Sheet(
        ignored_columns=[
            str(h).strip() for h, c in zip(header, columns, strict=True) if c is None and text_of(h)
        ]
    )
    missing = [c for c in ("name", "nature") if c not in columns]
    if missing:
        raise MissingColumns(details={c: ["no such column in the header row"] for c in missing})
    for number, record in enumerate(records[1:], start=contract.FIRST_ROW):
        values = {}
        for column, cell in zip(columns, record, strict=False):
            text = text_of(cell)
            if column is not None and text is not None and column not in values:
                values[column] = text
        if not any(text_of(cell) for cell in record):
            continue
        sheet.rows.append((number, values))
        if len(sheet.rows) > max_rows:
            raise TooManyRows(details={"file": [f"more than {max_rows} card rows"]})
    return sheet


# --- the template ----------------------------------------------------------------------
def _notes() -> list[tuple[str, str, str]]:
    return [(column, header, note) for column, header, note in contract.COLUMNS]


def template_xlsx() -> bytes:
    """The Chinese header row, one example row, and a notes sheet with each header's
    column name and allowed values; the number columns formatted as text."""
    book = openpyxl.Workbook()
    data = book.active
    data.title = DATA_SHEET
    data.append([header for _, header, _ in contract.COLUMNS])
    data.append([contract.EXAMPLE_ROW.get(column) for column in contract.COLUMN_NAMES])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(contract.COLUMN_NAMES, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        data.column_dimensions[letter].width = max(12, len(column) + 2)
        # numbers kept as text (an 18-character tax number is no number to Excel)
        if column in ("license_no", "tax_no", "contact_phone"):
            data.column_dimensions[letter].number_format = "@"
            data.cell(row=2, column=index).number_format = "@"
    notes = book.create_sheet(NOTES_SHEET)
    notes.append(["表头", "列名 (column)", "填写说明 (allowed values)"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column, header, note in _notes():
        notes.append([header, column, note])
    notes.append([])
    notes.append(
        [
            "导入说明",
            "",
            "第 1 行为表头 (中文表头或列名均可); 每行一个客户; 导入的客户为待审批 "
            "(pending_approval); 已存在的税务登记号 (无税号时为相同名称) 不会重复导入。",
        ]
    )
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 28
    notes.column_dimensions["C"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """The column names as the header row and one example row, UTF-8 with a BOM (Excel
    then opens the Chinese text right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(contract.COLUMN_NAMES)
    writer.writerow([contract.EXAMPLE_ROW.get(c, "") for c in contract.COLUMN_NAMES])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(
    rows: list[dict[str, Any]], columns: tuple[str, ...] = contract.COLUMN_NAMES
) -> bytes:
    """A workbook of ``rows`` under a header of ``columns`` (tests and tools)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(DATA_SHEET)
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
