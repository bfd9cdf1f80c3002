"""Load a small, realistic demo data set into a running suite, through the gateway's HTTP API.

::

    python deploy/demo.py [--url http://127.0.0.1:8000] [--data-dir var]

Nothing is written to a database directly: every record is made by the same requests a
client would send, by users of the right roles, so history, events and audit are real.

- users for each role (张丽 ``zhang.li`` cs_agent, 王强 ``wang.qiang`` cs_manager ...),
  all with one demo password: ``--user-password``, ``$AFTERSALES_DEMO_PASSWORD``, or
  the one in ``<data dir>/demo-password`` (generated there, mode 0600, at the first run)
- eight customers with contacts, different natures, regions and terms: most approved,
  one lead, one pending approval, one dormant; one change request half-approved
- complaints at different steps: registered, accepted, investigated, a plan awaiting
  approval, one executing (the customer accepted the plan), one rejected
- returns at every step (``deploy/demo_returns.py``): the executing complaint's
  authorization partly scanned in and its replacement shipped; sales return requests
  pending, rejected, and approved ones authorized, receiving, received and inspected
- finance (``deploy/demo_finance.py``): invoices and payments (balances, overdue, ageing),
  a closed case taken through the whole chain (reconciled, vouchers posted, followed up),
  an open exception (a return beyond the over-acceptance ratio, held for finance) and
  credit checks

The admin logs in with ``$AFTERSALES_ADMIN_PASSWORD`` or ``<data dir>/admin-password``.
Running it again changes nothing that exists: users, customers (found by name) and
complaints (found by customer and order number) are skipped.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests
from demo_finance import load_finance
from demo_returns import load_returns

# username, name, roles, department
USERS = (
    ("zhang.li", "张丽", ["cs_agent"], "customer_service"),
    ("wang.qiang", "王强", ["cs_manager"], "customer_service"),
    ("li.na", "李娜", ["sales_clerk"], "sales"),
    ("liu.yang", "刘洋", ["sales_manager"], "sales"),
    ("chen.jing", "陈静", ["market_manager"], "marketing"),
    ("zhao.min", "赵敏", ["finance"], "finance"),
    ("sun.wei", "孙伟", ["quality"], "quality"),
    ("zhou.jie", "周杰", ["warehouse"], "warehouse"),
    ("wu.gang", "吴刚", ["vp"], "management"),
    ("zheng.hua", "郑华", ["gm"], "management"),
)


def _contact(name, position, phone, email, role):
    return {
        "name": name,
        "position": position,
        "phone": phone,
        "email": email,
        "role_in_decision": role,
    }


# (card, target status); target is one of active, pending_approval, lead, dormant
CUSTOMERS = (
    (
        {
            "name": "华东机电有限公司",
            "nature": "distributor",
            "region": "华东",
            "industry": "机械制造",
            "address": "上海市浦东新区张江路 88 号",
            "contacts": [
                _contact(
                    "王建国", "采购经理", "13801234567", "wang.jg@hdjd.example.cn", "decision_maker"
                ),
                _contact("周敏", "仓库主管", "13917654321", "zhou.min@hdjd.example.cn", "user"),
            ],
            "license_no": "91310115MA1H8K2X3Q",
            "tax_no": "91310115MA1H8K2X3Q",
            "payment_method": "bank_transfer",
            "settlement_terms": "net_30",
            "discount": "0.85",
            "credit_limit": "200000.00",
            "over_acceptance_ratio": "0.05",
            "owner": "li.na",
            "pickup": False,
        },
        "active",
    ),
    (
        {
            "name": "广州恒达电器贸易有限公司",
            "nature": "distributor",
            "region": "华南",
            "industry": "家电批发",
            "address": "广州市天河区天河路 385 号 12 楼",
            "contacts": [
                _contact(
                    "陈志强", "总经理", "13622223333", "chen.zq@hengda.example.cn", "decision_maker"
                ),
                _contact("林小燕", "财务", "13711112222", "lin.xy@hengda.example.cn", "signer"),
            ],
            "license_no": "91440101MA59ABCD1R",
            "tax_no": "91440101MA59ABCD1R",
            "payment_method": "acceptance_bill",
            "settlement_terms": "monthly_statement",
            "discount": "0.88",
            "credit_limit": "150000.00",
            "over_acceptance_ratio": "0.03",
            "owner": "li.na",
            "pickup": False,
        },
        "active",
    ),
    (
        {
            "name": "北京京联自动化设备有限公司",
            "nature": "agent",
            "region": "华北",
            "industry": "自动化设备",
            "address": "北京市海淀区上地信息路 26 号",
            "contacts": [
                _contact(
                    "刘海涛", "技术总监", "13501010202", "liu.ht@jinglian.example.cn", "influencer"
                ),
                _contact(
                    "赵丽华",
                    "商务经理",
                    "13601010303",
                    "zhao.lh@jinglian.example.cn",
                    "decision_maker",
                ),
            ],
            "license_no": "91110108MA01XYZ23K",
            "tax_no": "91110108MA01XYZ23K",
            "payment_method": "bank_transfer",
            "settlement_terms": "net_60",
            "discount": "0.90",
            "credit_limit": "300000.00",
            "over_acceptance_ratio": "0.05",
            "owner": "liu.yang",
            "pickup": False,
        },
        "active",
    ),
    (
        {
            "name": "成都蜀光照明工程有限公司",
            "nature": "end_user",
            "region": "西南",
            "industry": "照明工程",
            "address": "成都市高新区天府大道中段 1366 号",
            "contacts": [
                _contact(
                    "杨帆",
                    "项目经理",
                    "18980001234",
                    "yang.fan@shuguang.example.cn",
                    "decision_maker",
                ),
            ],
            "license_no": "91510100MA6C7LM45P",
            "tax_no": "91510100MA6C7LM45P",
            "payment_method": "bank_transfer",
            "settlement_terms": "net_15",
            "discount": "0.95",
            "credit_limit": "50000.00",
            "over_acceptance_ratio": "0.00",
            "owner": "li.na",
            "pickup": True,
        },
        "active",
    ),
    (
        {
            "name": "沈阳北方重工机械厂",
            "nature": "end_user",
            "region": "东北",
            "industry": "重型机械",
            "address": "沈阳市铁西区北二中路 16 号",
            "contacts": [
                _contact(
                    "孙国庆", "设备科长", "13904041111", "sun.gq@bfzg.example.cn", "decision_maker"
                ),
                _contact("马丽", "采购员", "13904042222", None, "user"),
            ],
            "license_no": "91210106MA0Q1RST6U",
            "tax_no": "91210106MA0Q1RST6U",
            "payment_method": "acceptance_bill",
            "settlement_terms": "net_90",
            "discount": "0.92",
            "credit_limit": "500000.00",
            "over_acceptance_ratio": "0.10",
            "owner": "liu.yang",
            "pickup": False,
        },
        "active",
    ),
    (
        {
            "name": "武汉长江电子科技有限公司",
            "nature": "agent",
            "region": "华中",
            "industry": "电子元器件",
            "address": "武汉市东湖新技术开发区光谷大道 77 号",
            "contacts": [
                _contact(
                    "黄磊", "销售总监", "13807078888", "huang.lei@cjdz.example.cn", "decision_maker"
                ),
            ],
            "license_no": "91420100MA4K9VWX7Y",
            "tax_no": "91420100MA4K9VWX7Y",
            "payment_method": "bank_transfer",
            "settlement_terms": "net_30",
            "discount": "0.90",
            "credit_limit": "80000.00",
            "over_acceptance_ratio": "0.05",
            "owner": "li.na",
            "pickup": False,
        },
        "pending_approval",
    ),
    (
        {
            "name": "苏州新锐精密制造有限公司",
            "nature": "end_user",
            "region": "华东",
            "industry": "精密制造",
            "address": "苏州工业园区星湖街 328 号",
            "contacts": [
                _contact(
                    "吴晓东", "采购主管", "15250001111", "wu.xd@xinrui.example.cn", "influencer"
                ),
            ],
            "payment_method": "cash",
            "settlement_terms": "cash_on_delivery",
            "discount": "1.00",
            "credit_limit": "0.00",
            "owner": "li.na",
            "pickup": True,
            "status": "lead",
        },
        "lead",
    ),
    (
        {
            "name": "西安秦川农机销售有限公司",
            "nature": "distributor",
            "region": "西北",
            "industry": "农业机械",
            "address": "西安市未央区凤城八路 99 号",
            "contacts": [
                _contact(
                    "郭峰", "经理", "13309293333", "guo.feng@qinchuan.example.cn", "decision_maker"
                ),
            ],
            "license_no": "91610112MA6W2HJK8L",
            "tax_no": "91610112MA6W2HJK8L",
            "payment_method": "card",
            "settlement_terms": "net_60",
            "discount": "0.87",
            "credit_limit": "120000.00",
            "over_acceptance_ratio": "0.05",
            "owner": "liu.yang",
            "pickup": False,
        },
        "dormant",
    ),
)

CHANGE_REQUEST = {
    "customer": "北京京联自动化设备有限公司",
    "body": {
        "credit_limit": "400000.00",
        "settlement_terms": "net_90",
        "reason": "签订 2027 年度框架协议，预计采购额增加 60%",
    },
}


def _ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


# Each complaint goes as far as its ``until`` step:
# registered | accepted | investigated | planned | executing | rejected
COMPLAINTS = (
    {
        "customer": "华东机电有限公司",
        "until": "registered",
        "body": {
            "channel": "hotline",
            "order_no": "SO-DEMO-0031",
            "ship_date": _ago(6),
            "description": "变频器 VF-200 到货开箱发现外壳破损 2 台，客户要求退货。",
            "request": "return",
            "lines": [
                {
                    "sku": "VF-200",
                    "description": "变频器 VF-200 2.2kW",
                    "quantity": 2,
                    "unit_price": "1850.00",
                }
            ],
        },
    },
    {
        "customer": "广州恒达电器贸易有限公司",
        "until": "accepted",
        "body": {
            "channel": "email",
            "order_no": "SO-DEMO-0027",
            "ship_date": _ago(15),
            "description": "电饭煲 EC-50 同一批次 12 台通电后不加热，经销商要求换货。",
            "request": "exchange",
            "lines": [
                {
                    "sku": "EC-50",
                    "description": "电饭煲 EC-50 5L",
                    "quantity": 12,
                    "unit_price": "320.00",
                }
            ],
        },
        "promised_days": 7,
    },
    {
        "customer": "成都蜀光照明工程有限公司",
        "until": "investigated",
        "body": {
            "channel": "on_site",
            "order_no": "SO-DEMO-0019",
            "ship_date": _ago(21),
            "description": (
                "LED 投光灯 FL-150 色温为 6500K，合同约定 4000K，共 40 套，客户要求折让。"
            ),
            "request": "allowance",
            "lines": [
                {
                    "sku": "FL-150",
                    "description": "LED 投光灯 FL-150 150W",
                    "quantity": 40,
                    "unit_price": "268.00",
                }
            ],
        },
        "promised_days": 10,
        "investigation": {
            "findings": "仓库按旧订单发货，6500K 与 4000K 包装外观相同，出库未核对色温标签。",
            "cause": "发错批次",
            "cause_category": "sales",
            "responsibility": [
                {"department": "warehouse", "person": "周杰", "share": "0.60"},
                {"department": "sales", "person": "李娜", "share": "0.40"},
            ],
            "improvement": "色温在外箱单独标识，出库扫码核对。",
        },
    },
    {
        "customer": "沈阳北方重工机械厂",
        "until": "planned",
        "body": {
            "channel": "phone",
            "order_no": "SO-DEMO-0012",
            "ship_date": _ago(40),
            "description": (
                "减速机 RG-400 运行两周后齿轮箱漏油，2 台停机，影响生产线，要求退货并赔偿停机损失。"
            ),
            "request": "compensation",
            "lines": [
                {
                    "sku": "RG-400",
                    "description": "减速机 RG-400",
                    "quantity": 2,
                    "unit_price": "6800.00",
                }
            ],
        },
        "promised_days": 5,
        "investigation": {
            "findings": "油封批次硬度不合格，装配时未做气密检测。",
            "cause": "外购件质量问题",
            "cause_category": "non_sales",
            "responsibility": [
                {"department": "production", "person": "装配二组", "share": "0.70"},
                {"department": "quality", "person": "来料检验", "share": "0.30"},
            ],
            "improvement": "油封改用新供应商，出厂前增加气密检测。",
        },
        # 2 x 6800.00 + 2000.00 = 15,600.00: above the cs_manager limit, waits for a vp
        "plan": {
            "actions": [
                {
                    "type": "return",
                    "lines": [{"sku": "RG-400", "quantity": 2, "unit_price": "6800.00"}],
                },
                {"type": "compensation", "amount": "2000.00"},
            ]
        },
    },
    {
        "customer": "华东机电有限公司",
        "until": "executing",
        "body": {
            "channel": "letter",
            "order_no": "SO-DEMO-0024",
            "ship_date": _ago(30),
            "description": "伺服电机 SM-750 编码器报错 3 台，客户要求换货并补偿调试费用。",
            "request": "exchange",
            "lines": [
                {
                    "sku": "SM-750",
                    "description": "伺服电机 SM-750 750W",
                    "quantity": 3,
                    "unit_price": "2400.00",
                }
            ],
        },
        "promised_days": 7,
        "investigation": {
            "findings": "编码器线缆接头虚焊，同批次抽检 5% 不良。",
            "cause": "焊接工艺缺陷",
            "cause_category": "non_sales",
            "responsibility": [{"department": "production", "person": "焊接班组", "share": "1.00"}],
            "improvement": "接头焊接后增加拉力测试。",
        },
        # 3 x 2400.00 + 300.00 = 7,500.00: within the cs_manager limit
        "plan": {
            "actions": [
                {
                    "type": "exchange",
                    "lines": [{"sku": "SM-750", "quantity": 3, "unit_price": "2400.00"}],
                },
                {"type": "allowance", "amount": "300.00"},
            ]
        },
        "response": {"accepted": True, "comment": "客户同意换货方案，折让冲抵调试费用。"},
    },
    {
        "customer": "北京京联自动化设备有限公司",
        "until": "rejected",
        "body": {
            "channel": "phone",
            "order_no": "SO-DEMO-0003",
            "ship_date": _ago(640),
            "description": "PLC 模块 CPU-1214 无法启动，要求免费更换。",
            "request": "exchange",
            "lines": [
                {
                    "sku": "CPU-1214",
                    "description": "PLC 模块 CPU-1214",
                    "quantity": 1,
                    "unit_price": "3600.00",
                }
            ],
        },
        "reject_reason": (
            "设备已超出保修期 9 个月，且检测为雷击损坏，不属于质量问题；已建议有偿维修。"
        ),
    },
)


class DemoError(RuntimeError):
    pass


class Client:
    """One logged-in user of the gateway."""

    def __init__(self, base: str, username: str, token: str) -> None:
        self.base = base.rstrip("/")
        self.username = username
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, body: Any = None, params=None) -> requests.Response:
        url = self.base + (path if path.startswith(("/auth", "/users")) else "/api/v1" + path)
        return self.session.request(method, url, json=body, params=params, timeout=30)

    def call(self, method: str, path: str, body: Any = None, params=None, ok=(200, 201)) -> Any:
        response = self.request(method, path, body, params)
        if response.status_code not in ok:
            raise DemoError(f"{method} {path} as {self.username}: {_describe(response)}")
        return response.json() if response.content else None


def _describe(response: requests.Response) -> str:
    try:
        error = response.json()["error"]
        details = f" {error['details']}" if error.get("details") else ""
        return f"{response.status_code} {error['code']}: {error['message']}{details}"
    except (ValueError, KeyError, TypeError):
        return f"{response.status_code} {response.text[:200]}"


def log_in(base: str, username: str, password: str) -> Client | None:
    response = requests.post(
        base.rstrip("/") + "/auth/token",
        json={"username": username, "password": password},
        timeout=30,
    )
    if response.status_code != 200:
        return None
    return Client(base, username, response.json()["access_token"])


def wait_ready(base: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while True:
        try:
            response = requests.get(base.rstrip("/") + "/health/ready", timeout=5)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:300]}"
        except requests.RequestException as exc:
            last = repr(exc)
        if time.monotonic() >= deadline:
            raise DemoError(
                f"the suite at {base} is not ready ({last}); start it with `make run` first"
            )
        time.sleep(1)


def admin_password(data_dir: Path) -> str:
    if os.environ.get("AFTERSALES_ADMIN_PASSWORD"):
        return os.environ["AFTERSALES_ADMIN_PASSWORD"]
    path = data_dir / "admin-password"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise DemoError(
            f"no admin password: set AFTERSALES_ADMIN_PASSWORD or start the suite so "
            f"that it writes {path} (or pass --data-dir)"
        ) from None


def demo_password(data_dir: Path, given: str | None) -> str:
    """The demo users' password: given, or kept in ``<data dir>/demo-password``."""
    if given:
        return given
    path = data_dir / "demo-password"
    if path.exists():
        return path.read_text().strip()
    password = "demo-" + secrets.token_urlsafe(9)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password + "\n")
    return password


