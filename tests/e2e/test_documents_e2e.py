"""The printable forms from the running suite (issue 12.3): a case taken to an accepted plan
with a return and an allowance, then its return authorization's return form (成品退货单),
the allowance voucher's certificate (销货折让证明单) and the case's handling form
(客户投诉处理表) fetched over HTTP, rendered page by page (pdftoppm) and read (pdftotext)."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from servicekit.testing import wait_for


def pdf_pages(content: bytes, folder: Path) -> list[str]:
    """The text of each page; each page rendered to PNG and found neither blank nor black."""
    folder.mkdir()
    source = folder / "form.pdf"
    source.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "30", "-gray", source, folder / "page"], check=True)
    for image in sorted(folder.glob("page-*.pgm")):
        pixels = image.read_bytes().split(b"\n", 3)[3]  # binary PGM: magic, size, maxval, pixels
        dark = sum(1 for value in pixels if value < 128)
        assert 0.005 < dark / len(pixels) < 0.5, f"{image.name} looks blank or black"
    text = subprocess.run(
        ["pdftotext", "-layout", source, "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) == len(list(folder.glob("page-*.pgm")))
    return pages


def accepted_case(as_role, name: str) -> dict:
    """A case of a new approved customer with an accepted plan: a return of 2 x P-100 and
    an allowance of 300.00 (rule P5, rule P6, rule P7)."""
    card = as_role("sales_clerk").post(
        "/customers",
        json={"name": name, "nature": "distributor", "region": "华东", "discount": "0.90",
              "settlement_terms": "net_30", "credit_limit": "50000.00"},
    )  # fmt: skip
    assert card.status_code == 201, card.text
    customer_id = card.json()["id"]
    assert as_role("sales_manager").post(f"/customers/{customer_id}/approve").status_code == 200
    agent = as_role("cs_agent")
    case = agent.post(
        "/complaints",
        json={"customer_id": customer_id, "channel": "hotline", "order_no": "SO-DOC-1",
              "ship_date": "2026-11-01", "description": "外壳破损，客户要求退货并折让",
              "request": "return",
              "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}]},
    )  # fmt: skip
    assert case.status_code == 201, case.text
    url = f"/complaints/{case.json()['id']}"
    assert agent.post(f"{url}/accept", json={"promised_days": 7}).status_code == 200
    investigated = as_role("quality").post(
        f"{url}/investigation",
        json={"findings": "包装泡沫不足", "cause": "包装不良", "cause_category": "non_sales",
              "responsibility": [{"department": "production", "share": "1.00"}]},
    )  # fmt: skip
    assert investigated.status_code == 200, investigated.text
    plan = agent.post(
        f"{url}/plans",
        json={"actions": [
            {"type": "return", "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}]},
            {"type": "allowance", "amount": "300.00"},
        ]},
    )  # fmt: skip
    assert plan.status_code == 201, plan.text
    plan_url = f"{url}/plans/{plan.json()['id']}"
    assert as_role("cs_manager").post(f"{plan_url}/approve").status_code == 200
    accepted = agent.post(f"{plan_url}/customer-response", json={"accepted": True})
    assert accepted.json()["status"] == "executing", accepted.text
    return case.json()


def test_a_return_form_and_an_allowance_certificate_print_from_the_running_suite(as_role, tmp_path):
    name = f"宁波甬江机电有限公司{uuid.uuid4().hex[:4]}"
    case = accepted_case(as_role, name)
    warehouse, finance, agent = as_role("warehouse"), as_role("finance"), as_role("cs_agent")

    # rule R1: the accepted plan's return authorization, and its form in four copies
    (authorization,) = wait_for(
        lambda: warehouse.get("/returns", params={"complaint_id": case["id"]}).json()["items"],
        timeout=20,
    )
    response = warehouse.get(f"/returns/{authorization['id']}/return-form.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content, tmp_path / "return-form")
    keepers = ["客户服务部门自存", "成品仓库留存", "财务部留存", "业务部留存"]
    assert len(pages) == len(keepers)
    for page, keeper in zip(pages, keepers, strict=True):
        for expected in ("成品退货单", authorization["number"], name, case["number"], keeper):
            assert expected in page, (expected, page)

    # rule F3: the allowance's voucher and its certificate in two copies, for finance only
    def allowance():
        found = finance.get(
            "/finance/vouchers", params={"complaint_id": case["id"], "type": "allowance"}
        ).json()["items"]
        return found[0] if found else None

    voucher = wait_for(allowance, timeout=20)
    path = f"/finance/vouchers/{voucher['id']}/allowance-certificate.pdf"
    assert warehouse.get(path).status_code == 403
    response = finance.get(path)
    assert response.status_code == 200, response.text
    pages = pdf_pages(response.content, tmp_path / "certificate")
    assert len(pages) == 2
    for page, keeper in zip(pages, ["客户服务部门存", "送会计作账"], strict=True):
        for expected in ("销货折让证明单", voucher["number"], name, "人民币叁佰元整", keeper):
            assert expected in page, (expected, page)

    # the case's handling form: five copies, the plan the customer accepted
    response = agent.get(f"/complaints/{case['id']}/handling-form.pdf")
    assert response.status_code == 200, response.text
    pages = pdf_pages(response.content, tmp_path / "handling-form")
    assert len(pages) == 5
    assert all("客户投诉处理表" in page and case["number"] in page for page in pages)
    assert "客户接受" in pages[0] and "人民币壹仟贰佰元整" in pages[0]
