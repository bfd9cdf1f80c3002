"""The finished-goods return form (成品退货单, seed 000) of a return authorization
(rule R1): what comes back and why, how it is handled and what the return rests on (退回依据:
the case's handling form, or a sales return request of seed 002), the quantities the
warehouse signed for (rule R2), quality's split (rule R3) and the differences charged to
the sales clerk. Four copies: the first kept by customer service, the other three go to
the finished-goods warehouse to receive against, which keeps the second and passes the
third to finance and the fourth to sales."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from gateway.documents import text as t
from gateway.documents.layout import Copy, Form, Sheet, Signature

TITLE = "成品退货单"
COPIES = (
    Copy("客户服务部门自存"),
    Copy("成品仓库留存"),
    Copy("财务部留存（经成品仓库）"),
    Copy("业务部留存（经成品仓库）"),
)
SIGNED_FOR = ("received", "inspected")  # the actual quantities are the warehouse's


def basis_of(complaint: dict | None, request: dict | None) -> str:
    """退回依据: the case's handling form, or the sales return request and its basis."""
    if complaint is not None:
        rounds = [p["round"] for p in complaint.get("plans") or [] if p["status"] == "accepted"]
        accepted = f"（第 {rounds[-1]} 轮方案，客户接受）" if rounds else ""
        return f"客户投诉处理表 {complaint['number']}{accepted}"
    if request is not None:
        return (
            f"销售退货申请单（{t.label(t.REQUEST_CLASSES, request.get('class'))}）："
            f"{request.get('basis') or t.BLANK}"
        )
    return t.BLANK


def _amount(quantity: int | None, unit_price: str) -> Decimal:
    return Decimal(quantity or 0) * Decimal(unit_price)


def return_form(authorization: dict, customer: dict | None, basis: str) -> Form:
    """The form of ``authorization`` (as ``get_return`` gives it); ``customer`` its card
    (``None``: the name left blank) and ``basis`` from ``basis_of``."""
    signed = authorization.get("status") in SIGNED_FOR
    lines = authorization.get("lines") or []

    def body(sheet: Sheet) -> list[Flowable]:
        rows = [
            [
                line["sku"],
                line.get("description"),
                line["authorized_quantity"],
                line["received_quantity"] if signed else t.BLANK,
                t.money(line["unit_price"]),
                t.money(_amount(line["authorized_quantity"], line["unit_price"])),
                line.get("reason"),
                line.get("handling"),
            ]
            for line in lines
        ]
        authorized_total = sum(
            (_amount(line["authorized_quantity"], line["unit_price"]) for line in lines),
            Decimal(0),
        )
        total = [
            "合计",
            "",
            sum(line["authorized_quantity"] for line in lines),
            sum(line["received_quantity"] for line in lines) if signed else t.BLANK,
            "",
            t.money(authorized_total),
            "",
            "",
        ]
        flowables: list[Flowable] = [
            sheet.fields(
                [
                    ("客户名称", (customer or {}).get("name") or t.BLANK),
                    ("业务员", authorization.get("owner")),
                    ("开立日期", t.chinese_date(authorization.get("created_at"))),
                    ("单据状态", t.label(t.RETURN_STATUSES, authorization.get("status"))),
                ],
                columns=2,
            ),
            sheet.text("退回依据", basis),
            Spacer(1, 1.5 * mm),
            sheet.lines(
                [
                    "料号",
                    "品名",
                    "核定数量",
                    "实退数量",
                    "单价（元）",
                    "核定金额（元）",
                    "退货原因",
                    "处理方式",
                ],
                rows,
                [22, 34, 16, 16, 20, 24, 28, 22],
                numeric=(2, 3, 4, 5),
                empty_rows=max(0, 4 - len(lines)),
                total=total,
            ),
            sheet.note(
                "成品仓库收到退货，与本单核对无误后签收；实际与本单所载不符时，可在请示后依"
                "实际情况签收（实退数量），差异记于业务员。"
            ),
            Spacer(1, 1.5 * mm),
            sheet.fields(
                [
                    ("仓库签收", authorization.get("received_by")),
                    ("签收时间", t.chinese_datetime(authorization.get("received_at"))),
                ],
                columns=2,
            ),
        ]
        if authorization.get("differences"):
            differences = [
                [
                    d["sku"],
                    d["authorized_quantity"],
                    d["received_quantity"],
                    d["difference"],
                    d.get("charged_to"),
                ]
                for d in authorization["differences"]
            ]
            flowables += [
                Spacer(1, 1.5 * mm),
                sheet.lines(
                    ["差异料号", "核定数量", "实收数量", "差异", "责任业务员"],
                    differences,
                    [30, 20, 20, 16, 40],
                    numeric=(1, 2, 3),
                ),
            ]
        quality = [
            [
                line["sku"],
                t.quantity(line.get("good")),
                t.quantity(line.get("rework")),
                t.quantity(line.get("scrap")),
            ]
            for line in lines
        ]
        flowables += [
            Spacer(1, 1.5 * mm),
            sheet.section("品质确认（质量管理部判定，业务员到场见证）"),
            sheet.lines(
                ["料号", "良品（回库）", "返工", "报废"],
                quality,
                [40, 30, 30, 30],
                numeric=(1, 2, 3),
            ),
            sheet.fields(
                [
                    ("品质确认", authorization.get("inspected_by")),
                    ("见证人", authorization.get("witness")),
                    ("确认时间", t.chinese_datetime(authorization.get("inspected_at"))),
                    ("过账时间", t.chinese_datetime(authorization.get("posted_at"))),
                ],
                columns=2,
            ),
            Spacer(1, 3 * mm),
            sheet.signatures(
                [
                    Signature("开单（客户服务部门）"),
                    Signature("经理批示"),
                    Signature(
                        "成品仓库签收",
                        authorization.get("received_by"),
                        t.chinese_date(authorization.get("received_at")),
                    ),
                    Signature(
                        "品质确认",
                        authorization.get("inspected_by"),
                        t.chinese_date(authorization.get("inspected_at")),
                    ),
                    Signature("业务部", authorization.get("owner")),
                ]
            ),
        ]
        return flowables

    return Form(TITLE, authorization["number"], COPIES, body)
