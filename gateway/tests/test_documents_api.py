"""The printable forms and the spreadsheet (CONTRACT "Reports, forms and the console") with a
fake RPC client: who may print what, what each form reads over RPC, and the documents
themselves: the PDF's pages rendered to PNG (pdftoppm) counted and checked not blank, each
page's text (pdftotext) with its title, number and copy's keeper; the workbook read back
with openpyxl."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import openpyxl
import pytest
from PIL import Image, ImageStat

from gateway.tests import matrix
from servicekit.contracts.common import ROLES
from servicekit.contracts.customer_vocabulary import CustomerNotFound
from servicekit.contracts.finance_vocabulary import VoucherNotFound
from servicekit.contracts.returns_vocabulary import ReturnNotFound

AT = "2026-11-27T08:00:00+00:00"  # 16:00 in Beijing
LATER = "2026-11-28T17:30:00+00:00"  # 01:30 on 29 November in Beijing
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def action(**changes):
    return {
        "id": "a-1", "plan_id": "p-2", "type": "return", "amount": "900.00", "state": "done",
        "lines": [{"id": "al-1", "sku": "P-100", "description": "控制柜外壳", "quantity": 2,
                   "unit_price": "450.00", "amount": "900.00"}],
        "return_id": "ra-1", "received_at": None, "voucher_issued_at": None, "voucher_id": None,
        "shipment_id": None, "shipped_at": None, "inspected_at": None, "done_at": None,
        **changes,
    }  # fmt: skip


RETURN_ACTION = action()
ALLOWANCE_ACTION = action(id="a-2", type="allowance", amount="300.00", lines=[], state="done")
DECLINED = {
    "id": "p-1", "complaint_id": "cp-1", "round": 1, "previous_plan_id": None,
    "status": "declined", "amount": "200.00", "required_approver": "cs_manager",
    "actions": [action(id="a-0", plan_id="p-1", type="allowance", amount="200.00", lines=[],
                       state="dropped")],
    "posted_by": "wang.cs", "posted_at": AT, "approved_by": "li.csm", "approved_at": AT,
    "responded_by": "wang.cs", "responded_at": AT, "response_comment": "客户认为折让太少",
}  # fmt: skip
ACCEPTED = {
    **DECLINED, "id": "p-2", "round": 2, "previous_plan_id": "p-1", "status": "accepted",
    "amount": "1200.00", "required_approver": "vp",
    "actions": [RETURN_ACTION, ALLOWANCE_ACTION], "approved_by": "zhou.vp", "approved_at": LATER,
    "responded_at": LATER, "response_comment": "客户同意退货并折让",
}  # fmt: skip
COMPLAINT = {
    "id": "cp-1", "number": "TS-2026-000123", "customer_id": "c-1", "owner": "li.clerk",
    "channel": "hotline", "order_no": "SO-20261101-07", "ship_date": "2026-11-01",
    "description": "收到的控制柜外壳破损，两台外壳凹陷", "request": "return",
    "lines": [{"id": "l-1", "sku": "P-100", "description": "控制柜外壳", "quantity": 2,
               "unit_price": "450.00"}],
    "registered_by": "wang.cs", "registered_at": AT, "status": "closed", "promised_days": 7,
    "due_at": "2026-12-04T08:00:00+00:00", "accepted_by": "wang.cs", "accepted_at": AT,
    "rejected_reason": None, "rejected_at": None, "resolved_at": LATER, "closed_at": LATER,
    "current_step": None, "step_due_at": None, "timely_acceptance": True,
    "on_time_closure": True, "satisfaction": 5, "overdue": False,
    "investigation": {
        "id": "i-1", "findings": "包装泡沫不足，运输中受压", "cause": "包装不良",
        "cause_category": "non_sales", "improvement": "外箱加护角",
        "responsibility": [
            {"id": "r-1", "department": "production", "person": "张三", "share": "0.70"},
            {"id": "r-2", "department": "quality", "person": None, "share": "0.30"},
        ],
        "investigated_by": "zhao.qa", "investigated_at": AT,
    },
    "plans": [DECLINED, ACCEPTED], "actions": [RETURN_ACTION, ALLOWANCE_ACTION], "steps": [],
    "follow_ups": [{"id": "f-1", "round": 2, "satisfied": True, "score": 5, "notes": "很满意",
                    "by": "wang.cs", "at": LATER}],
    "notices": [], "history": [],
}  # fmt: skip
RETURN = {
    "id": "ra-1", "number": "RA-2026-000012", "complaint_id": "cp-1", "plan_id": "p-2",
    "request_id": None, "customer_id": "c-1", "owner": "li.clerk", "status": "inspected",
    "lines": [{"sku": "P-100", "description": "控制柜外壳", "authorized_quantity": 2,
               "received_quantity": 3, "unit_price": "450.00", "reason": "外壳破损",
               "handling": "退货", "good": 2, "rework": 0, "scrap": 1}],
    "receipts": [],
    "differences": [{"sku": "P-100", "authorized_quantity": 2, "received_quantity": 3,
                     "difference": 1, "charged_to": "li.clerk"}],
    "created_at": AT, "updated_at": LATER, "received_at": LATER, "received_by": "wu.wh",
    "posted_at": LATER, "inspected_at": LATER, "inspected_by": "zhou.qa", "witness": "li.clerk",
    "history": [],
}  # fmt: skip
RETURN_REQUEST = {
    "id": "rr-1", "customer_id": "c-1", "class": "no_reason",
    "basis": "年度框架协议第 7 条：30 天内无理由退货",
    "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}], "status": "approved",
    "filed_by": "li.clerk", "filed_at": AT, "decided_by": "ma.mm", "decided_at": AT,
    "comment": None, "return_id": "ra-2", "history": [],
}  # fmt: skip
CERTIFICATE = {
    "number": "ZR-2026-000045", "title": "销货折让证明单", "customer_id": "c-1",
    "complaint_id": "cp-1", "complaint_number": "TS-2026-000123", "amount": "300.00",
    "lines": [], "signatories": ["manager", "general_manager", "customer"],
    "issued_at": "2026-11-28T09:30:00.123456+00:00",
}  # fmt: skip
VOUCHER = {
    "id": "v-1", "number": "PZ-2026-000045", "type": "allowance", "customer_id": "c-1",
    "complaint_id": "cp-1", "plan_id": "p-2", "action_id": "a-2", "return_id": None,
    "reconciliation_id": None, "amount": "300.00", "status": "issued", "lines": [],
    "certificate": CERTIFICATE, "issued_at": "2026-11-28T09:30:00+00:00", "posted_at": None,
    "posted_by": None, "proof_method": None, "proof_reference": None, "history": [],
}  # fmt: skip
REPORT = {
    "month": "2026-10",
    "closed": 12,
    "by_cause": {"包装不良": 5, "装配工艺": 7},
    "by_department": {"production": 4, "quality": 2},
    "by_product": {"P-100": 6, "SEAL-02": 1},
    "by_customer": {"c-1": 3, "c-gone": 1},
    "problem_ratio": {"production": "0.35", "quality": "0.10"},
    "avg_handling_hours": "52.50",
    "timely_acceptance_rate": "0.92",
    "on_time_closure_rate": "0.83",
    "improvements": [{"number": "TS-2026-000123", "cause": "包装不良", "improvement": "加护角"}],
}


def customer_card(customer_id, _actor=None):
    if customer_id == "c-gone":
        raise CustomerNotFound()
    return {"id": customer_id, "name": "华东机电有限公司"}


@pytest.fixture(autouse=True)
def canned(rpc):
    matrix.answer_with(rpc, "complaints", {"get_complaint": COMPLAINT, "monthly_report": REPORT})
    matrix.answer_with(rpc, "returns", {"get_return": RETURN, "get_return_request": RETURN_REQUEST})
    matrix.answer_with(rpc, "finance", {"get_voucher": VOUCHER})
    matrix.answer_with(rpc, "customer", {"get_customer": customer_card})
    return rpc


# --- reading the documents back ----------------------------------------------------
def pdf_pages(content: bytes, folder: Path) -> list[Image.Image]:
    """Each page rendered to PNG by poppler's pdftoppm (fails if it is not installed)."""
    source = folder / "form.pdf"
    source.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "40", "-png", source, folder / "page"], check=True)
    return [Image.open(p).convert("L") for p in sorted(folder.glob("page-*.png"))]


