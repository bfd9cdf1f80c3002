"""The web console in a real browser (issue 12.6), against a running suite's /console/.

Four roles sign in and see only their pages; one complaint goes from registration to
closed through the pages of the cs agent, quality, the cs manager and the warehouse (the
receipts typed into the scan field as a handheld scanner would, key by key, each with
Enter), finance's vouchers coming by themselves; the reports page shows the monthly
statistics. Each page is kept as a screenshot and checked by axe-core for serious or
critical violations (conftest.py)."""

from __future__ import annotations

import re
import uuid

import pytest
from gateway_client import active_customer
from playwright.sync_api import expect

from conftest import Console
from servicekit.testing import wait_for


def nav_of(tab: Console) -> list[str]:
    return tab.page.locator("#nav a").all_inner_texts()


@pytest.mark.parametrize(
    ("role", "sees", "not_sees"),
    [
        ("cs_agent", ["投诉队列", "登记投诉"], ["我的审批", "财务", "退货收货", "报表"]),
        ("cs_manager", ["投诉队列", "我的审批", "报表"], ["财务", "退货收货"]),
        ("warehouse", ["投诉队列", "退货收货"], ["登记投诉", "我的审批", "财务"]),
        # finance decides customers' change requests (rule C4) on its approvals page
        ("finance", ["财务", "我的审批"], ["登记投诉", "退货收货", "报表"]),
    ],
)
def test_each_role_signs_in_and_sees_its_pages(console, users, role, sees, not_sees):
    tab = console(role)
    tab.open("#/me", "[data-testid=me-username]")
    assert tab.text("[data-testid=me-username]") == users[role].username
    assert f"({role})" in tab.text("[data-testid=me-roles]")
    menu = nav_of(tab)
    assert all(item in menu for item in sees), menu
    assert not any(item in menu for item in not_sees), menu
    tab.check(f"me-{role}")
    # English on request; the choice stays for the next page
    tab.page.locator("#lang").click()
    tab.page.wait_for_selector("html[lang=en]")
    assert "Who I am" in tab.text("main h1")
    tab.page.locator("#lang").click()
    tab.page.wait_for_selector("html[lang=zh-CN]")
    # signing out forgets the token
    tab.page.locator("#signout").click()
    tab.page.wait_for_selector("form[data-form=signin]")
    assert tab.page.evaluate("sessionStorage.length") == 0


def test_a_wrong_password_is_shown_on_the_sign_in_form(browser, base_url, users):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base_url}/console/")
    page.get_by_label("用户名").fill(users["cs_agent"].username)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("form[data-form=signin] .form-error:text('401')")
    assert page.locator("#nav a").count() == 0
    context.close()


