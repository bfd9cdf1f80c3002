"""The paper of every form: A4, the form's title and number, one page (or more, when a
form runs long) per copy (联) marked with its keeper at the top and at the foot, field
grids, line tables and signature boxes, set in the CJK font of ``fonts``."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from gateway.documents.fonts import cjk_font
from gateway.documents.text import chinese_datetime

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 14 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
LINE = colors.HexColor("#333333")
SHADE = colors.HexColor("#EEEEEE")
ORDINALS = "一二三四五六七八九十"
# ReportLab keeps module-level state (font subsets, fonts registry, settings) and does not
# promise thread safety; a gateway worker serves requests on threads, so one form is laid
# out at a time per process (a form takes a fraction of a second).
_BUILDING = threading.Lock()


@dataclass(frozen=True)
class Copy:
    """One copy (联) of a form and who keeps it: ``Copy("质量管理部留存")``."""

    keeper: str


@dataclass(frozen=True)
class Signature:
    """A signature box: the role that signs, and what the suite recorded of it (who and
    when), printed small under the space left for the hand."""

    role: str
    recorded_by: str | None = None
    recorded_at: str | None = None


class Sheet:
    """Paragraph styles and building blocks of a form in one font."""

    def __init__(self, font: str) -> None:
        self.font = font
        self.title = ParagraphStyle(
            "title", fontName=font, fontSize=18, leading=24, alignment=TA_CENTER
        )
        self.heading = ParagraphStyle("heading", fontName=font, fontSize=10.5, leading=14)
        self.cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
        self.right = ParagraphStyle("right", parent=self.cell, alignment=TA_RIGHT)
        self.center = ParagraphStyle("center", parent=self.cell, alignment=TA_CENTER)
        self.small = ParagraphStyle(
            "small",
            parent=self.cell,
            fontSize=7.5,
            leading=10,
            textColor=colors.HexColor("#555555"),
        )
        self.stamp = ParagraphStyle(
            "stamp",
            fontName=font,
            fontSize=10,
            leading=13,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#B00000"),
        )

    def p(self, text: Any, style: ParagraphStyle | None = None) -> Paragraph:
        """User data as a paragraph: escaped, its line breaks kept."""
        value = "" if text is None else str(text)
        return Paragraph(escape(value).replace("\n", "<br/>"), style or self.cell)

    def _style(self, extra=()) -> TableStyle:
        return TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), self.font, 9),
                ("GRID", (0, 0), (-1, -1), 0.6, LINE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                *extra,
            ]
        )

    def _grid(self, data: list[list[Any]], widths: Sequence[float], extra=()) -> Table:
        table = Table(data, colWidths=list(widths))
        table.setStyle(self._style(extra))
        return table

    def section(self, title: str) -> Table:
        """A shaded band naming a part of the form."""
        return self._grid(
            [[self.p(title, self.heading)]], [WIDTH], [("BACKGROUND", (0, 0), (-1, -1), SHADE)]
        )

    def fields(self, pairs: Sequence[tuple[str, Any]], columns: int = 2) -> Table:
        """Label/value pairs, ``columns`` pairs a row; labels shaded."""
        label_width = (24 if columns < 3 else 17) * mm
        value_width = WIDTH / columns - label_width
        rows, row = [], []
        for name, value in pairs:
            row += [self.p(name), self.p(value)]
            if len(row) == 2 * columns:
                rows.append(row)
                row = []
        if row:
            rows.append(row + [""] * (2 * columns - len(row)))
        shading = [("BACKGROUND", (2 * c, 0), (2 * c, -1), SHADE) for c in range(columns)]
        return self._grid(rows, [label_width, value_width] * columns, shading)

    def text(self, name: str, value: Any, min_height: float = 0) -> Table:
        """A labelled block of free text (a description, findings), at least
        ``min_height`` high so there is room to write when it is short or empty."""
        label_width = 24 * mm
        content = self.p(value)
        _, needed = content.wrap(WIDTH - label_width - 12, PAGE_HEIGHT)
        height = min_height if needed + 6 < min_height else None
        table = Table(
            [[self.p(name), content]],
            colWidths=[label_width, WIDTH - label_width],
            rowHeights=[height],
        )
        table.setStyle(
            self._style(
                [("BACKGROUND", (0, 0), (0, -1), SHADE), ("VALIGN", (1, 0), (1, -1), "TOP")]
            )
        )
        return table

    def lines(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        numeric: Sequence[int] = (),
        empty_rows: int = 0,
        total: Sequence[Any] | None = None,
    ) -> Table:
        """A table of lines: a shaded header, ``rows``, ``empty_rows`` blank ones to fill
        in by hand, then the ``total`` row; columns ``numeric`` to the right."""
        scale = WIDTH / sum(widths)

        def cells(row: Sequence[Any]) -> list[Paragraph]:
            return [self.p(v, self.right if i in numeric else self.cell) for i, v in enumerate(row)]

        data: list[list[Any]] = [[self.p(h, self.center) for h in header]]
        data += [cells(row) for row in rows]
        data += [[""] * len(header) for _ in range(empty_rows)]
        if total is not None:
            data.append(cells(total))
        return self._grid(
            data, [w * scale for w in widths], [("BACKGROUND", (0, 0), (-1, 0), SHADE)]
        )

    def signatures(self, boxes: Sequence[Signature]) -> Table:
        """A row of signature boxes: role, room to sign, what the suite recorded, date."""
        width = WIDTH / len(boxes)
        recorded = []
        for box in boxes:
            note = " ".join(v for v in (box.recorded_by, box.recorded_at) if v)
            recorded.append(self.p(f"系统记录：{note}" if note else "", self.small))
        data = [
            [self.p(box.role, self.center) for box in boxes],
            ["" for _ in boxes],
            recorded,
            [self.p("日期：　　年　　月　　日", self.small) for _ in boxes],
        ]
        table = Table(data, colWidths=[width] * len(boxes), rowHeights=[None, 13 * mm, None, None])
        table.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.8, LINE),
                    ("LINEBEFORE", (1, 0), (-1, -1), 0.6, LINE),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, LINE),
                    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return table

    def note(self, text: str) -> Paragraph:
        return self.p(text, self.small)


class _CopyMark(Flowable):
    """Takes no room; tells the page's foot which copy this page belongs to."""

    def __init__(self, mark: str) -> None:
        super().__init__()
        self.mark = mark

    def wrap(self, *_):
        return 0, 0

    def draw(self):
        self.canv._form_copy = self.mark


