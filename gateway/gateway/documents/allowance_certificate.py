"""The sales allowance certificate (销货折让证明单, seed 000) of an allowance voucher
(rule F3): the buyer, the case it settles, what is allowed and the amount in figures and
in capital numerals, how the allowance is proven (rule F2), signed by the manager, the
general manager and the customer (the buyer's invoice stamp). Two copies: one kept by
customer service, one to accounting for the books."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from gateway.documents import text as t
from gateway.documents.layout import Copy, Form, Sheet, Signature
from servicekit.errors import NotFound

TITLE = "销货折让证明单"
COPIES = (Copy("客户服务部门存"), Copy("送会计作账"))


class NoAllowanceCertificate(NotFound):
    code = "allowance_certificate_not_found"
    default_message = "Only an allowance voucher has a sales allowance certificate."


def certificate_of(voucher: dict) -> dict:
    """The certificate of ``voucher`` (as ``get_voucher`` gives it);
    ``NoAllowanceCertificate`` (404) for a voucher without one."""
    certificate = voucher.get("certificate")
    if not certificate:
        raise NoAllowanceCertificate(
            details={"voucher_id": voucher.get("id"), "type": voucher.get("type")}
        )
    return certificate


def allowance_certificate(voucher: dict, customer: dict | None) -> Form:
    """The certificate of ``voucher`` as a form; ``customer`` the buyer's card (``None``:
    the name left blank)."""
    certificate = certificate_of(voucher)
    amount = certificate["amount"]
    lines = certificate.get("lines") or []

    def body(sheet: Sheet) -> list[Flowable]:
        rows = [
            [line["sku"], line["quantity"], t.money(line["unit_price"]), t.money(line["amount"])]
            for line in lines
        ] or [["销货折让", t.BLANK, t.BLANK, t.money(amount)]]
        posted = voucher.get("status") == "posted"
        proof = (
            f"{t.label(t.PROOF_METHODS, voucher.get('proof_method'))}"
            f"，凭证号 {voucher.get('proof_reference') or t.BLANK}"
            f"，{t.chinese_datetime(voucher.get('posted_at'))} 入账（{voucher.get('posted_by')}）"
            if posted
            else "□ 收回注明折让单价、金额及实收单价、金额的原开立统一发票影印本（买受人盖统一"
            "发票章）\n□ 本证明单由买受人盖统一发票章后签回，与本单一并送财务部作账"
        )
        customer_name = (customer or {}).get("name") or t.BLANK
        return [
            sheet.fields(
                [
                    ("买受人", customer_name),
                    ("开立日期", t.chinese_date(certificate.get("issued_at"))),
                    ("投诉案件", certificate.get("complaint_number")),
                    ("传票编号", voucher.get("number")),
                ],
                columns=2,
            ),
            Spacer(1, 2 * mm),
            sheet.lines(
                ["料号 / 项目", "数量", "单价（元）", "折让金额（元）"],
                rows,
                [60, 24, 36, 46],
                numeric=(1, 2, 3),
            ),
            sheet.fields(
                [
                    ("折让金额", f"¥{t.money(amount)}"),
                    ("大写", t.amount_in_words(amount)),
                ],
                columns=2,
            ),
            Spacer(1, 2 * mm),
            sheet.text(
                "说明",
                f"兹证明本公司依客户投诉处理表 {certificate.get('complaint_number') or t.BLANK} "
                f"之核决结果，对买受人 {customer_name} 给予销货折让如上。",
            ),
            sheet.text("折让证明", proof, min_height=14 * mm),
            Spacer(1, 3 * mm),
            sheet.signatures(
                [Signature(t.label(t.SIGNATORIES, who)) for who in certificate["signatories"]]
            ),
            sheet.note("客户签章处请买受人加盖统一发票章后签回。"),
        ]

    return Form(certificate.get("title") or TITLE, certificate["number"], COPIES, body)
