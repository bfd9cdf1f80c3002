"""The returns part of the demo data set (``deploy/demo.py``): returns at every step.

- the executing complaint's exchange: its authorization (from complaints' plan_accepted,
  rule R1), two of three units scanned in, and the replacement shipped (rule R5)
- sales return requests (销售退货申请单, seed 002) filed by 李娜 ``li.na``: one pending,
  one rejected by 陈静 ``chen.jing``, and approved ones whose authorizations stand at
  ``authorized``, ``receiving``, ``received`` (signed off with a short line, rule R2) and
  ``inspected`` (with scrap, rule R3, rule R4), scanned in by 周杰 ``zhou.jie`` and
  inspected by 孙伟 ``sun.wei`` with 李娜 as witness

A request is found again by its customer and basis; a rerun changes nothing.
"""

from __future__ import annotations

import time
from typing import Any

STEPS = ("pending", "rejected", "authorized", "receiving", "received", "inspected")


def _line(sku: str, quantity: int, price: str, description: str) -> dict:
    return {"sku": sku, "quantity": quantity, "unit_price": price, "description": description}


RETURN_REQUESTS: tuple[dict[str, Any], ...] = (
    {
        "customer": "广州恒达电器贸易有限公司",
        "class": "quality_not_replenished",
        "basis": "DEMO-RR-01 质量异常退货：变频器 VF-22 批次 2610 过热保护误动作，客户不要补货。",
        "lines": [_line("VF-22", 4, "1850.00", "变频器 VF-22 2.2kW")],
        "until": "inspected",
        "scans": [("GUN1-DEMO-0001", [("VF-22", 4)])],
        "inspection": [{"sku": "VF-22", "good": 2, "rework": 1, "scrap": 1}],
    },
    {
        "customer": "华东机电有限公司",
        "class": "short_not_replenished",
        "basis": "DEMO-RR-02 送货短少后客户退回整单余量，不再补货。",
        "lines": [
            _line("CB-16", 20, "68.00", "断路器 CB-16A"),
            _line("CB-32", 10, "92.00", "断路器 CB-32A"),
        ],
        "until": "received",
        "scans": [("GUN2-DEMO-0001", [("CB-16", 20)]), ("GUN2-DEMO-0002", [("CB-32", 9)])],
    },
    {
        "customer": "成都蜀光照明工程有限公司",
        "class": "exchange",
        "basis": "DEMO-RR-03 规格选错，按合同第 5 条换货。",
        "lines": [_line("SM-400", 6, "1650.00", "伺服电机 SM-400 400W")],
        "until": "receiving",
        "scans": [("GUN1-DEMO-0101", [("SM-400", 2)])],
    },
    {
        "customer": "华东机电有限公司",
        "class": "no_reason",
        "basis": "DEMO-RR-04 年度框架协议：签收后 30 天内无理由退货。",
        "lines": [_line("HMI-7", 2, "2300.00", "触摸屏 HMI 7 寸")],
        "until": "authorized",
    },
    {
        "customer": "广州恒达电器贸易有限公司",
        "class": "no_reason",
        "basis": "DEMO-RR-05 客户库存积压，申请无理由退货。",
        "lines": [_line("RLY-24", 200, "12.50", "中间继电器 24V")],
        "until": "pending",
    },
    {
        "customer": "沈阳北方重工机械厂",
        "class": "no_reason",
        "basis": "DEMO-RR-06 项目取消，申请退回已拆封的编码器。",
        "lines": [_line("ENC-1024", 8, "420.00", "编码器 1024 线")],
        "until": "rejected",
        "comment": "已拆封且超过 30 天，不符合无理由退货条件。",
    },
)