class Demo:
    def __init__(self, base: str, admin: Client, password: str, out=print) -> None:
        self.base = base
        self.admin = admin
        self.password = password
        self.out = out
        self.users: dict[str, Client] = {}
        self.customers: dict[str, dict] = {}
        self.complaints: list[dict] = []

    # -- users ----------------------------------------------------------------------------
    def load_users(self) -> None:
        for username, name, roles, department in USERS:
            response = self.admin.request(
                "POST",
                "/users",
                {
                    "username": username,
                    "password": self.password,
                    "roles": roles,
                    "department": department,
                },
            )
            if response.status_code == 201:
                state = "created"
            elif response.status_code == 409:
                state = "exists"
            else:
                raise DemoError(f"creating user {username}: {_describe(response)}")
            client = log_in(self.base, username, self.password)
            if client is None:
                self.out(f"  ! {username} exists with another password; its steps run as admin")
                client = self.admin
            self.users[username] = client
            self.out(f"  user {username:<11} {name}  {','.join(roles):<15} {state}")

    def as_(self, username: str) -> Client:
        return self.users.get(username, self.admin)

    # -- customers ------------------------------------------------------------------------
    def find_customer(self, name: str) -> dict | None:
        page = self.admin.call("GET", "/customers", params={"q": name, "per_page": 200})
        for item in page["items"]:
            if item["name"] == name:
                return item
        return None

    def load_customers(self) -> None:
        clerk, manager = self.as_("li.na"), self.as_("liu.yang")
        for card, target in CUSTOMERS:
            customer = self.find_customer(card["name"])
            state = "exists"
            if customer is None:
                customer = clerk.call("POST", "/customers", card)
                state = "created"
            cid = customer["id"]
            if target in ("active", "dormant") and customer["status"] == "lead":
                customer = clerk.call("POST", f"/customers/{cid}/submit")
            if target in ("active", "dormant") and customer["status"] == "pending_approval":
                customer = manager.call("POST", f"/customers/{cid}/approve")
            if target == "dormant" and customer["status"] == "active":
                customer = manager.call(
                    "POST",
                    f"/customers/{cid}/status",
                    {"status": "dormant", "reason": "连续六个月无订单，暂停跟进"},
                )
            self.customers[card["name"]] = customer
            self.out(f"  customer {card['name']:<20} {customer['status']:<16} {state}")

    def load_change_request(self) -> None:
        customer = self.customers[CHANGE_REQUEST["customer"]]
        existing = self.admin.call("GET", f"/customers/{customer['id']}/change-requests")
        items = existing["items"] if isinstance(existing, dict) else existing
        if items:
            self.out(f"  change request for {customer['name']}: exists ({items[0]['status']})")
            return
        request = self.as_("li.na").call(
            "POST", f"/customers/{customer['id']}/change-requests", CHANGE_REQUEST["body"]
        )
        request = self.as_("chen.jing").call(
            "POST",
            f"/change-requests/{request['id']}/decision",
            {"decision": "approve", "comment": "同意，框架协议已审阅"},
        )
        self.out(
            f"  change request for {customer['name']}: {request['status']} "
            "(market approved, finance to decide)"
        )

    # -- complaints -----------------------------------------------------------------------
    def load_complaints(self) -> bool:
        """False when the gateway has no complaint endpoints yet."""
        agent, manager = self.as_("zhang.li"), self.as_("wang.qiang")
        quality = self.as_("sun.wei")
        for spec in COMPLAINTS:
            customer = self.customers[spec["customer"]]
            order_no = spec["body"]["order_no"]
            found = self.admin.request(
                "GET", "/complaints", params={"customer_id": customer["id"], "per_page": 200}
            )
            if found.status_code == 404:
                return False
            if found.status_code != 200:
                raise DemoError(f"GET /complaints: {_describe(found)}")
            same = [c for c in found.json()["items"] if c.get("order_no") == order_no]
            if same:
                self.complaints.append(same[0])
                self.out(f"  complaint {order_no} {spec['customer']}: exists ({same[0]['status']})")
                continue
            response = agent.request(
                "POST", "/complaints", dict(spec["body"], customer_id=customer["id"])
            )
            if response.status_code == 404:
                return False
            if response.status_code != 201:
                raise DemoError(f"POST /complaints as {agent.username}: {_describe(response)}")
            case = response.json()
            path = f"/complaints/{case['id']}"
            until = spec["until"]
            if until == "rejected":
                case = agent.call("POST", f"{path}/reject", {"reason": spec["reject_reason"]})
            elif until != "registered":
                case = agent.call(
                    "POST", f"{path}/accept", {"promised_days": spec["promised_days"]}
                )
                if until in ("investigated", "planned", "executing"):
                    case = quality.call("POST", f"{path}/investigation", spec["investigation"])
                if until in ("planned", "executing"):
                    plan = agent.call("POST", f"{path}/plans", spec["plan"])
                    if until == "executing":
                        manager.call("POST", f"{path}/plans/{plan['id']}/approve")
                        agent.call(
                            "POST", f"{path}/plans/{plan['id']}/customer-response", spec["response"]
                        )
                    case = agent.call("GET", path)
                    case["_plan"] = plan
            self.complaints.append(case)
            extra = ""
            if "_plan" in case:
                plan = case["_plan"]
                extra = f", plan {plan['amount']} needs {plan['required_approver']}"
            self.out(
                f"  complaint {order_no} {spec['customer']}: {case['status']} "
                f"({case.get('number', case['id'])}{extra})"
            )
        return True


