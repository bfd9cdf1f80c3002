"""The seeds' paper under ``/api/v1`` (CONTRACT "Reports, forms and the console"): the
printable forms as PDF and the monthly statistics as .xlsx, for the roles that may read
the thing they print.

- ``GET /complaints/{id}/handling-form.pdf?round=`` (客户投诉处理表, five copies): every
  signed-in role, as ``GET /complaints/{id}``;
- ``GET /returns/{id}/return-form.pdf`` (成品退货单, four copies): every signed-in role, as
  ``GET /returns/{id}``;
- ``GET /finance/vouchers/{id}/allowance-certificate.pdf`` (销货折让证明单, two copies):
  finance, as ``GET /finance/vouchers/{id}``; allowance vouchers only;
- ``GET /reports/complaints/monthly.xlsx?month=`` (客户投诉案件统计表): the roles of the JSON
  report.

A form is one read of its thing plus what it names: the customer's card for the name
(read as the user, so the read is audited as theirs, rule C11), and for a return its
case or sales return request (退回依据). The rendering is ``gateway.documents``.
"""

from __future__ import annotations

import re
from typing import Any

import flask_smorest
from flask import current_app
from marshmallow import Schema, fields, validate

from gateway import documents, rpc
from gateway.api.complaints import OVERSEERS
from gateway.api.finance import FINANCE
from gateway.auth.access import AUTHENTICATED, current_identity, requires
from gateway.blueprint import Blueprint
from servicekit.contracts import complaints_vocabulary as complaints
from servicekit.contracts import customer_vocabulary as customer
from servicekit.contracts import finance_vocabulary as finance
from servicekit.contracts import returns_vocabulary as returns
from servicekit.contracts.complaints import MonthlyReportArgsSchema
from servicekit.errors import NotFound


class DocumentBlueprint(Blueprint):
    """Views answer with a file: documented as binary content, the response passed on as
    it is (there is no JSON to revive)."""

    def response(self, status_code, schema=None, **kwargs: Any):
        return flask_smorest.Blueprint.response(self, status_code, schema, **kwargs)


