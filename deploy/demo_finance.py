"""The finance part of the demo data set (``deploy/demo.py``): ledgers, a closed case and an
open exception, made by 赵敏 ``zhao.min`` (finance) and the people of each step.

- invoices and payments for four active customers (rule F4): some dated 40-100 days ago
  and due in the past, so that the ledgers show balances, overdue amounts and ageing
- a **closed case**: complaint SO-DEMO-0100 of 华东机电 taken through the whole chain
  with no event by hand: a plan with a return, an allowance and a replenishment
  (approved by 王强 ``wang.qiang``), the customer accepts, the return authorization
  (rule R1), two scans and the sign-off by 周杰 ``zhou.jie``, the inspection by 孙伟
  ``sun.wei`` (witness 李娜), the replenishment shipped (rule R5), finance's reconciliation
  (matched, rule F1) and vouchers (rule F3), their proofs (posted, the ledger credited,
  rule F2), the case resolved (rule P8) and the follow-up satisfied: closed (rule P9)
- an **open exception**: complaint SO-DEMO-0101 of 北京京联, whose return of 10 approved
  units brought back 12 (beyond the ratio 0.05): finance holds the reconciliation as
  ``exception``, left for finance to resolve in the demo (``POST
  /finance/reconciliations/{id}/resolve``)
- two credit checks (rule F5): one held (overdue), one passed

Complaints are found again by customer and order number, invoices by number and payments
by reference; every step looks at where its thing stands first, so a rerun changes
nothing and a run stopped half-way (or a wait that timed out) goes on where it stopped.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

WAIT = 30.0  # seconds to wait for what other services do on their own (events)


def _ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def _line(sku: str, quantity: int, price: str) -> dict:
    return {"sku": sku, "quantity": quantity, "unit_price": price}


# customer, number, invoiced days ago, due days ago (negative: due in the future), amount,
# order number, lines
INVOICES: tuple[tuple[Any, ...], ...] = (
    ("华东机电有限公司", "FP-DEMO-0001", 95, 65, "36800.00", None, ()),
    (
        "华东机电有限公司",
        "FP-DEMO-0002",
        42,
        12,
        "2520.00",
        "SO-DEMO-0100",
        (_line("KM-40", 6, "420.00"),),
    ),
    ("华东机电有限公司", "FP-DEMO-0003", 10, -20, "18600.00", None, ()),
    ("广州恒达电器贸易有限公司", "FP-DEMO-0004", 100, 39, "48000.00", None, ()),
    ("广州恒达电器贸易有限公司", "FP-DEMO-0005", 50, -10, "26400.00", None, ()),
    ("沈阳北方重工机械厂", "FP-DEMO-0006", 70, -20, "54400.00", None, ()),
    (
        "北京京联自动化设备有限公司",
        "FP-DEMO-0007",
        45,
        -15,
        "4560.00",
        "SO-DEMO-0101",
        (_line("PS-24", 12, "380.00"),),
    ),
)

# customer, reference, paid days ago, amount
PAYMENTS: tuple[tuple[str, str, int, str], ...] = (
    ("华东机电有限公司", "BANK-DEMO-0001", 60, "25000.00"),
    ("广州恒达电器贸易有限公司", "BANK-DEMO-0002", 45, "40000.00"),
)

INVESTIGATION = {
    "findings": "接触器线圈绝缘漆膜不均，批次 2609 抽检 4/6 不良，触点吸合不稳。",
    "cause": "外购线圈质量问题",
    "cause_category": "non_sales",
    "responsibility": [
        {"department": "production", "person": "装配一组", "share": "0.60"},
        {"department": "quality", "person": "来料检验", "share": "0.40"},
    ],
    "improvement": "线圈改为全检耐压，供应商整改后恢复抽检。",
}

# 4 x 420.00 + 200.00 + 2 x 35.00 = 1,950.00: within the cs_manager limit (rule P6)
CLOSED_CASE = {
    "customer": "华东机电有限公司",
    "body": {
        "channel": "phone",
        "order_no": "SO-DEMO-0100",
        "ship_date": _ago(40),
        "description": "交流接触器 KM-40 共 6 台，其中 4 台吸合时异响、触点发热，客户要求退货。",
        "request": "return",
        "lines": [
            {
                "sku": "KM-40",
                "description": "交流接触器 KM-40 40A",
                "quantity": 6,
                "unit_price": "420.00",
            }
        ],
    },
    "plan": {
        "actions": [
            {"type": "return", "lines": [_line("KM-40", 4, "420.00")]},
            {"type": "allowance", "amount": "200.00"},
            {"type": "replenishment", "lines": [_line("KM-40-COIL", 2, "35.00")]},
        ]
    },
    "response": {"accepted": True, "comment": "客户同意退货、折让冲抵停线损失并补发备用线圈。"},
    "scans": [("GUN6-DEMO-0100-1", "KM-40", 3), ("GUN6-DEMO-0100-2", "KM-40", 1)],
    "inspection": [{"sku": "KM-40", "good": 3, "rework": 1, "scrap": 0}],
    "shipment": {"carrier": "德邦物流", "tracking_no": "DB-DEMO-0100"},
    "proofs": {
        "return_credit": {"method": "return_certificate", "reference": "TH-DEMO-0100"},
        "allowance": {"method": "allowance_certificate", "reference": "ZR-DEMO-0100"},
    },
    "follow_up": {"satisfied": True, "score": 5, "notes": "退货与折让已入账，补发线圈已装机。"},
}

# 10 approved; the customer's ratio 0.05 lets up to 10.5 pass, 12 arrive (rule F1)
EXCEPTION_CASE = {
    "customer": "北京京联自动化设备有限公司",
    "body": {
        "channel": "email",
        "order_no": "SO-DEMO-0101",
        "ship_date": _ago(45),
        "description": "开关电源 PS-24 共 12 台，10 台输出纹波超标导致 PLC 复位，客户要求退货。",
        "request": "return",
        "lines": [
            {
                "sku": "PS-24",
                "description": "开关电源 PS-24 24V 10A",
                "quantity": 12,
                "unit_price": "380.00",
            }
        ],
    },
    "plan": {"actions": [{"type": "return", "lines": [_line("PS-24", 10, "380.00")]}]},
    "response": {"accepted": True, "comment": "客户同意退回 10 台不良品。"},
    # the customer sent the two good units back as well
    "scans": [("GUN6-DEMO-0101-1", "PS-24", 7), ("GUN6-DEMO-0101-2", "PS-24", 5)],
}

# customer, order amount
CREDIT_CHECKS = (("华东机电有限公司", "30000.00"), ("沈阳北方重工机械厂", "80000.00"))


class Stuck(RuntimeError):
    """A part could not finish: what another service does on its own did not come in
    time, or an answer was not the expected one."""


def _wait(what: str, probe, wait: float = WAIT):
    deadline = time.monotonic() + wait
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise Stuck(f"{what} did not come within {wait:.0f}s")
        time.sleep(0.3)


def load_finance(demo) -> None:
    """Ledgers, a closed case, an open exception and credit checks, through the gateway."""
    for part in (_ledgers, _closed_case, _open_exception, _summaries):
        try:
            part(demo)
        except Stuck as exc:
            demo.out(f"  ! {exc}; run the demo again to go on from there")


# --- rule F4: invoices and payments -----------------------------------------------------
def _known(demo, name: str) -> dict | None:
    """The demo customer once finance knows it (from customer's events, rule X1)."""
    customer = demo.customers.get(name)
    if customer is None:
        demo.out(f"  ! customer {name} missing; its finance data skipped")
        return None
    finance = demo.as_("zhao.min")
    path = f"/finance/customers/{customer['id']}/ledger"
    _wait(f"finance's copy of {name}", lambda: finance.request("GET", path).status_code == 200)
    return customer


def _ledgers(demo) -> None:
    finance = demo.as_("zhao.min")
    ledgers: dict[str, list] = {}

    def recorded(customer: dict, kind: str, reference: str) -> dict | None:
        if customer["id"] not in ledgers:
            path = f"/finance/customers/{customer['id']}/ledger"
            ledgers[customer["id"]] = finance.call("GET", path)["entries"]
        entries = ledgers[customer["id"]]
        return next((e for e in entries if (e["kind"], e["reference"]) == (kind, reference)), None)

    for name, number, days, due_days, amount, order_no, lines in INVOICES:
        customer = _known(demo, name)
        if customer is None:
            continue
        entry = recorded(customer, "invoice", number)
        state = "exists"
        if entry is None:
            body = {
                "customer_id": customer["id"],
                "number": number,
                "date": _ago(days),
                "due_date": _ago(due_days),
                "amount": amount,
                "lines": list(lines),
            }
            if order_no:
                body["order_no"] = order_no
            entry = finance.call("POST", "/finance/invoices", body)
            state = "created"
        demo.out(
            f"  invoice {number} {name}: {entry['amount']} of {entry['date']}, "
            f"due {entry['due_date']} ({state})"
        )
    for name, reference, days, amount in PAYMENTS:
        customer = _known(demo, name)
        if customer is None:
            continue
        entry = recorded(customer, "payment", reference)
        state = "exists"
        if entry is None:
            body = {
                "customer_id": customer["id"],
                "amount": amount,
                "date": _ago(days),
                "reference": reference,
            }
            entry = finance.call("POST", "/finance/payments", body)
            state = "created"
        demo.out(f"  payment {reference} {name}: {entry['amount']} of {entry['date']} ({state})")


# --- the chain: complaint -> plan -> return -> reconciliation -> vouchers -----------------
def _complaint(demo, spec: dict) -> tuple[dict | None, bool]:
    """The spec's complaint found by customer and order number, or registered."""
    customer = demo.customers.get(spec["customer"])
    if customer is None:
        demo.out(f"  ! customer {spec['customer']} missing; complaint skipped")
        return None, False
    agent = demo.as_("zhang.li")
    order_no = spec["body"]["order_no"]
    found = agent.call(
        "GET", "/complaints", params={"customer_id": customer["id"], "per_page": 200}
    )
    same = [c for c in found["items"] if c.get("order_no") == order_no]
    if same:
        return agent.call("GET", f"/complaints/{same[0]['id']}"), False
    case = agent.call("POST", "/complaints", dict(spec["body"], customer_id=customer["id"]))
    return agent.call("GET", f"/complaints/{case['id']}"), True


def _to_executing(demo, case: dict, spec: dict) -> tuple[dict, bool]:
    """Accepted, investigated, planned, approved and accepted by the customer (rule P3 to
    rule P7), from wherever the case stands."""
    agent, quality = demo.as_("zhang.li"), demo.as_("sun.wei")
    manager = demo.as_("wang.qiang")
    path = f"/complaints/{case['id']}"
    changed = False
    if case["status"] == "registered":
        agent.call("POST", f"{path}/accept", {"promised_days": 7})
        case, changed = agent.call("GET", path), True
    if case["status"] == "accepted":
        quality.call("POST", f"{path}/investigation", INVESTIGATION)
        case, changed = agent.call("GET", path), True
    if case["status"] == "investigated":
        agent.call("POST", f"{path}/plans", spec["plan"])
        case, changed = agent.call("GET", path), True
    if case["status"] == "planning":
        plan = case["plans"][-1]
        if plan["status"] == "pending_approval":
            manager.call("POST", f"{path}/plans/{plan['id']}/approve")
        agent.call("POST", f"{path}/plans/{plan['id']}/customer-response", spec["response"])
        case, changed = agent.call("GET", path), True
    return case, changed


def _authorization(demo, case: dict) -> dict:
    """The case's return authorization, made by returns from plan_accepted (rule R1)."""
    warehouse = demo.as_("zhou.jie")

    def found():
        items = warehouse.call("GET", "/returns", params={"complaint_id": case["id"]})["items"]
        return items[0] if items else None

    return _wait(f"the return authorization of {case['number']}", found)


def _receive(demo, authorization: dict, scans) -> tuple[dict, bool]:
    """Scanned in and signed off (rule R2); a scan id sent again counts nothing twice."""
    if authorization["status"] not in ("authorized", "receiving"):
        return authorization, False
    warehouse = demo.as_("zhou.jie")
    path = f"/returns/{authorization['id']}"
    for scan_id, sku, quantity in scans:
        warehouse.call(
            "POST",
            f"{path}/receipts",
            {
                "scan_id": scan_id,
                "scanner_id": scan_id.split("-", 1)[0],
                "lines": [{"sku": sku, "quantity": quantity, "lot": "L2609"}],
            },
        )
    return warehouse.call("POST", f"{path}/sign-off"), True


def _reconciliation(demo, return_id: str, statuses: tuple[str, ...]) -> dict:
    """Finance's reconciliation of a received return (rule F1)."""
    finance = demo.as_("zhao.min")

    def found():
        items = finance.call("GET", "/finance/reconciliations", params={"return_id": return_id})[
            "items"
        ]
        return next((r for r in items if r["status"] in statuses), None)

    return _wait(f"finance's reconciliation of return {return_id}", found)


def _closed_case(demo) -> None:
    spec = CLOSED_CASE
    order_no = spec["body"]["order_no"]
    case, changed = _complaint(demo, spec)
    if case is None:
        return
    if case["status"] == "closed":
        demo.out(f"  closed case {order_no} {spec['customer']}: exists (closed, {case['number']})")
        return
    agent, warehouse = demo.as_("zhang.li"), demo.as_("zhou.jie")
    quality, finance = demo.as_("sun.wei"), demo.as_("zhao.min")
    path = f"/complaints/{case['id']}"
    case, moved = _to_executing(demo, case, spec)
    changed |= moved

    authorization, moved = _receive(demo, _authorization(demo, case), spec["scans"])
    changed |= moved
    if authorization["status"] == "received":  # rule R3: witnessed by the sales clerk
        authorization = quality.call(
            "POST",
            f"/returns/{authorization['id']}/inspection",
            {"witness": "li.na", "lines": spec["inspection"]},
        )
        changed = True

    def shipments():  # rule R5: made by returns from plan_accepted
        found = warehouse.call("GET", "/replenishments", params={"complaint_id": case["id"]})
        return found["items"]

    for shipment in _wait(f"the replenishment of {case['number']}", shipments):
        if shipment["status"] == "pending":
            warehouse.call("POST", f"/replenishments/{shipment['id']}/ship", spec["shipment"])
            changed = True

    reconciliation = _reconciliation(demo, authorization["id"], ("matched", "resolved"))

    def vouchers():  # rule F3: the return credit and the allowance
        found = finance.call("GET", "/finance/vouchers", params={"complaint_id": case["id"]})
        return found["items"] if len(found["items"]) >= 2 else None

    issued = _wait(f"the vouchers of {case['number']}", vouchers)
    for voucher in issued:  # rule F2: a credit is final only with its proof
        if voucher["status"] == "issued":
            finance.call(
                "POST", f"/finance/vouchers/{voucher['id']}/proof", spec["proofs"][voucher["type"]]
            )
            changed = True

    # rule P8: the vouchers and the shipment finish the plan's actions
    _wait(
        f"{case['number']} resolved",
        lambda: agent.call("GET", path)["status"] in ("resolved", "closed"),
    )
    case = agent.call("GET", path)
    if case["status"] == "resolved":  # rule P9
        case = agent.call("POST", f"{path}/follow-ups", spec["follow_up"])
        changed = True
    posted = finance.call("GET", "/finance/vouchers", params={"complaint_id": case["id"]})
    vouchers_text = ", ".join(
        f"{v['number']} {v['type']} {v['amount']} {v['status']}" for v in posted["items"]
    )
    demo.out(
        f"  closed case {order_no} {spec['customer']}: {case['status']} "
        f"({'created' if changed else 'exists'}; {case['number']}, return "
        f"{authorization['number']} {authorization['status']}, reconciliation "
        f"{reconciliation['status']}, vouchers {vouchers_text})"
    )


def _open_exception(demo) -> None:
    spec = EXCEPTION_CASE
    order_no = spec["body"]["order_no"]
    case, changed = _complaint(demo, spec)
    if case is None:
        return
    case, moved = _to_executing(demo, case, spec)
    changed |= moved
    authorization, moved = _receive(demo, _authorization(demo, case), spec["scans"])
    changed |= moved
    held = _reconciliation(demo, authorization["id"], ("exception", "matched", "resolved"))
    lines = ", ".join(
        f"{li['sku']} {li['actual_quantity']} received of {li['approved_quantity']} approved"
        for li in held["lines"]
    )
    open_ = " - open for finance to resolve" if held["status"] == "exception" else ""
    demo.out(
        f"  open exception {order_no} {spec['customer']}: reconciliation {held['status']} "
        f"({'created' if changed else 'exists'}; {case['number']}, return "
        f"{authorization['number']}: {lines}, ratio {held.get('ratio', '?')}){open_}"
    )


def _entries(entries: list) -> str:
    return f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"


# --- what finance sees: ledgers (rule F4) and credit checks (rule F5) --------------------
def _summaries(demo) -> None:
    finance = demo.as_("zhao.min")
    names = dict.fromkeys(name for name, *_ in INVOICES)
    for name in names:
        customer = demo.customers.get(name)
        if customer is None:
            continue
        ledger = finance.call("GET", f"/finance/customers/{customer['id']}/ledger")
        credits = [e for e in ledger["entries"] if e["kind"] == "credit"]
        ageing = ", ".join(f"{k} {v}" for k, v in ledger["ageing"].items() if v != "0.00")
        credited = f" ({len(credits)} credits)" if credits else ""
        demo.out(
            f"  ledger {name}: balance {ledger['balance']}, overdue {ledger['overdue']}"
            f"{f' ({ageing})' if ageing else ''}, {_entries(ledger['entries'])}{credited}"
        )
    for name, amount in CREDIT_CHECKS:
        customer = demo.customers.get(name)
        if customer is None:
            continue
        decision = finance.call(
            "POST", "/finance/credit-check", {"customer_id": customer["id"], "amount": amount}
        )
        demo.out(
            f"  credit check {name} order {amount}: {decision['decision']} "
            f"({decision['reason']}; available {decision['available_credit']}, "
            f"open {decision['open_balance']}, overdue {decision['overdue']})"
        )
