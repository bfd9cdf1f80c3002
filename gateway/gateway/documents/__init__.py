"""The seeds' paper from what the services answer: the printable forms as PDF (set in a
CJK TrueType font, one page per copy marked with its keeper, signature boxes) and the
monthly statistics as an .xlsx workbook. Plain functions of the services' answers, no
Flask: ``gateway.api.documents`` serves them.

- ``handling_form(complaint, customer, round_)`` -> 客户投诉处理表, five copies
- ``return_form(authorization, customer, basis_of(complaint, request))`` -> 成品退货单, four
- ``allowance_certificate(voucher, customer)`` -> 销货折让证明单, two
- ``pdf(form, font_path)`` -> the form's bytes; ``monthly_workbook(report, names)`` -> .xlsx
"""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.documents.allowance_certificate import (
    NoAllowanceCertificate,
    allowance_certificate,
    certificate_of,
)
from gateway.documents.complaint_form import handling_form, round_plan
from gateway.documents.fonts import PdfFontMissing
from gateway.documents.layout import Form, render
from gateway.documents.return_form import basis_of, return_form
from gateway.documents.workbook import monthly_workbook

__all__ = [
    "Form",
    "NoAllowanceCertificate",
    "PdfFontMissing",
    "allowance_certificate",
    "basis_of",
    "certificate_of",
    "handling_form",
    "monthly_workbook",
    "pdf",
    "return_form",
    "round_plan",
]


def pdf(form: Form, font_path: str, printed_at: datetime | None = None) -> bytes:
    """``form`` as PDF bytes, its foot saying when it was printed (default: now)."""
    return render(form, font_path, printed_at or datetime.now(UTC))