def run(base: str, data_dir: Path, user_password: str | None, wait: float, out=print) -> Demo:
    wait_ready(base, wait)
    admin = log_in(base, "admin", admin_password(data_dir))
    if admin is None:
        raise DemoError("admin could not log in: wrong admin password for this suite?")
    password = demo_password(data_dir, user_password)
    demo = Demo(base, admin, password, out)
    out(f"loading the demo data set into {base}")
    out("users:")
    demo.load_users()
    out("customers:")
    demo.load_customers()
    demo.load_change_request()
    out("complaints:")
    if not demo.load_complaints():
        out(
            "  skipped: this gateway has no complaint endpoints yet "
            "(/api/v1/complaints answers 404)"
        )
    out("returns:")
    load_returns(demo)
    out("finance:")
    load_finance(demo)
    out(f"\ndemo users log in with password: {password}")
    out(f"  e.g. curl -s -X POST {base}/auth/token -H 'Content-Type: application/json' \\")
    out(f'       -d \'{{"username": "zhang.li", "password": "{password}"}}\'')
    return demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python deploy/demo.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--url", default=f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("AFTERSALES_DATA_DIR", "var")),
        help="where admin-password and demo-password are (default $AFTERSALES_DATA_DIR or var)",
    )
    parser.add_argument(
        "--user-password",
        default=os.environ.get("AFTERSALES_DEMO_PASSWORD"),
        help="password of the demo users (default: generated into <data dir>/demo-password)",
    )
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for readiness")
    args = parser.parse_args(argv)
    try:
        run(args.url, args.data_dir, args.user_password, args.wait)
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"demo: cannot reach the gateway at {args.url}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