def test_a_complaint_walks_from_registration_to_closed_in_the_browser(console, as_role):
    customer_id, customer_name = active_customer(as_role)
    reader = as_role("cs_agent")  # the API, only to wait for what the services do by events
    order_no = f"SO-CON-{uuid.uuid4().hex[:6]}"

    # cs agent: the register form; a missing order number comes back next to its field
    agent = console("cs_agent")
    agent.open("#/complaints/new", "form[data-form=register]")
    register = agent.form("register")
    register.get_by_label("客户", exact=True).select_option(customer_id)
    register.get_by_label("投诉渠道").select_option("hotline")
    register.get_by_label("发货日期").fill("2026-11-02")
    register.get_by_label("客户诉求").select_option("return")
    register.get_by_label("问题描述").fill("电机异响，客户要求退货")
    register.get_by_label("物料号").fill("P-100")
    register.get_by_label("数量").fill("4")
    register.get_by_label("单价").fill("450.00")
    agent.submit("register")
    error = register.locator("[data-err=order_no]")
    error.wait_for()
    assert error.inner_text() != ""
    assert "422" in register.locator(".form-error").inner_text()
    agent.check("register-with-error")
    register.get_by_label("订单号").fill(order_no)
    agent.submit("register")
    # the register page's own URL (#/complaints/new) must not pass for the case's
    agent.page.wait_for_url(re.compile(r"#/complaints/(?!new$)[^/]+$"))
    case_id = agent.page.url.rsplit("/", 1)[1]
    agent.page.wait_for_selector("form[data-form=accept]")
    assert agent.text("[data-testid=case-status]") == "已登记"
    case_number = agent.text("[data-testid=case-number]")
    assert case_number.startswith("TS-"), case_number
    assert customer_name in agent.text()
    agent.check("case-registered")
    agent.submit("accept")
    agent.page.wait_for_selector("[data-testid=case-status]:text('已受理')")
    # the agent has no investigation form: that is quality's
    assert agent.form("investigation").count() == 0

    # the queue finds it by customer, with its SLA clock
    agent.open("#/complaints")
    agent.form("queue-filter").get_by_label("客户编号").fill(customer_id)
    agent.submit("queue-filter")
    # the unfiltered queue may show the case too (the demo's is full): wait for the filter's
    row = agent.page.locator("main tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator(f"td:text('{customer_name}')")).to_have_count(1)
    assert "已受理" in row.inner_text() and "受理" in row.inner_text()
    agent.check("queue")

    # quality: the investigation
    quality = console("quality")
    quality.open(f"#/complaints/{case_id}", "form[data-form=investigation]")
    form = quality.form("investigation")
    form.get_by_label("调查结果").fill("轴承装配不良")
    form.get_by_label("原因", exact=True).fill("装配工艺")
    form.get_by_label("原因类别").select_option("non_sales")
    form.get_by_label("部门").fill("production")
    form.get_by_label("责任人").fill("装配一组")
    form.get_by_label("比例").fill("1.00")
    quality.check("investigation-form")
    quality.submit("investigation")
    quality.page.wait_for_selector("[data-testid=case-status]:text('已调查')")

    # cs agent: the plan, filled from the complaint's lines (a return of 4 x 450.00)
    agent.open(f"#/complaints/{case_id}", "form[data-form=plan]")
    plan = agent.form("plan")
    assert plan.get_by_label("物料号").input_value() == "P-100"
    agent.submit("plan")
    agent.page.wait_for_selector("[data-testid=case-status]:text('方案中')")
    assert "1800.00" in agent.text()
    assert agent.form("approve").count() == 0  # an agent approves nothing

    # cs manager: my approvals lists it; the case page approves it
    manager = console("cs_manager")
    manager.open("#/approvals")
    row = manager.page.locator(f"main tr:has-text('{case_number}')")
    row.wait_for()
    assert customer_name in row.inner_text()
    manager.check("approvals")
    row.locator("a").first.click()
    manager.page.wait_for_selector("form[data-form=approve]")
    manager.check("case-approval")
    manager.submit("approve")
    manager.page.wait_for_selector("main td:text('已批准')")

    # cs agent: the customer accepts -> executing
    agent.open(f"#/complaints/{case_id}", "form[data-form=customer-response]")
    agent.form("customer-response").get_by_label("客户接受").select_option("true")
    agent.submit("customer-response")
    agent.page.wait_for_selector("[data-testid=case-status]:text('执行中')")

    # warehouse: the authorization comes from returns by itself (rule R1)
    (authorization,) = wait_for(
        lambda: reader.get("/returns", params={"complaint_id": case_id}).json()["items"],
        timeout=30,
    )
    warehouse = console("warehouse")
    warehouse.open(f"#/returns/{authorization['id']}", "#scan-sku")
    assert customer_name in warehouse.text()  # the company's name, for a warehouse clerk too
    warehouse.check("scan-page")
    for quantity in ("3", "1"):
        # a handheld scanner types the code and Enter; then the quantity and Enter
        warehouse.page.locator("#scan-sku").click()
        warehouse.page.keyboard.type("P-100", delay=15)
        warehouse.page.keyboard.press("Enter")
        assert warehouse.page.evaluate("document.activeElement.id") == "scan-quantity"
        warehouse.page.keyboard.press("Control+A")
        warehouse.page.keyboard.type(quantity, delay=15)
        warehouse.page.keyboard.press("Enter")
        warehouse.page.wait_for_selector(f"#scan-log li:has-text('P-100 × {quantity}')")
        assert warehouse.page.evaluate("document.activeElement.id") == "scan-sku"
    warehouse.page.wait_for_selector("[data-received='P-100']:text('4')")
    receipts = warehouse.page.locator("#return-receipts tbody tr")
    assert receipts.count() == 2
    scan_ids = receipts.locator("td:first-child").all_inner_texts()
    assert len(set(scan_ids)) == 2
    warehouse.check("scan-receipts")
    warehouse.submit("sign-off")
    warehouse.page.wait_for_selector("[data-testid=return-status]:text('已签收')")
    history = warehouse.page.locator("main table").last.inner_text()
    assert "扫描收货" in history and "签收" in history and "receipt_posted" not in history

    # quality: the inspection of what was received
    quality.open(f"#/returns/{authorization['id']}", "form[data-form=inspection]")
    inspection = quality.form("inspection")
    inspection.get_by_label("P-100 良品").fill("3")
    inspection.get_by_label("P-100 报废").fill("1")
    quality.check("inspection-form")
    quality.submit("inspection")
    quality.page.wait_for_selector("[data-testid=return-status]:text('已检验')")

    # finance's voucher comes from the reconciliation by itself; the case resolves (rule P8)
    wait_for(lambda: reader.get(f"/complaints/{case_id}").json()["status"] == "resolved", 30)
    finance = console("finance")
    finance.open("#/finance/vouchers")
    finance.page.wait_for_selector("main td:text('1800.00')")
    finance.check("finance-vouchers")
    finance.open("#/finance/reconciliations")
    finance.check("finance-reconciliations")

    # cs agent: the follow-up call closes it
    agent.open(f"#/complaints/{case_id}", "form[data-form=follow-up]")
    agent.form("follow-up").get_by_label("满意").select_option("true")
    agent.form("follow-up").get_by_label("评分 (1-5)").fill("5")
    agent.form("follow-up").get_by_label("回访记录").fill("客户满意")
    agent.submit("follow-up")
    agent.page.wait_for_selector("[data-testid=case-status]:text('已结案')")
    agent.check("case-closed")
    assert reader.get(f"/complaints/{case_id}").json()["status"] == "closed"

    # the manager's reports for this month count the closed case: its cause in the charts
    month = reader.get(f"/complaints/{case_id}").json()["closed_at"][:7]
    manager.open("#/reports", "form[data-form=monthly]")
    manager.form("monthly").locator("input[name=month]").fill(month)
    manager.submit("monthly")
    manager.page.wait_for_selector("#monthly-report .pair svg[role=img]")
    assert "装配工艺" in manager.text("#monthly-report") or "非销售原因" in manager.text(
        "#monthly-report"
    )
    manager.check("reports-month-of-the-case")
    manager.open("#/kpis", "form[data-form=kpis]")
    manager.form("kpis").locator("input[name=period]").fill(month)
    manager.submit("kpis")
    manager.page.wait_for_selector("#kpi-trends")
    manager.check("kpis-month-of-the-case")


def test_the_reports_page_shows_the_monthly_statistics(console):
    manager = console("cs_manager")
    manager.open("#/reports", "form[data-form=monthly]")
    manager.page.wait_for_selector("#monthly-report")
    assert "客户投诉案件统计表" in manager.text()
    assert "及时受理率" in manager.text()
    assert manager.page.locator("[data-testid=monthly-xlsx]").count() == 1
    manager.check("reports")


def test_the_kpi_page_shows_the_period_and_its_trends(console):
    manager = console("cs_manager")
    manager.open("#/kpis", "form[data-form=kpis]")
    manager.page.wait_for_selector("#kpi-trends")
    assert manager.page.locator("#kpi-summary tbody tr").count() == 9
    assert "客户投诉受理及时率" in manager.text("#kpi-summary")
    # the month and the six before it, the rates drawn as lines
    assert manager.page.locator("#kpi-trends tbody tr").count() == 7
    assert manager.page.locator("[data-testid=kpi-trend-charts] svg[role=img]").count() == 3
    manager.check("kpis-month")

    kpis = manager.form("kpis")
    kpis.locator("input[name=period]").fill("2026-Q4")
    manager.submit("kpis")
    expect(manager.page.locator("#kpi-trends tbody tr")).to_have_count(5)
    assert "2025-Q4" in manager.text("#kpi-trends")

    kpis.locator("input[name=period]").fill("2026-13")
    manager.submit("kpis")
    expect(kpis.locator("[data-err=period]")).not_to_be_empty()
    assert "422" in kpis.locator(".form-error").inner_text()
    assert manager.page.locator("#kpi-trends").count() == 0
    manager.check("kpis-bad-period")


def test_the_customer_card_shows_masked_data_as_the_api_gives_it(console, as_role):
    customer_id, name = active_customer(as_role)
    agent = console("cs_agent")
    agent.open(f"#/customers/{customer_id}")
    assert name in agent.text("main h1")
    agent.check("customer-card")


def test_a_change_request_is_decided_by_both_sides_on_their_approvals_pages(console, as_role):
    """rule C4: the market manager and finance each approve on "my approvals"; the second
    approval applies the new terms."""
    customer_id, name = active_customer(as_role)
    created = as_role("sales_clerk").post(
        f"/customers/{customer_id}/change-requests",
        json={"discount": "0.80", "credit_limit": "80000.00", "reason": "年度框架协议"},
    )
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]

    for role, status in (("market_manager", "partially_approved"), ("finance", "applied")):
        tab = console(role)
        tab.open("#/approvals", "section[data-section=change-requests]")
        decide = tab.page.locator(
            f"form[data-form=change-decision][data-change-request='{request_id}']"
        )
        row = tab.page.locator("section[data-section=change-requests] tr", has=decide)
        assert name in row.inner_text()
        assert "0.80" in row.locator("[data-term=discount]").inner_text()
        tab.check(f"approvals-change-request-{role}")
        decide.get_by_label("审批意见").select_option("approve")
        decide.get_by_label("备注").fill(f"{role} 同意")
        decide.locator("button[type=submit]").click()
        expect(decide).to_have_count(0)  # decided: no longer waiting for this side
        decided = as_role("sales_clerk").get(f"/change-requests/{request_id}").json()
        assert decided["status"] == status, decided
    card = as_role("sales_clerk").get(f"/customers/{customer_id}").json()
    assert card["discount"] == "0.8000" and card["credit_limit"] == "80000.00", card