def page_text(content: bytes, folder: Path, page: int) -> str:
    source = folder / "form.pdf"
    source.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", source, "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def ink(page: Image.Image) -> float:
    """The share of the page printed dark."""
    histogram = page.histogram()
    return sum(histogram[:128]) / sum(histogram)


def check_pages(content: bytes, folder: Path, keepers: list[str], *texts: str) -> list[str]:
    """A PDF of one page per copy, each with ink on it (neither blank nor black), its
    copy's ordinal and keeper, and ``texts``; the pages' texts."""
    assert content.startswith(b"%PDF-")
    pages = pdf_pages(content, folder)
    assert len(pages) == len(keepers)
    ordinals = "一二三四五"
    found = []
    for number, (page, keeper) in enumerate(zip(pages, keepers, strict=True), start=1):
        assert 0.005 < ink(page) < 0.5, f"page {number} looks blank or black"
        assert ImageStat.Stat(page).stddev[0] > 20  # lines and text, not a flat grey
        text = page_text(content, folder, number)
        assert f"第{ordinals[number - 1]}联" in text and keeper in text, text
        for expected in texts:
            assert expected in text, (expected, text)
        found.append(text)
    return found


def get(client, token_for, path: str, role: str):
    return client.get(path, headers=token_for(role))


# --- who may print what: who may read the thing -------------------------------------
ANYONE = tuple(ROLES)
FINANCE = ("finance",)
OVERSEERS = ("cs_manager", "vp", "gm", "market_manager")
HANDLING_FORM = "/api/v1/complaints/cp-1/handling-form.pdf"
RETURN_FORM = "/api/v1/returns/ra-1/return-form.pdf"
CERTIFICATE_PDF = "/api/v1/finance/vouchers/v-1/allowance-certificate.pdf"
MONTHLY = "/api/v1/reports/complaints/monthly.xlsx"

