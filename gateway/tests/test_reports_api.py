"""The departments' KPIs and the monthly compilation's confirmations (issue 12.2) with a
fake RPC client: the role matrix, one RPC per service, the composition of the rates,
422 on a bad period, the workbook read back by openpyxl, the actor of a confirmation."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gateway.kpis import kpi_report, rates
from gateway.tests import matrix
from servicekit.errors import Forbidden

CASES = {
    "period": "2026-10",
    "registered": 4,
    "acceptance_counted": 4,
    "accepted_on_time": 3,
    "established": 3,
    "resolved": 2,
    "resolved_in_period": 2,
    "followed_up": 1,
    "follow_ups": 2,
    "scores": 2,
    "score_sum": 9,
    "satisfied": 2,
    "department_handling_hours": {"quality": {"cases": 2, "hours": "6.50"}},
    "by_owner": {"li.na": {"registered": 4, "accepted_on_time": 3, "acceptance_counted": 4}},
}
CARDS = {
    "period": "2026-10",
    "customers": 40,
    "complete": 30,
    "followed_customers": 5,
    "follow_ups": 6,
    "surveys": 2,
    "survey_score_sum": 6,
    "survey_satisfied": 1,
    "enquiries_counted": 0,
    "enquiries_on_time": 0,
    "by_owner": {"li.na": {"customers": 10, "complete": 9}, "wang.wu": {"customers": 30}},
}
MONTH = {"month": "2026-10", "departments": ["quality"], "confirmations": [], "notice": None}
OVERSEERS = ("cs_manager", "vp", "gm", "market_manager")

# (method, path, body, roles besides admin, RPC method, status)
ENDPOINTS = [
    ("GET", "/api/v1/reports/kpis?period=2026-10", None, OVERSEERS, "kpis", 200),
    ("GET", "/api/v1/reports/kpis.xlsx?period=2026", None, OVERSEERS, "kpis", 200),
    ("GET", "/api/v1/reports/complaints/monthly/2026-10", None, (*OVERSEERS, "quality"),
     "compiled_month", 200),
]  # fmt: skip


@pytest.fixture
def api(client, rpc, token_for):
    matrix.answer_with(rpc, "complaints", {"kpis": CASES, "compiled_month": MONTH})
    matrix.answer_with(rpc, "customer", {"kpis": CARDS})
    return matrix.Api("complaints", client, rpc, token_for)


def test_every_reports_route_is_in_the_matrix(app):
    rows = [
        *ENDPOINTS,
        ("POST", "/api/v1/reports/complaints/monthly/2026-10/confirmations", None, (), "", 200),
    ]
    matrix.check_matrix_covers(app, "reports", rows, {"month": "2026-10"})


@pytest.mark.parametrize("case", matrix.role_cases(ENDPOINTS))
def test_roles(api, case):
    response = api.open(case.method, case.path, case.body, case.role)
    if case.allowed:
        assert response.status_code == case.status, response.get_json()
        called = [m for _, m in api.methods_called()]
        assert called == (["kpis", "kpis"] if case.rpc_method == "kpis" else [case.rpc_method])
    else:
        assert response.status_code == 403
        assert api.rpc.calls == []


def test_the_report_asks_each_service_once_and_composes_the_rates(api):
    response = api.open("GET", "/api/v1/reports/kpis?period=2026-Q4", None, "gm")
    assert response.status_code == 200
    assert [(c.service, c.method, c.args) for c in api.rpc.calls] == [
        ("complaints", "kpis", ("2026-Q4",)),
        ("customer", "kpis", ("2026-Q4",)),
    ]
    report = response.get_json()
    assert report["period"] == "2026-Q4"
    assert report["file_completeness_rate"] == "0.7500"
    assert report["timely_acceptance_rate"] == "0.7500"
    assert report["follow_up_rate"] == "0.5000" and report["follow_ups"] == 8
    assert report["resolution_rate"] == "0.6667"
    assert report["complaint_rate"] == "0.1000"
    assert report["satisfaction"] == {"average": "3.75", "satisfied_share": "0.7500"}
    assert report["enquiry_reply_on_time_rate"] is None
    assert report["department_handling_hours"] == {"quality": "6.50"}
    assert set(report["by_owner"]) == {"li.na", "wang.wu"}
    assert report["by_owner"]["li.na"]["file_completeness_rate"] == "0.9000"
    assert report["by_owner"]["li.na"]["complaint_rate"] == "0.4000"
    assert report["by_owner"]["wang.wu"]["timely_acceptance_rate"] is None


def test_nothing_counted_gives_nulls_not_zeros():
    empty = rates({}, {})
    assert empty["file_completeness_rate"] is None and empty["complaint_rate"] is None
    assert empty["satisfaction"] == {"average": None, "satisfied_share": None}
    assert empty["follow_ups"] == 0
    assert kpi_report("2026", {}, {})["by_owner"] == {}


@pytest.mark.parametrize(
    "period", ["2026-13", "2026-Q5", "26", "2026-1", "", "2026-Q1x", "0000", "0001-Q1", "1899"]
)
def test_a_bad_period_is_422_without_a_call(api, period):
    api.check_invalid("GET", f"/api/v1/reports/kpis?period={period}", None, "gm", {"period"})


def test_a_missing_period_is_422(api):
    api.check_invalid("GET", "/api/v1/reports/kpis", None, "gm", {"period"})
    api.check_invalid("GET", "/api/v1/reports/kpis.xlsx", None, "gm", {"period"})


def test_the_workbook_reads_back_with_the_reports_figures(api):
    response = api.open("GET", "/api/v1/reports/kpis.xlsx?period=2026-10", None, "vp")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="kpis-2026-10.xlsx"'
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["汇总", "各部门处理时效", "按负责人"]
    summary = {row[1]: row[2] for row in book["汇总"].iter_rows(min_row=3, values_only=True)}
    assert summary["file_completeness_rate"] == pytest.approx(0.75)
    assert summary["complaint_rate"] == pytest.approx(0.1)
    assert summary["follow_ups"] == 8
    assert summary["satisfaction.average"] == pytest.approx(3.75)
    assert summary["enquiry_reply_on_time_rate"] is None
    assert book["汇总"].cell(row=3, column=3).number_format == "0.00%"
    hours = list(book["各部门处理时效"].iter_rows(min_row=2, values_only=True))
    assert hours == [("质量管理部", "quality", pytest.approx(6.5))]
    owners = [row[0] for row in book["按负责人"].iter_rows(min_row=2, values_only=True)]
    assert owners == ["li.na", "wang.wu"]


def test_a_confirmation_carries_the_user_and_their_department(api):
    api.rpc.answers[("complaints", "confirm_monthly_share")] = MONTH
    response = api.open(
        "POST",
        "/api/v1/reports/complaints/monthly/2026-10/confirmations",
        {"department": "quality"},
        "quality",
        username="qa1",
        department="quality",
    )
    assert response.status_code == 200, response.get_json()
    month, body, actor = api.rpc.last.args
    assert (month, body) == ("2026-10", {"department": "quality"})
    assert actor == {"username": "qa1", "roles": ["quality"], "department": "quality"}


def test_a_confirmation_without_a_department_is_422(api):
    path = "/api/v1/reports/complaints/monthly/2026-10/confirmations"
    api.check_invalid("POST", path, {}, "quality", {"department"})


def test_a_user_of_another_department_gets_the_services_403(api):
    api.check_service_error(
        "POST",
        "/api/v1/reports/complaints/monthly/2026-10/confirmations",
        {"department": "quality"},
        "cs_agent",
        "confirm_monthly_share",
        Forbidden("Only a user of the department confirms its share.", {}, "wrong_department"),
        403,
        "wrong_department",
    )


def test_decimal_strings_round_half_up():
    assert rates({"accepted_on_time": 2, "acceptance_counted": 3}, {})[
        "timely_acceptance_rate"
    ] == str(Decimal("0.6667"))