# --- printable forms, a customer's ledger and the queue by URL (issue 12) -------------------


def registered_case(as_role, customer_id: str) -> dict:
    """A case registered and accepted through the API (set-up, not a step the test walks)."""
    agent = as_role("cs_agent")
    created = agent.post(
        "/complaints",
        json={
            "customer_id": customer_id,
            "channel": "hotline",
            "order_no": f"SO-PDF-{uuid.uuid4().hex[:6]}",
            "ship_date": "2026-11-02",
            "description": "电机异响",
            "request": "return",
            "lines": [{"sku": "P-100", "quantity": 4, "unit_price": "450.00"}],
        },
    )
    assert created.status_code == 201, created.text
    case = created.json()
    accepted = agent.post(f"/complaints/{case['id']}/accept", json={"promised_days": 7})
    assert accepted.status_code == 200, accepted.text
    return accepted.json()


def executing_case(as_role, customer_id: str) -> dict:
    """A case whose plan (a return of 4 x 450.00 and an allowance of 200.00) the customer
    accepted: the return authorization and the allowance voucher follow by events."""
    case = registered_case(as_role, customer_id)
    url = f"/complaints/{case['id']}"
    investigated = as_role("quality").post(
        f"{url}/investigation",
        json={
            "findings": "轴承装配不良",
            "cause": "装配工艺",
            "cause_category": "non_sales",
            "responsibility": [{"department": "production", "share": "1.00"}],
        },
    )
    assert investigated.status_code == 200, investigated.text
    posted = as_role("cs_agent").post(
        f"{url}/plans",
        json={
            "actions": [
                {
                    "type": "return",
                    "lines": [{"sku": "P-100", "quantity": 4, "unit_price": "450.00"}],
                },
                {"type": "allowance", "amount": "200.00"},
            ]
        },
    )
    assert posted.status_code == 201, posted.text
    plan = posted.json()
    approver = as_role(plan["required_approver"])
    approved = approver.post(f"{url}/plans/{plan['id']}/approve")
    assert approved.status_code == 200, approved.text
    answered = as_role("cs_agent").post(
        f"{url}/plans/{plan['id']}/customer-response", json={"accepted": True}
    )
    assert answered.status_code == 200, answered.text
    return answered.json()