# (method, path, body, roles besides admin, first RPC method, status)
ENDPOINTS = [
    ("GET", HANDLING_FORM, None, ANYONE, "get_complaint", 200),
    ("GET", RETURN_FORM, None, ANYONE, "get_return", 200),
    ("GET", CERTIFICATE_PDF, None, FINANCE, "get_voucher", 200),
    ("GET", f"{MONTHLY}?month=2026-10", None, OVERSEERS, "monthly_report", 200),
]


@pytest.mark.parametrize("case", matrix.role_cases(ENDPOINTS))
def test_role_matrix(client, rpc, token_for, case):
    response = get(client, token_for, case.path, case.role)
    if case.allowed:
        assert response.status_code == case.status, response.get_json()
        assert rpc.calls[0].method == case.rpc_method
        assert response.mimetype in (PDF, XLSX)
    else:
        assert response.status_code == 403, response.get_json()
        assert response.get_json()["error"]["code"] == "forbidden"
        assert rpc.calls == []


def test_the_matrix_covers_every_documents_endpoint(app):
    samples = {"complaint_id": "cp-1", "return_id": "ra-1", "voucher_id": "v-1"}
    matrix.check_matrix_covers(app, "documents", ENDPOINTS, samples)


def test_a_form_needs_a_token(client, rpc):
    assert client.get(RETURN_FORM).status_code == 401
    assert rpc.calls == []


# --- 客户投诉处理表: five copies, each for its keeper (seed 000) ---------------------------
HANDLING_KEEPERS = ["质量管理部留存", "生产部门留存", "客户投诉部门依批示办理", "财务部留存",
                    "总经理办公室留存"]  # fmt: skip