blp = DocumentBlueprint(
    "documents", __name__, url_prefix="/api/v1", description="Printable forms and spreadsheets"
)

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BINARY = {"type": "string", "format": "binary"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class HandlingFormArgsSchema(Schema):
    round = fields.Integer(
        strict=False,
        validate=validate.Range(min=1),
        metadata={
            "description": "the plan's round (one form a round, rule P7); default: the latest"
        },
    )


def _customer_card(customer_id: str) -> dict | None:
    """The card as the user reads it; ``None`` when there is no such customer (a sales
    return request may name a customer the suite does not know)."""
    try:
        return rpc.call(customer.SERVICE, "get_customer", customer_id, current_identity().actor)
    except NotFound:
        return None


def _file(content: bytes, mimetype: str, filename: str, disposition: str):
    response = current_app.response_class(content, mimetype=mimetype)
    safe = _UNSAFE.sub("_", filename)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{safe}"'
    # a form shows a case as it stands now and personal data: never cached on the way
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _pdf(form: documents.Form, filename: str):
    content = documents.pdf(form, current_app.config["PDF_FONT"])
    return _file(content, PDF, filename, "inline")


@blp.route("/complaints/<complaint_id>/handling-form.pdf", methods=["GET"])
@requires(AUTHENTICATED)
@blp.arguments(HandlingFormArgsSchema, location="query")
@blp.response(200, BINARY, content_type=PDF, description="the form, five pages")
def complaint_handling_form(args: dict, complaint_id: str):
    """The complaint handling form (客户投诉处理表) of a case, five copies (seed 000).

    One page per copy, each marked for its keeper: quality, production, the complaints
    desk, finance, the general manager's office. The registration (rule P2), the
    investigation and responsibility (rule P4), the round's plan (rule P5) with its
    approval authority (rule P6), the customer's answer (rule P7) and the follow-up
    (rule P9), with signature boxes. ``?round=2`` prints the form of round 2 (a declined plan is
    followed by a new form); a round the case does not have -> 404 ``plan_not_found``.

    Example: ``GET /api/v1/complaints/8d1e.../handling-form.pdf`` -> ``application/pdf``
    ``TS-2026-000123-handling-form.pdf``
    """
    case = rpc.call(complaints.SERVICE, "get_complaint", complaint_id)
    documents.round_plan(case, args.get("round"))  # 404 before the card is read
    form = documents.handling_form(case, _customer_card(case["customer_id"]), args.get("round"))
    return _pdf(form, f"{case['number']}-handling-form.pdf")


@blp.route("/returns/<return_id>/return-form.pdf", methods=["GET"])
@requires(AUTHENTICATED)
@blp.response(200, BINARY, content_type=PDF, description="the form, four pages")
def return_form(return_id: str):
    """The finished-goods return form (成品退货单) of a return authorization (rule R1).

    Four copies (seed 000): the first kept by customer service, the other three to the
    finished-goods warehouse (kept there, and passed to finance and sales). Reason,
    handling and basis (the case's handling form or the sales return request), authorized
    and actual quantities once signed for (rule R2), quality's split (rule R3) and
    differences, with signature boxes.

    Example: ``GET /api/v1/returns/5b7c.../return-form.pdf`` -> ``application/pdf``
    ``RA-2026-000012-return-form.pdf``
    """
    authorization = rpc.call(returns.SERVICE, "get_return", return_id)
    case = request = None
    if authorization.get("complaint_id"):
        case = rpc.call(complaints.SERVICE, "get_complaint", authorization["complaint_id"])
    elif authorization.get("request_id"):
        request = rpc.call(returns.SERVICE, "get_return_request", authorization["request_id"])
    form = documents.return_form(
        authorization,
        _customer_card(authorization["customer_id"]),
        documents.basis_of(case, request),
    )
    return _pdf(form, f"{authorization['number']}-return-form.pdf")


@blp.route("/finance/vouchers/<voucher_id>/allowance-certificate.pdf", methods=["GET"])
@requires(*FINANCE)
@blp.response(200, BINARY, content_type=PDF, description="the certificate, two pages")
def allowance_certificate(voucher_id: str):
    """The sales allowance certificate (销货折让证明单) of an allowance voucher (rule F3).

    Two copies (seed 000): customer service and accounting; the amount in figures and in
    capital numerals, how the allowance is proven (rule F2), and the manager's, the
    general manager's and the customer's signature boxes. A voucher that is no allowance
    -> 404 ``allowance_certificate_not_found``.

    Example: ``GET /api/v1/finance/vouchers/7c1f.../allowance-certificate.pdf`` ->
    ``application/pdf`` ``ZR-2026-000045-allowance-certificate.pdf``
    """
    voucher = rpc.call(finance.SERVICE, "get_voucher", voucher_id)
    certificate = documents.certificate_of(voucher)  # 404 before anything else is read
    form = documents.allowance_certificate(voucher, _customer_card(certificate["customer_id"]))
    return _pdf(form, f"{certificate['number']}-allowance-certificate.pdf")


@blp.route("/reports/complaints/monthly.xlsx", methods=["GET"])
@requires(*OVERSEERS)
@blp.arguments(MonthlyReportArgsSchema, location="query")
@blp.response(200, BINARY, content_type=XLSX, description="the workbook")
def monthly_report_workbook(args: dict):
    """The monthly statistics (客户投诉案件统计表, rule P11) as an .xlsx workbook.

    The report of ``GET /reports/complaints/monthly`` with a sheet per table: summary, by
    cause, by responsible department with its problem ratio, by product, by customer
    (with the customers' names) and the improvements. Rates are percent-formatted numbers.

    Example: ``GET /api/v1/reports/complaints/monthly.xlsx?month=2026-10`` ->
    ``complaints-monthly-2026-10.xlsx``
    """
    report = rpc.call(complaints.SERVICE, "monthly_report", args["month"])
    names: dict[str, Any] = {}
    for customer_id in report["by_customer"]:
        card = _customer_card(customer_id)
        if card is not None:
            names[customer_id] = card.get("name")
    content = documents.monthly_workbook(report, names)
    return _file(content, XLSX, f"complaints-monthly-{report['month']}.xlsx", "attachment")