def load_returns(demo) -> None:
    """Returns at every step, through the gateway as the people who do the work."""
    _complaint_return(demo)
    clerk, market = demo.as_("li.na"), demo.as_("chen.jing")
    for spec in RETURN_REQUESTS:
        customer = demo.customers.get(spec["customer"])
        if customer is None:
            demo.out(f"  ! customer {spec['customer']} missing; request skipped")
            continue
        label = spec["basis"].split(" ", 1)[0]
        found = clerk.call("GET", "/returns/requests", params={"customer_id": customer["id"]})
        same = [r for r in found["items"] if r["basis"] == spec["basis"]]
        if same:
            demo.out(f"  return request {label}: exists ({same[0]['status']})")
            continue
        body = {k: spec[k] for k in ("class", "basis", "lines")}
        request = clerk.call("POST", "/returns/requests", {**body, "customer_id": customer["id"]})
        path = f"/returns/requests/{request['id']}"
        if spec["until"] == "rejected":
            market.call(
                "POST", f"{path}/decision", {"decision": "reject", "comment": spec["comment"]}
            )
        elif spec["until"] != "pending":
            request = market.call("POST", f"{path}/decision", {"decision": "approve"})
            authorization = _advance(demo, request["return_id"], spec)
            demo.out(
                f"  return request {label}: created, approved -> {authorization['number']} "
                f"{authorization['status']}"
            )
            continue
        demo.out(f"  return request {label}: created ({spec['until']})")


def _advance(demo, return_id: str, spec: dict) -> dict:
    warehouse, quality = demo.as_("zhou.jie"), demo.as_("sun.wei")
    path = f"/returns/{return_id}"
    for scan_id, lines in spec.get("scans", ()):
        warehouse.call(
            "POST",
            f"{path}/receipts",
            {
                "scan_id": scan_id,
                "scanner_id": scan_id.split("-", 1)[0],
                "lines": [{"sku": sku, "quantity": q, "lot": "L2611"} for sku, q in lines],
            },
        )
    step = STEPS.index(spec["until"])
    if step >= STEPS.index("received"):
        warehouse.call("POST", f"{path}/sign-off")
    if step >= STEPS.index("inspected"):
        quality.call(
            "POST", f"{path}/inspection", {"witness": "li.na", "lines": spec["inspection"]}
        )
    return warehouse.call("GET", path)


def _complaint_return(demo, wait: float = 15.0) -> None:
    """The executing complaint's exchange: authorized by the returns service on its own."""
    executing = [c for c in demo.complaints if c.get("status") == "executing"]
    warehouse = demo.as_("zhou.jie")
    for case in executing:
        deadline = time.monotonic() + wait
        while True:
            found = warehouse.call("GET", "/returns", params={"complaint_id": case["id"]})
            if found["items"] or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if not found["items"]:
            demo.out(f"  ! no return authorization for {case['number']} within {wait:.0f}s")
            continue
        authorization = found["items"][0]
        if authorization["status"] == "authorized":
            line = authorization["lines"][0]
            partial = max(line["authorized_quantity"] - 1, 1)
            warehouse.call(
                "POST",
                f"/returns/{authorization['id']}/receipts",
                {
                    "scan_id": f"GUN3-{case['number']}",
                    "scanner_id": "GUN3",
                    "lines": [{"sku": line["sku"], "quantity": partial, "lot": "L2611"}],
                },
            )
            authorization = warehouse.call("GET", f"/returns/{authorization['id']}")
            state = "created"
        else:
            state = "exists"
        demo.out(
            f"  return {authorization['number']} for {case['number']}: "
            f"{authorization['status']} ({state})"
        )
        shipments = warehouse.call("GET", "/replenishments", params={"complaint_id": case["id"]})
        for shipment in shipments["items"]:
            state = "exists"
            if shipment["status"] == "pending":
                shipment = warehouse.call(
                    "POST",
                    f"/replenishments/{shipment['id']}/ship",
                    {"carrier": "顺丰速运", "tracking_no": f"SF{case['number'][-6:]}0001"},
                )
                state = "created"
            demo.out(
                f"  replenishment for {case['number']}: {shipment['status']} "
                f"({shipment['carrier']} {shipment['tracking_no']}, {state})"
            )