def test_the_handling_form_has_five_copies_each_marked_for_its_keeper(
    client, rpc, token_for, tmp_path
):
    response = get(client, token_for, HANDLING_FORM, "cs_agent")
    assert response.status_code == 200
    assert response.mimetype == PDF
    texts = check_pages(
        response.data, tmp_path, HANDLING_KEEPERS, "客户投诉处理表", "TS-2026-000123",
        "华东机电有限公司", "SO-20261101-07",
    )  # fmt: skip
    first = texts[0]
    # dates in Chinese on Beijing time; the ship date is a date
    assert "2026年11月1日" in first and "2026年11月27日 16:00" in first
    # rule P4: quality's findings and the responsibility shares
    assert "包装泡沫不足" in first and "非销售原因" in first and "70.00%" in first
    # rule P5, rule P6: the latest round's plan, its amount in figures and words, its approver
    assert "第 2 轮" in first and "1,200.00" in first and "人民币壹仟贰佰元整" in first
    assert "副总经理" in first and "zhou.vp" in first
    assert "客户接受" in first and "很满意" in first  # rule P7, rule P9
    for box in ("客户投诉专员", "主管核阅", "质量管理部", "生产部门", "总经理办公室"):
        assert box in first
    assert [(c.service, c.method, c.args) for c in rpc.calls] == [
        ("complaints", "get_complaint", ("cp-1",)),
        ("customer", "get_customer",
         ("c-1", {"username": "cs_agent", "roles": ["cs_agent"], "department": None})),
    ]  # fmt: skip


def test_a_declined_round_prints_its_own_form(client, token_for, tmp_path):
    # rule P7: a plan the customer did not accept is followed by a new form, the next round
    response = get(client, token_for, f"{HANDLING_FORM}?round=1", "cs_manager")
    assert response.status_code == 200
    (first, *_) = check_pages(response.data, tmp_path, HANDLING_KEEPERS, "第 1 轮")
    assert "200.00" in first and "客户不接受" in first and "客户认为折让太少" in first
    assert "1,200.00" not in first


def test_a_round_the_case_does_not_have_is_404(client, rpc, token_for):
    response = get(client, token_for, f"{HANDLING_FORM}?round=3", "cs_agent")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "plan_not_found"
    assert [c.method for c in rpc.calls] == ["get_complaint"]


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_a_round_must_be_a_positive_number(client, rpc, token_for, value):
    response = get(client, token_for, f"{HANDLING_FORM}?round={value}", "cs_agent")
    assert response.status_code == 422
    assert set(response.get_json()["error"]["details"]) == {"round"}
    assert rpc.calls == []


def test_a_case_without_a_plan_prints_with_the_plan_left_blank(client, rpc, token_for, tmp_path):
    rpc.answers[("complaints", "get_complaint")] = {
        **COMPLAINT, "status": "accepted", "investigation": None, "plans": [], "actions": [],
        "follow_ups": [],
    }  # fmt: skip
    response = get(client, token_for, HANDLING_FORM, "quality")
    assert response.status_code == 200
    (first, *_) = check_pages(response.data, tmp_path, HANDLING_KEEPERS, "TS-2026-000123")
    assert "三、处理方案（依核决权限核决）" in first and "轮处理表" not in first


# --- 成品退货单: one copy kept, three to the finished-goods warehouse ------------------------
RETURN_KEEPERS = ["客户服务部门自存", "成品仓库留存", "财务部留存（经成品仓库）",
                  "业务部留存（经成品仓库）"]  # fmt: skip


def test_the_return_form_has_four_copies_and_rests_on_the_cases_handling_form(
    client, rpc, token_for, tmp_path
):
    response = get(client, token_for, RETURN_FORM, "warehouse")
    assert response.status_code == 200
    texts = check_pages(
        response.data, tmp_path, RETURN_KEEPERS, "成品退货单", "RA-2026-000012",
        "华东机电有限公司", "客户投诉处理表 TS-2026-000123",
    )  # fmt: skip
    first = texts[0]
    # rule R1: reason and handling; rule R2: the actual quantity and its difference
    assert "外壳破损" in first and "退货" in first and "wu.wh" in first and "li.clerk" in first
    for box in ("经理批示", "成品仓库签收", "品质确认"):
        assert box in first
    assert [(c.service, c.method, c.args[:1]) for c in rpc.calls] == [
        ("returns", "get_return", ("ra-1",)),
        ("complaints", "get_complaint", ("cp-1",)),
        ("customer", "get_customer", ("c-1",)),
    ]