def downloaded_pdf(tab: Console, testid: str, scope: str = "main") -> bytes:
    button = tab.page.locator(f"{scope} [data-testid={testid}]")
    with tab.page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    return download.path().read_bytes()


def test_the_case_page_prints_its_handling_form_and_tells_its_history_in_words(console, as_role):
    customer_id, _ = active_customer(as_role)
    case = registered_case(as_role, customer_id)
    agent = console("cs_agent")
    agent.open(f"#/complaints/{case['id']}", "[data-testid=handling-form-pdf]")
    assert "打印客户投诉处理表 (PDF)" in agent.text("[data-testid=handling-form-pdf]")
    content = downloaded_pdf(agent, "handling-form-pdf")
    assert content.startswith(b"%PDF"), content[:20]
    # the history: old -> new in words, no JSON
    history = agent.page.locator("main table").last.inner_text()
    assert "已登记 → 已受理" in history, history
    assert "{" not in history and '"' not in history, history
    assert "登记" in history and "受理" in history and "registered" not in history, history
    agent.check("case-print-and-history")


def test_the_return_form_and_the_allowance_certificate_print_from_their_pages(console, as_role):
    customer_id, _ = active_customer(as_role)
    case = executing_case(as_role, customer_id)
    (authorization,) = wait_for(
        lambda: (
            as_role("warehouse")
            .get("/returns", params={"complaint_id": case["id"]})
            .json()["items"]
        ),
        timeout=30,
    )
    (voucher,) = wait_for(
        lambda: (
            as_role("finance")
            .get("/finance/vouchers", params={"complaint_id": case["id"], "type": "allowance"})
            .json()["items"]
        ),
        timeout=30,
    )

    warehouse = console("warehouse")
    warehouse.open(f"#/returns/{authorization['id']}", "[data-testid=return-form-pdf]")
    assert downloaded_pdf(warehouse, "return-form-pdf").startswith(b"%PDF")
    warehouse.check("return-print")

    finance = console("finance")
    finance.open("#/finance/vouchers", "main table")
    row = finance.page.locator(f"main tr:has-text('{voucher['number']}')")
    assert "折让" in row.inner_text()
    content = downloaded_pdf(
        finance, "allowance-certificate-pdf", f"main tr:has-text('{voucher['number']}')"
    )
    assert content.startswith(b"%PDF")
    finance.check("vouchers-print")
    # the case's history in words: the plan's actions and the approver's rank
    agent = console("cs_agent")
    agent.open(f"#/complaints/{case['id']}", "[data-testid=handling-form-pdf]")
    history = agent.page.locator("main table").last.inner_text()
    assert "退货、折让" in history and "→ 执行中" in history, history
    assert "{" not in history, history


