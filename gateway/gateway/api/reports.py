"""The departments' KPIs and the monthly compilation's confirmations under ``/api/v1``
(issue 12.2; CONTRACT "Reports, forms and the console"):

- ``GET /reports/kpis?period=YYYY-MM|YYYY-Qn|YYYY`` and ``GET /reports/kpis.xlsx?period=``
  (cs_manager, vp, gm, market_manager): one RPC to the complaints service and one to the
  customer service, put together by ``gateway.kpis``;
- ``GET /reports/complaints/monthly/{month}`` (the same roles and quality): the month's
  statistics as compiled on the 1st, its responsible departments and their confirmations
  (rule P11);
- ``POST /reports/complaints/monthly/{month}/confirmations`` ``{"department"}`` by any
  signed-in user: the complaints service checks that the user belongs to the department
  (403 ``wrong_department``) and that it has a share that month (422
  ``department_not_responsible``).
"""

from __future__ import annotations

import flask_smorest
from flask import current_app
from marshmallow import Schema, fields, validate

from gateway import kpis, rpc
from gateway.api.complaints import OVERSEERS
from gateway.auth.access import AUTHENTICATED, current_identity, requires
from gateway.blueprint import Blueprint
from gateway.documents.kpis_workbook import kpis_workbook
from servicekit.contracts import complaints_vocabulary as complaints
from servicekit.contracts import customer_vocabulary as customer

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1",
    description="KPIs and the monthly complaint statistics",
)

# Years 1900 to 9999: year 0000 is no year (it made a 500), and nothing is older.
PERIOD = r"^(19\d\d|[2-9]\d{3})(-(0[1-9]|1[0-2])|-Q[1-4])?$"
BINARY = {"type": "string", "format": "binary"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READERS = (*OVERSEERS, "quality")


class PeriodArgsSchema(Schema):
    period = fields.String(
        required=True,
        validate=validate.Regexp(PERIOD, error="must be YYYY-MM, YYYY-Qn or YYYY"),
        metadata={"example": "2026-Q4"},
    )


class ConfirmationSchema(Schema):
    department = fields.String(
        required=True, validate=validate.Length(min=1, max=100), metadata={"example": "quality"}
    )


def _report(period: str) -> dict:
    cases = rpc.call(complaints.SERVICE, "kpis", period)
    cards = rpc.call(customer.SERVICE, "kpis", period)
    return kpis.kpi_report(period, cases, cards)


@blp.route("/reports/kpis", methods=["GET"])
@requires(*OVERSEERS)
@blp.arguments(PeriodArgsSchema, location="query")
@blp.response(200)
def kpi_report(args: dict):
    """The departments' KPIs over a month, a quarter or a year (seed 001, seed 003).

    Example: ``GET /api/v1/reports/kpis?period=2026-Q4`` -> ``{"period": "2026-Q4",
    "file_completeness_rate": "0.8500", "timely_acceptance_rate": "0.9200",
    "follow_up_rate": "1.0000", "follow_ups": 31, "resolution_rate": "0.8000",
    "complaint_rate": "0.0400", "satisfaction": {"average": "4.50", "satisfied_share":
    "0.9000"}, "enquiry_reply_on_time_rate": null, "department_handling_hours":
    {"quality": "6.50"}, "by_owner": {"li.na": {...}}}``
    """
    return _report(args["period"])


@blp.route("/reports/kpis.xlsx", methods=["GET"])
@requires(*OVERSEERS)
@blp.arguments(PeriodArgsSchema, location="query")
# a file, passed on as it is (as gateway.api.documents does): flask-smorest's own response
@flask_smorest.Blueprint.response(blp, 200, BINARY, content_type=XLSX)
def kpi_workbook(args: dict):
    """The departments' KPIs as an .xlsx workbook.

    The report of ``GET /reports/kpis``: summary, the departments' handling hours, one
    row per owner. Example: ``GET /api/v1/reports/kpis.xlsx?period=2026``
    -> ``kpis-2026.xlsx``"""
    report = _report(args["period"])
    response = current_app.response_class(kpis_workbook(report), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="kpis-{args["period"]}.xlsx"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/reports/complaints/monthly/<month>", methods=["GET"])
@requires(*READERS)
@blp.response(200)
def compiled_month(month: str):
    """The month's compiled statistics and their confirmations (rule P11).

    As compiled on the 1st, with the responsible departments, their confirmations and
    the notice to the general manager's office. Not compiled yet -> 404
    ``monthly_report_not_found``."""
    return rpc.call(complaints.SERVICE, "compiled_month", month)


@blp.route("/reports/complaints/monthly/<month>/confirmations", methods=["POST"])
@requires(AUTHENTICATED)
@blp.arguments(ConfirmationSchema)
@blp.response(200)
def confirm_share(body: dict, month: str):
    """The signed-in user's department confirms its share of the month (rule P11).

    Example: ``POST /api/v1/reports/complaints/monthly/2026-10/confirmations``
    ``{"department": "quality"}`` -> the compiled month with its confirmations."""
    return rpc.call(
        complaints.SERVICE, "confirm_monthly_share", month, body, current_identity().actor
    )