def test_a_return_not_yet_signed_for_leaves_the_actual_quantity_to_the_warehouse(
    client, rpc, token_for, tmp_path
):
    rpc.answers[("returns", "get_return")] = {
        **RETURN, "status": "receiving", "received_at": None, "received_by": None,
        "differences": [], "lines": [{**RETURN["lines"][0], "received_quantity": 1,
                                      "good": None, "rework": None, "scrap": None}],
    }  # fmt: skip
    response = get(client, token_for, RETURN_FORM, "warehouse")
    (first, *_) = check_pages(response.data, tmp_path, RETURN_KEEPERS, "收料中")
    line = next(row for row in first.splitlines() if row.strip().startswith("P-100"))
    assert line.split()[:5] == ["P-100", "控制柜外壳", "2", "450.00", "900.00"]


def test_a_return_from_a_sales_return_request_rests_on_the_request(
    client, rpc, token_for, tmp_path
):
    rpc.answers[("returns", "get_return")] = {
        **RETURN, "complaint_id": None, "plan_id": None, "request_id": "rr-1",
        "customer_id": "c-gone",
    }  # fmt: skip
    response = get(client, token_for, RETURN_FORM, "sales_clerk")
    assert response.status_code == 200
    (first, *_) = check_pages(
        response.data, tmp_path, RETURN_KEEPERS, "销售退货申请单", "无理由退货处理",
        "年度框架协议第 7 条",
    )  # fmt: skip
    assert "华东机电有限公司" not in first  # a customer the suite does not know: left blank
    assert [c.method for c in rpc.calls] == ["get_return", "get_return_request", "get_customer"]


# --- 销货折让证明单: two copies, three signatures (rule F3) -------------------------------
def test_the_allowance_certificate_has_two_copies_and_three_signature_boxes(
    client, rpc, token_for, tmp_path
):
    response = get(client, token_for, CERTIFICATE_PDF, "finance")
    assert response.status_code == 200
    texts = check_pages(
        response.data, tmp_path, ["客户服务部门存", "送会计作账"], "销货折让证明单",
        "ZR-2026-000045", "TS-2026-000123", "PZ-2026-000045", "华东机电有限公司",
    )  # fmt: skip
    first = texts[0]
    assert "300.00" in first and "人民币叁佰元整" in first
    assert "2026年11月28日" in first
    for box in ("经理", "总经理", "客户签章"):
        assert box in first
    assert [c.method for c in rpc.calls] == ["get_voucher", "get_customer"]


def test_a_posted_allowance_prints_its_proof(client, rpc, token_for, tmp_path):
    rpc.answers[("finance", "get_voucher")] = {
        **VOUCHER, "status": "posted", "posted_at": LATER, "posted_by": "qian.fin",
        "proof_method": "allowance_certificate", "proof_reference": "ZR-SIGNED-9",
    }  # fmt: skip
    response = get(client, token_for, CERTIFICATE_PDF, "finance")
    check_pages(response.data, tmp_path, ["客户服务部门存", "送会计作账"], "ZR-SIGNED-9",
                "qian.fin")  # fmt: skip


def test_a_voucher_that_is_no_allowance_has_no_certificate(client, rpc, token_for):
    rpc.answers[("finance", "get_voucher")] = {**VOUCHER, "type": "compensation",
                                               "certificate": None}  # fmt: skip
    response = get(client, token_for, CERTIFICATE_PDF, "finance")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "allowance_certificate_not_found"
    assert [c.method for c in rpc.calls] == ["get_voucher"]


# --- the services' errors, the font ------------------------------------------------
@pytest.mark.parametrize(
    "path, role, service, method, raised, status",
    [
        (RETURN_FORM, "warehouse", "returns", "get_return", ReturnNotFound(), 404),
        (CERTIFICATE_PDF, "finance", "finance", "get_voucher", VoucherNotFound(), 404),
    ],
)
def test_the_services_errors_are_passed_on(
    client, rpc, token_for, path, role, service, method, raised, status
):
    rpc.answers[(service, method)] = raised
    response = get(client, token_for, path, role)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == raised.error_code


def test_a_missing_font_is_a_503_naming_the_setting(app, client, rpc, token_for, tmp_path):
    app.config["PDF_FONT"] = str(tmp_path / "no-such-font.ttc")
    response = get(client, token_for, RETURN_FORM, "warehouse")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "pdf_font_missing"
    assert "GATEWAY_PDF_FONT" in error["message"] and "fonts-wqy-zenhei" in error["message"]
    assert error["details"]["GATEWAY_PDF_FONT"].endswith("no-such-font.ttc")