def test_finance_reaches_a_customers_ledger_from_the_card(console, as_role):
    customer_id, name = active_customer(as_role)
    clerk = as_role("finance")
    number = f"FP-CON-{uuid.uuid4().hex[:6]}"
    # finance learns of the customer by its event: the invoice waits for that
    invoice = {
        "customer_id": customer_id,
        "number": number,
        "date": "2026-01-05",
        "amount": "900.00",
    }

    def record():
        answer = clerk.post("/finance/invoices", json=invoice)
        return answer if answer.status_code == 201 else None

    recorded = wait_for(record, timeout=30)
    assert recorded.json()["kind"] == "invoice"

    finance = console("finance")
    finance.open(f"#/customers/{customer_id}", "[data-testid=customer-name]")
    finance.page.get_by_role("link", name="应收账款台账").click()
    finance.page.wait_for_url(re.compile(rf"#/finance/ledger/{customer_id}$"))
    finance.page.wait_for_selector("[data-testid=ledger-entries] tbody tr")
    assert name in finance.text("[data-testid=ledger-customer]")
    assert finance.text("[data-testid=ledger-balance]") == "900.00"
    ageing = finance.text("[data-testid=ledger-ageing]")
    for label in ("逾期 1-30 天", "逾期 31-60 天", "逾期 61-90 天", "逾期 90 天以上"):
        assert label in ageing, ageing
    entry = finance.text("[data-testid=ledger-entries] tbody tr")
    assert "发票" in entry and number in entry and "900.00" in entry, entry
    finance.check("ledger-of-customer")

    # the ledger's select goes to a customer's URL
    finance.open("#/finance/ledger", "form[data-form=ledger-customer]")
    finance.form("ledger-customer").get_by_label("客户").select_option(customer_id)
    finance.submit("ledger-customer")
    finance.page.wait_for_url(re.compile(rf"#/finance/ledger/{customer_id}$"))
    finance.page.wait_for_selector("[data-testid=ledger-balance]:text('900.00')")