@dataclass(frozen=True)
class Form:
    """A printable form: ``title`` (客户投诉处理表), the thing's ``number``, its copies and
    a function building its content (called once per copy)."""

    title: str
    number: str
    copies: Sequence[Copy]
    body: Callable[[Sheet], list[Flowable]]
    tag: str = ""  # under the number: 第 2 轮处理表


def copy_mark(index: int, total: int, copy: Copy) -> str:
    """``第一联（共五联）质量管理部留存``."""
    return f"第{ORDINALS[index]}联（共{ORDINALS[total - 1]}联）{copy.keeper}"


def render(form: Form, font_path: str, printed_at: datetime) -> bytes:
    """The form as a PDF, every copy starting on a page of its own."""
    sheet = Sheet(cjk_font(font_path))
    printed = chinese_datetime(printed_at)
    buffer = io.BytesIO()

    def foot(canvas, doc):
        canvas.saveState()
        canvas.setFont(sheet.font, 8)
        canvas.setStrokeColor(LINE)
        canvas.line(MARGIN, MARGIN - 2 * mm, PAGE_WIDTH - MARGIN, MARGIN - 2 * mm)
        y = MARGIN - 6 * mm
        canvas.drawString(MARGIN, y, f"{form.title} {form.number}")
        canvas.drawCentredString(PAGE_WIDTH / 2, y, getattr(canvas, "_form_copy", ""))
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN, y, f"打印于 {printed} · 第 {canvas.getPageNumber()} 页"
        )
        canvas.restoreState()

    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"{form.title} {form.number}",
        subject=" ".join(part for part in (form.title, form.number, form.tag) if part),
        creator="after-sales suite gateway",
        author="after-sales suite",
    )
    frame = Frame(
        MARGIN,
        MARGIN + 4 * mm,
        WIDTH,
        PAGE_HEIGHT - 2 * MARGIN - 4 * mm,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="form", frames=[frame], onPageEnd=foot)])

    story: list[Flowable] = []
    total = len(form.copies)
    for index, copy in enumerate(form.copies):
        if index:
            story.append(PageBreak())
        mark = copy_mark(index, total, copy)
        story += [_CopyMark(mark), _head(sheet, form, index, copy), Spacer(1, 3 * mm)]
        story += form.body(sheet)
    with _BUILDING:
        doc.build(story)
    return buffer.getvalue()


def _head(sheet: Sheet, form: Form, index: int, copy: Copy) -> Table:
    """Number, title, and the copy's stamp: ``第一联`` over its keeper."""
    stamp = sheet.p(f"第{ORDINALS[index]}联\n{copy.keeper}", sheet.stamp)
    number = sheet.p("\n".join(part for part in (f"编号：{form.number}", form.tag) if part))
    table = Table(
        [[number, sheet.p(form.title, sheet.title), stamp]],
        colWidths=[46 * mm, WIDTH - 92 * mm, 46 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (2, 0), (2, 0), 1, colors.HexColor("#B00000")),
            ]
        )
    )
    return table