def test_forms_are_named_and_never_cached(client, token_for):
    response = get(client, token_for, RETURN_FORM, "warehouse")
    assert response.headers["Content-Disposition"] == (
        'inline; filename="RA-2026-000012-return-form.pdf"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"


# --- 客户投诉案件统计表 as .xlsx (rule P11) ---------------------------------------------------
def test_the_monthly_statistics_read_back_from_the_workbook(client, rpc, token_for):
    response = get(client, token_for, f"{MONTHLY}?month=2026-10", "gm")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="complaints-monthly-2026-10.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["汇总", "按原因", "按责任部门", "按产品", "按客户", "改善对策"]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=3, values_only=True)}
    assert book["汇总"]["A1"].value == "客户投诉案件统计表（2026年10月）"
    assert summary["结案件数"] == 12
    assert summary["平均处理时长（小时）"] == pytest.approx(52.5)
    assert summary["及时受理率"] == pytest.approx(0.92)
    assert book["汇总"]["B6"].number_format == "0.00%"
    rows = lambda name: list(book[name].iter_rows(values_only=True))  # noqa: E731
    assert rows("按原因") == [("发生原因", "件数"), ("装配工艺", 7), ("包装不良", 5)]
    assert rows("按责任部门") == [
        ("责任部门", "部门代码", "件数", "问题比率"),
        ("生产部", "production", 4, pytest.approx(0.35)),
        ("质量管理部", "quality", 2, pytest.approx(0.10)),
    ]
    assert rows("按产品") == [("料号", "件数"), ("P-100", 6), ("SEAL-02", 1)]
    assert rows("按客户") == [
        ("客户名称", "客户编号", "件数"),
        ("华东机电有限公司", "c-1", 3),
        (None, "c-gone", 1),  # no such customer any more: the id alone
    ]
    assert rows("改善对策") == [("案件编号", "发生原因", "改善对策"),
                                ("TS-2026-000123", "包装不良", "加护角")]  # fmt: skip
    assert [(c.method, c.args[:1]) for c in rpc.calls] == [
        ("monthly_report", ("2026-10",)),
        ("get_customer", ("c-1",)),
        ("get_customer", ("c-gone",)),
    ]


def test_a_month_without_closed_cases_leaves_the_rates_empty(client, rpc, token_for):
    rpc.answers[("complaints", "monthly_report")] = {
        **REPORT, "closed": 0, "by_cause": {}, "by_department": {}, "by_product": {},
        "by_customer": {}, "problem_ratio": {}, "avg_handling_hours": None,
        "timely_acceptance_rate": None, "on_time_closure_rate": None, "improvements": [],
    }  # fmt: skip
    response = get(client, token_for, f"{MONTHLY}?month=2026-10", "vp")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["结案件数"] == 0 and summary["及时受理率"] is None
    assert list(book["按原因"].iter_rows(values_only=True)) == [("发生原因", "件数")]


@pytest.mark.parametrize("query", ["", "?month=2026-13", "?month=202610"])
def test_the_workbook_needs_a_month(client, rpc, token_for, query):
    response = get(client, token_for, f"{MONTHLY}{query}", "cs_manager")
    assert response.status_code == 422
    assert set(response.get_json()["error"]["details"]) == {"month"}
    assert rpc.calls == []


# --- the OpenAPI document --------------------------------------------------------------
@pytest.mark.parametrize(
    "path, content_type, roles",
    [
        ("/api/v1/complaints/{complaint_id}/handling-form.pdf", PDF, ["authenticated"]),
        ("/api/v1/returns/{return_id}/return-form.pdf", PDF, ["authenticated"]),
        ("/api/v1/finance/vouchers/{voucher_id}/allowance-certificate.pdf", PDF, ["finance"]),
        ("/api/v1/reports/complaints/monthly.xlsx", XLSX, sorted(OVERSEERS)),
    ],
)
def test_the_documents_are_in_the_openapi_document(client, path, content_type, roles):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"][path]["get"]
    assert operation["summary"] and operation["description"]
    assert operation["x-roles"] == roles
    assert operation["responses"]["200"]["content"][content_type]["schema"] == {
        "type": "string",
        "format": "binary",
    }
    assert {"401", "403"} <= set(operation["responses"])