def test_the_queue_is_filtered_by_the_customer_cards_link(console, as_role):
    customer_id, name = active_customer(as_role)
    case = registered_case(as_role, customer_id)
    agent = console("cs_agent")
    agent.open(f"#/customers/{customer_id}", "[data-testid=customer-name]")
    agent.page.locator(f"a[data-customer='{customer_id}']").click()
    agent.page.wait_for_url(re.compile(rf"#/complaints\?customer_id={customer_id}$"))
    agent.page.wait_for_selector(f"main td:text('{name}')")
    rows = agent.page.locator("main tbody tr")
    assert rows.count() == 1 and case["number"] in rows.inner_text()
    assert agent.form("queue-filter").get_by_label("客户编号").input_value() == customer_id
    assert name in agent.text("[data-testid=queue-customer]")
    agent.check("queue-of-customer")

    # a status in the URL too; the filter form writes both into the URL
    agent.open(
        f"#/complaints?customer_id={customer_id}&status=closed", "[data-testid=queue-customer]"
    )
    expect(agent.page.locator("main tbody tr")).to_have_count(0)
    assert agent.form("queue-filter").get_by_label("状态").input_value() == "closed"
    agent.form("queue-filter").get_by_label("状态").select_option("accepted")
    agent.submit("queue-filter")
    agent.page.wait_for_url(re.compile(r"status=accepted"))
    expect(agent.page.locator("main tbody tr")).to_have_count(1)


def test_the_reports_page_shows_the_months_confirmations(console):
    """rule P11: the month before, compiled on the 1st (at start-up when the suite missed
    it), with its responsible departments' confirmations and the deadline."""
    quality = console("quality")
    report = quality.page.locator("#confirmations-report")

    def compiled() -> bool:  # by the complaints service's first timer pass, at its start
        quality.open("#/reports", "form[data-form=confirmations]")
        return "确认期限" in report.inner_text()

    wait_for(compiled, timeout=30, interval=1)
    assert "汇总时间" in report.inner_text()
    quality.check("reports-confirmations")
    quality.form("confirmations").locator("input[name=month]").fill("1999-01")
    quality.submit("confirmations")
    expect(quality.page.locator("[data-testid=not-compiled]")).to_be_visible()
