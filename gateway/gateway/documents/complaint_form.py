"""The complaint handling form (客户投诉处理表, seed 000) of one round of a case: the
registration (rule P2, rule P3), quality's investigation and responsibility (rule P4), the
round's plan (rule P5) with its approval authority (rule P6), the customer's answer
(rule P7) and the follow-up (rule P9), signed by the desk, its supervisor, quality,
production, the approver and the general manager's office. Five copies: the first kept
by quality, the second by production, the third goes to the complaints desk to act on,
the fourth to finance, the fifth to the general manager's office. A plan the customer
declined is followed by a new form, the next round, with the earlier one attached."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from gateway.documents import text as t
from gateway.documents.layout import Copy, Form, Sheet, Signature
from servicekit.contracts.complaints_vocabulary import PlanNotFound

TITLE = "客户投诉处理表"
COPIES = (
    Copy("质量管理部留存"),
    Copy("生产部门留存"),
    Copy("客户投诉部门依批示办理"),
    Copy("财务部留存"),
    Copy("总经理办公室留存"),
)
GAP = 1.5 * mm


def round_plan(complaint: dict, round_: int | None) -> dict | None:
    """The plan of ``round_`` (default: the latest); ``PlanNotFound`` for a round the
    case does not have. A case with no plan yet prints with the plan left blank."""
    plans = sorted(complaint.get("plans") or [], key=lambda plan: plan["round"])
    if round_ is None:
        return plans[-1] if plans else None
    for plan in plans:
        if plan["round"] == round_:
            return plan
    raise PlanNotFound(details={"round": round_})


def _line_amount(line: dict) -> Decimal:
    return Decimal(line["quantity"]) * Decimal(line["unit_price"])


def _registration(sheet: Sheet, case: dict, customer: dict | None) -> list[Flowable]:
    promised = f"{case['promised_days']} 天" if case.get("promised_days") else t.BLANK
    flowables: list[Flowable] = [
        sheet.section("一、投诉登记（客户投诉专员填写，客户确认）"),
        sheet.fields(
            [
                ("客户名称", (customer or {}).get("name") or t.BLANK),
                ("订单编号", case.get("order_no")),
                ("交运日期", t.chinese_date(case.get("ship_date"))),
                ("投诉渠道", t.label(t.CHANNELS, case.get("channel"))),
                ("客户要求", t.label(t.REQUESTS, case.get("request"))),
                ("案件状态", t.label(t.COMPLAINT_STATUSES, case.get("status"))),
                ("登记人", case.get("registered_by")),
                ("登记时间", t.chinese_datetime(case.get("registered_at"))),
                ("受理人", case.get("accepted_by")),
                ("受理时间", t.chinese_datetime(case.get("accepted_at"))),
                ("承诺等待", promised),
                ("处理期限", t.chinese_date(case.get("due_at"))),
            ],
            columns=3,
        ),
    ]
    lines = case.get("lines") or []
    total = sum((_line_amount(line) for line in lines), Decimal(0))
    rows = [
        [
            line["sku"],
            line.get("description"),
            line["quantity"],
            t.money(line["unit_price"]),
            t.money(_line_amount(line)),
        ]
        for line in lines
    ]
    flowables += [
        sheet.lines(
            ["料号", "品名", "数量", "单价（元）", "金额（元）"],
            rows,
            [28, 62, 18, 28, 30],
            numeric=(2, 3, 4),
            total=["合计", "", sum(line["quantity"] for line in lines), "", t.money(total)],
        ),
        sheet.text("投诉内容", case.get("description"), min_height=12 * mm),
    ]
    if case.get("rejected_reason"):
        flowables.append(sheet.text("不予受理原因", case["rejected_reason"]))
    return flowables


def _investigation(sheet: Sheet, case: dict) -> list[Flowable]:
    found = case.get("investigation") or {}
    shares = found.get("responsibility") or []
    rows = [
        [
            t.label(t.DEPARTMENTS, r.get("department")),
            r.get("person") or t.BLANK,
            t.percent(r.get("share")),
        ]
        for r in shares
    ]
    return [
        sheet.section("二、原因调查与责任归属（质量管理部调查，生产部门分析对策）"),
        sheet.text("调查结果", found.get("findings"), min_height=10 * mm),
        sheet.fields(
            [
                ("发生原因", found.get("cause")),
                ("原因类别", t.label(t.CAUSE_CATEGORIES, found.get("cause_category"))),
                ("调查人", found.get("investigated_by")),
                ("调查时间", t.chinese_datetime(found.get("investigated_at"))),
            ],
            columns=2,
        ),
        sheet.lines(
            ["责任部门", "责任人", "责任比例"],
            rows,
            [60, 70, 36],
            numeric=(2,),
            empty_rows=0 if rows else 1,
        ),
        sheet.text("改善对策", found.get("improvement"), min_height=8 * mm),
    ]


def _action_detail(action: dict) -> str:
    details = [
        f"{line['sku']} {line.get('description') or ''} × {line['quantity']} @ "
        f"{t.money(line['unit_price'])}".replace("  ", " ")
        for line in action.get("lines") or []
    ]
    return "；".join(details) or t.BLANK


def _plan(sheet: Sheet, case: dict, plan: dict | None) -> list[Flowable]:
    if plan is None:
        return [
            sheet.section("三、处理方案（依核决权限核决）"),
            sheet.lines(
                ["处理方式", "明细", "金额（元）", "执行状态"], [], [22, 90, 30, 24], empty_rows=3
            ),
            sheet.fields([("方案金额", t.BLANK), ("核决权限", t.BLANK)], columns=2),
        ]
    rows = [
        [
            t.label(t.ACTIONS, a["type"]),
            _action_detail(a),
            t.money(a["amount"]),
            t.label(t.ACTION_STATES, a.get("state")),
        ]
        for a in plan.get("actions") or []
    ]
    flowables: list[Flowable] = [
        sheet.section(f"三、处理方案（第 {plan['round']} 轮，依核决权限核决）"),
        sheet.lines(
            ["处理方式", "明细", "金额（元）", "执行状态"], rows, [22, 90, 30, 24], numeric=(2,)
        ),
        sheet.fields(
            [
                ("方案金额", f"¥{t.money(plan['amount'])}（{t.amount_in_words(plan['amount'])}）"),
                ("核决权限", t.label(t.APPROVERS, plan.get("required_approver"))),
                ("提出人", plan.get("posted_by")),
                ("提出时间", t.chinese_datetime(plan.get("posted_at"))),
                ("核决人", plan.get("approved_by")),
                ("核决时间", t.chinese_datetime(plan.get("approved_at"))),
            ],
            columns=2,
        ),
    ]
    if plan["round"] > 1:
        flowables.append(
            sheet.note(
                f"客户未接受第 {plan['round'] - 1} 轮处理结论，本表为第 {plan['round']} 轮"
                "处理表，附原投诉表一并呈报处理。"
            )
        )
    return flowables


def _answer(sheet: Sheet, plan: dict | None, follow_ups: list[dict]) -> list[Flowable]:
    plan = plan or {}
    answered = plan.get("responded_at") is not None
    accepted = "接受" if plan.get("status") == "accepted" else "不接受"
    flowables: list[Flowable] = [
        sheet.section("四、交涉结果与回访（客户投诉专员填写，主管核阅）"),
        sheet.fields(
            [
                ("客户意见", accepted if answered else t.BLANK),
                ("交涉人", plan.get("responded_by")),
                ("交涉时间", t.chinese_datetime(plan.get("responded_at"))),
                ("方案状态", t.label(t.PLAN_STATUSES, plan.get("status"))),
            ],
            columns=2,
        ),
        sheet.text("交涉说明", plan.get("response_comment"), min_height=8 * mm),
    ]
    rows = [
        [
            "满意" if f["satisfied"] else "不满意",
            f"{f['score']} / 5",
            f.get("notes") or t.BLANK,
            f.get("by"),
            t.chinese_datetime(f.get("at")),
        ]
        for f in follow_ups
    ]
    flowables.append(
        sheet.lines(
            ["回访结果", "评分", "客户意见", "回访人", "回访时间"],
            rows,
            [18, 14, 74, 26, 34],
            empty_rows=0 if rows else 1,
        )
    )
    return flowables


def _signatures(sheet: Sheet, case: dict, plan: dict | None) -> list[Flowable]:
    plan = plan or {}
    found = case.get("investigation") or {}
    approver = t.label(t.APPROVERS, plan.get("required_approver")) or "核决"
    return [
        sheet.signatures(
            [
                Signature(
                    "客户投诉专员",
                    case.get("registered_by"),
                    t.chinese_date(case.get("registered_at")),
                ),
                Signature("主管核阅"),
                Signature(
                    "质量管理部",
                    found.get("investigated_by"),
                    t.chinese_date(found.get("investigated_at")),
                ),
                Signature("生产部门"),
                Signature(
                    f"核决（{approver}）",
                    plan.get("approved_by"),
                    t.chinese_date(plan.get("approved_at")),
                ),
                Signature("总经理办公室"),
            ]
        )
    ]


def handling_form(complaint: dict, customer: dict | None, round_: int | None = None) -> Form:
    """The form of ``complaint`` (as ``get_complaint`` gives it) for ``round_`` (default:
    the latest plan's), ``customer`` its card (``None``: unknown, the name left blank)."""
    plan = round_plan(complaint, round_)
    this_round = plan["round"] if plan else None
    follow_ups = [
        f
        for f in complaint.get("follow_ups") or []
        if this_round is None or f.get("round") in (this_round, None)
    ]

    def body(sheet: Sheet) -> list[Flowable]:
        parts: list[Any] = []
        for part in (
            _registration(sheet, complaint, customer),
            _investigation(sheet, complaint),
            _plan(sheet, complaint, plan),
            _answer(sheet, plan, follow_ups),
            _signatures(sheet, complaint, plan),
        ):
            parts += [*part, Spacer(1, GAP)]
        return parts

    return Form(
        TITLE,
        complaint["number"],
        COPIES,
        body,
        tag=f"第 {this_round} 轮处理表" if this_round else "",
    )
