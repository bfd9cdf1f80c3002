"""gateway.documents without the app: how values read on paper, and a form that runs
longer than a page (each of its pages still names its copy)."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from gateway import documents
from gateway.documents import text
from gateway.settings import DEFAULT_PDF_FONT


@pytest.mark.parametrize(
    "amount, words",
    [
        ("300", "人民币叁佰元整"),
        ("300.00", "人民币叁佰元整"),
        ("1800.50", "人民币壹仟捌佰元伍角整"),
        ("20.07", "人民币贰拾元零柒分"),
        ("0.05", "人民币伍分"),
        ("0", "人民币零元整"),
        ("1005", "人民币壹仟零伍元整"),
        ("10001", "人民币壹万零壹元整"),
        ("100100", "人民币壹拾万零壹佰元整"),
        ("1000010", "人民币壹佰万零壹拾元整"),
        ("123456789.12", "人民币壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"),
        ("900.545", "人民币玖佰元伍角伍分"),  # half-up to the cent, as the contract rounds
    ],
)
def test_amounts_in_capital_numerals(amount, words):
    assert text.amount_in_words(amount) == words


@pytest.mark.parametrize(
    "value, shown",
    [
        ("2026-11-01", "2026年11月1日"),  # a date stays the date it is
        ("2026-11-27T15:59:00+00:00", "2026年11月27日"),
        ("2026-11-27T16:00:00+00:00", "2026年11月28日"),  # midnight in Beijing
        (None, ""),
    ],
)
def test_dates_in_chinese_on_beijing_time(value, shown):
    assert text.chinese_date(value) == shown


def test_times_in_chinese_on_beijing_time():
    assert text.chinese_datetime("2026-11-27T20:05:00+00:00") == "2026年11月28日 04:05"


def test_codes_read_as_the_departments_name_them_and_unknown_ones_as_they_are():
    assert text.label(text.DEPARTMENTS, "production") == "生产部"
    assert text.label(text.DEPARTMENTS, "包装车间") == "包装车间"
    assert text.label(text.APPROVERS, "gm") == "总经理"  # rule P6
    assert text.percent("0.35") == "35.00%" and text.percent(None) == "—"
    assert text.money("1800") == "1,800.00"


def test_a_form_longer_than_a_page_marks_every_page_with_its_copy(tmp_path):
    voucher = {
        "id": "v-1",
        "number": "PZ-1",
        "type": "allowance",
        "status": "issued",
        "certificate": {
            "number": "ZR-1",
            "customer_id": "c-1",
            "complaint_number": "TS-1",
            "amount": "10.00",
            "lines": [
                {"sku": f"P-{n}", "quantity": 1, "unit_price": "0.20", "amount": "0.20"}
                for n in range(50)
            ],
            "signatories": ["manager", "general_manager", "customer"],
            "issued_at": "2026-11-28T09:30:00+00:00",
        },
    }
    form = documents.allowance_certificate(voucher, {"name": "华东机电"})
    pdf = documents.pdf(form, DEFAULT_PDF_FONT, datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
    source = tmp_path / "long.pdf"
    source.write_bytes(pdf)
    pages = subprocess.run(
        ["pdftotext", "-layout", source, "-"], check=True, capture_output=True, text=True
    ).stdout.split("\f")[:-1]
    assert len(pages) == 4  # two copies of two pages each
    marks = ["第一联（共二联）客户服务部门存"] * 2 + ["第二联（共二联）送会计作账"] * 2
    for page, mark in zip(pages, marks, strict=True):
        assert mark in page and "打印于 2026年11月28日 10:00" in page
    assert "P-49" in pages[1] and "P-49" in pages[3]


def test_no_certificate_is_printed_for_another_voucher():
    with pytest.raises(documents.NoAllowanceCertificate):
        documents.allowance_certificate({"id": "v-2", "type": "compensation"}, None)


def test_a_font_that_is_no_truetype_font_is_refused(tmp_path):
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_text("not a font")
    form = documents.allowance_certificate(
        {
            "certificate": {
                "number": "ZR-1",
                "customer_id": "c-1",
                "amount": "1.00",
                "signatories": ["customer"],
            }
        },
        None,
    )
    with pytest.raises(documents.PdfFontMissing) as raised:
        documents.pdf(form, str(not_a_font))
    assert raised.value.details["GATEWAY_PDF_FONT"] == str(not_a_font)
    assert raised.value.http_status == 503


def certificate_voucher(number: str) -> dict:
    return {
        "id": number,
        "type": "allowance",
        "status": "issued",
        "certificate": {
            "number": number,
            "customer_id": "c-1",
            "amount": "300.00",
            "lines": [],
            "signatories": ["manager", "general_manager", "customer"],
        },
    }


def test_forms_printed_on_several_threads_at_once_each_keep_their_own_content(tmp_path):
    # a gateway worker serves requests on threads (gthread)
    numbers = [f"ZR-2026-{n:06d}" for n in range(8)]

    def print_one(number: str) -> bytes:
        form = documents.allowance_certificate(certificate_voucher(number), {"name": number})
        return documents.pdf(form, DEFAULT_PDF_FONT)

    with ThreadPoolExecutor(max_workers=8) as pool:
        printed = list(pool.map(print_one, numbers))
    for number, content in zip(numbers, printed, strict=True):
        source = tmp_path / f"{number}.pdf"
        source.write_bytes(content)
        text = subprocess.run(
            ["pdftotext", source, "-"], check=True, capture_output=True, text=True
        ).stdout
        assert text.count(number) >= 4  # number and buyer on both copies
        assert all(other not in text for other in numbers if other != number)


def test_workbook_cells_take_any_users_text_as_text():
    # Owners, departments and customer names come from users: a control character made
    # openpyxl refuse the workbook (a 500 the fuzzer found on /reports/kpis.xlsx), and
    # text starting with "=" would have run as a formula.
    import io as _io

    from openpyxl import Workbook, load_workbook

    from gateway.documents.workbook import _table

    book = Workbook()
    _table(book.active, ["owner", "amount"], [("li\x01na\x1f", 1), ('=HYPERLINK("x")', 2)])
    buffer = _io.BytesIO()
    book.save(buffer)
    sheet = load_workbook(_io.BytesIO(buffer.getvalue())).active
    assert sheet["A2"].value == "lina"
    assert sheet["A3"].value == '=HYPERLINK("x")' and sheet["A3"].data_type == "s"
