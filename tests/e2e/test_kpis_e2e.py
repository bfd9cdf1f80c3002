"""The departments' KPIs over real HTTP (issue 12.2): a case registered and accepted this
month moves /reports/kpis for the current month (one RPC to complaints, one to customer),
the workbook comes back as .xlsx, a bad period is 422; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

CARD = {"name": "华南机电有限公司", "nature": "distributor", "region": "华南"}


def this_month() -> str:
    return (datetime.now(UTC) + timedelta(hours=8)).strftime("%Y-%m")  # Beijing time


def test_a_registered_and_accepted_case_shows_in_the_months_kpis(as_role):
    gm, agent = as_role("gm"), as_role("cs_agent")
    month = this_month()
    before = gm.get("/reports/kpis", params={"period": month})
    assert before.status_code == 200, before.text
    customer = as_role("sales_clerk").post("/customers", json=CARD).json()
    as_role("sales_manager").post(f"/customers/{customer['id']}/approve")
    registered = agent.post(
        "/complaints",
        json={
            "customer_id": customer["id"],
            "channel": "phone",
            "order_no": "SO-KPI-1",
            "ship_date": "2026-01-05",
            "description": "外壳破损",
            "request": "return",
            "lines": [{"sku": "P-1", "quantity": 1, "unit_price": "10.00"}],
        },
    )
    assert registered.status_code == 201, registered.text
    accepted = agent.post(
        f"/complaints/{registered.json()['id']}/accept", json={"promised_days": 7}
    )
    assert accepted.status_code == 200, accepted.text

    report = gm.get("/reports/kpis", params={"period": month}).json()
    assert report["period"] == month
    assert report["timely_acceptance_rate"] is not None
    assert report["complaint_rate"] is not None
    assert report["resolution_rate"] is not None  # the case counts, not resolved yet
    assert report["file_completeness_rate"] is not None
    assert set(report) >= {"follow_ups", "satisfaction", "department_handling_hours", "by_owner"}

    year = gm.get("/reports/kpis", params={"period": month[:4]}).json()
    assert year["timely_acceptance_rate"] is not None
    workbook = gm.get("/reports/kpis.xlsx", params={"period": month})
    assert workbook.status_code == 200
    assert load_workbook(io.BytesIO(workbook.content)).sheetnames[0] == "汇总"
    assert gm.get("/reports/kpis", params={"period": "2026-13"}).status_code == 422
    assert agent.get("/reports/kpis", params={"period": month}).status_code == 403
