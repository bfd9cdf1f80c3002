"""The published complaints contract: payloads the domain makes load through the
schemas consumers use, and the resource schemas dump the domain objects as they are."""

import json
from datetime import date
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from complaints.commands import (
    AcceptComplaint,
    Line,
    PlanAction,
    PostPlan,
    RecordInvestigation,
    RegisterComplaint,
    Share,
)
from complaints.domain import Complaint, monthly_statistics
from complaints.testing import CaseBuilder, allowance, line, return_action, share
from servicekit.contracts import complaints as contract
from servicekit.errors import Invalid
from servicekit.validation import load_command


def closed_case() -> Complaint:
    """An exchange with a compensation, accepted late and closed after its promise."""
    return (
        CaseBuilder(
            number="TS-2026-000007",
            channel="email",
            order_no="SO-1",
            ship_date=date(2026, 2, 1),
            request="exchange",
            lines=[line(quantity=2)],
        )
        .accept(3, hour=30)  # acceptance late
        .investigate(
            [share("production", "0.7", "赵六"), share("quality", "0.3")],
            hour=31,
            cause="material",
            improvement=None,
        )
        .plan(
            [return_action(line(quantity=2), type="exchange"), allowance("120.00", "compensation")],
            hour=32,
        )
        .approve(hour=33, roles=["cs_manager"])
        .customer_accepts(hour=34)
        .settle(hour=40)
        .follow_up(hour=200)  # after the 3-day promise: escalation
        .build()
    )


def test_every_event_the_domain_records_loads_with_its_published_schema():
    events = closed_case().pull_events()
    assert [e.event_type for e in events] == [
        "complaint_registered",
        "plan_accepted",
        "complaint_resolved",
        "complaint_closed",
        "loss_apportioned",
        "notice_issued",
    ]
    for event in events:
        payload = json.loads(json.dumps(event.payload))  # what the outbox stores
        payload["event_id"] = "e-1"
        loaded = contract.EVENT_SCHEMAS[event.event_type]().load(payload)
        assert loaded["complaint_id"] == event.payload["complaint_id"]


def test_plan_accepted_event_carries_amounts_quantities_and_shares():
    (event,) = [e for e in closed_case().pull_events() if e.event_type == "plan_accepted"]
    loaded = contract.PlanAcceptedEventSchema().load({**event.payload, "event_id": "e-1"})
    assert loaded["amount"] == Decimal("620.00")
    assert loaded["approved_quantities"] == [
        {"sku": "PUMP-01", "quantity": 2, "unit_price": Decimal("250.00")}
    ]
    assert [r["share"] for r in loaded["responsibility"]] == [Decimal("0.7"), Decimal("0.3")]
    assert loaded["actions"][1]["type"] == "compensation"
    assert loaded["owner"] == "li.na"  # rule R2: the case's sales clerk


def test_complaint_closed_event_carries_satisfaction_and_handling_time():
    (event,) = [e for e in closed_case().pull_events() if e.event_type == "complaint_closed"]
    loaded = contract.ComplaintClosedEventSchema().load({**event.payload, "event_id": "e-1"})
    assert loaded["satisfaction"] == 5
    assert loaded["handling_hours"] == Decimal("200.00")
    assert loaded["on_time_closure"] is False
    assert loaded["timely_acceptance"] is False


def test_rejected_event_loads_with_its_schema():
    complaint = CaseBuilder(channel="letter", request="other").reject("不属于质量问题").build()
    event = complaint.pull_events()[-1]
    loaded = contract.ComplaintRejectedEventSchema().load({**event.payload, "event_id": "e"})
    assert loaded["reason"] == "不属于质量问题"


def test_complaint_schema_dumps_the_aggregate_as_it_is():
    complaint = closed_case()
    dumped = contract.ComplaintSchema().dump(complaint)
    assert dumped["status"] == "closed"
    assert dumped["ship_date"] == "2026-02-01"
    assert dumped["lines"][0]["unit_price"] == "250.00"
    assert dumped["investigation"]["responsibility"][0]["share"] == "0.7"
    assert dumped["plans"][0]["amount"] == "620.00"
    assert dumped["plans"][0]["actions"][0]["state"] == "done"
    assert [a["type"] for a in dumped["actions"]] == ["exchange", "compensation"]
    assert dumped["notices"][0]["type"] == "escalation"
    assert dumped["timely_acceptance"] is False
    assert {s["name"] for s in dumped["steps"]} >= {"acceptance", "closure", "follow_up"}
    json.dumps(dumped)


def test_monthly_report_schema_dumps_the_statistics():
    complaint = closed_case()
    report = monthly_statistics("2026-03", [complaint.summary()])
    dumped = contract.MonthlyReportSchema().dump(report)
    assert dumped["problem_ratio"] == {"production": "0.7000", "quality": "0.3000"}
    assert dumped["avg_handling_hours"] == "200.00"
    assert dumped["on_time_closure_rate"] == "0.0000"
    empty = contract.MonthlyReportSchema().dump(monthly_statistics("2026-01", []))
    assert empty["timely_acceptance_rate"] is None


def test_request_schemas_take_the_contract_examples():
    body = {
        "customer_id": "c1",
        "channel": "pickup_point",
        "order_no": "SO-1",
        "ship_date": "2026-02-01",
        "description": "包装破损",
        "request": "return",
        "lines": [{"sku": "A", "description": "阀门", "quantity": 2, "unit_price": "10.50"}],
    }
    loaded = contract.RegisterComplaintSchema().load(body)
    assert loaded["lines"][0]["unit_price"] == Decimal("10.50")
    plan = contract.PostPlanSchema().load(
        {
            "actions": [
                {"type": "return", "lines": [{"sku": "A", "quantity": 1, "unit_price": "10.50"}]},
                {"type": "allowance", "amount": "300.00"},
            ]
        }
    )
    assert plan["actions"][1] == {"type": "allowance", "lines": [], "amount": Decimal("300.00")}
    investigation = contract.InvestigationSchema().load(
        {
            "findings": "f",
            "cause": "c",
            "cause_category": "sales",
            "responsibility": [{"department": "sales", "person": "p", "share": "1.00"}],
        }
    )
    assert investigation["responsibility"][0]["share"] == Decimal("1.00")
    assert contract.AcceptSchema().load({"promised_days": 7}) == {"promised_days": 7}
    assert contract.FollowUpSchema().load({"satisfied": True, "score": 5})["notes"] is None


@pytest.mark.parametrize(
    "schema, body",
    [
        (contract.AcceptSchema, {"promised_days": 0}),
        (contract.RejectSchema, {"reason": ""}),
        (contract.FollowUpSchema, {"satisfied": True, "score": 6}),
        (contract.CustomerResponseSchema, {"comment": "x"}),
        (contract.PostPlanSchema, {"actions": []}),
        (contract.MonthlyReportArgsSchema, {"month": "2026-3"}),
    ],
)
def test_malformed_requests_are_refused_by_shape(schema, body):
    with pytest.raises(ValidationError):
        schema().load(body)


# --- shape is checked here once; the domain gets typed commands and checks rules -------
FORM = {
    "customer_id": "c1",
    "channel": "hotline",
    "order_no": "SO-1",
    "ship_date": "2026-02-01",
    "description": "外壳破损",
    "request": "return",
    "lines": [{"sku": "P-100", "quantity": 2, "unit_price": "450.00"}],
}
LINE = FORM["lines"][0]


def refused(schema, body) -> dict:
    with pytest.raises(ValidationError) as caught:
        schema().load(body)
    return caught.value.messages


@pytest.mark.parametrize(
    "field, value",
    [
        ("channel", "fax"),  # rule P1
        ("request", "refund"),  # rule P2
        ("ship_date", "2026-02-20T08:00:00+08:00"),
        ("ship_date", None),
        ("lines", []),
    ],
)
def test_the_registration_form_takes_the_contract_values_only(field, value):
    assert field in refused(contract.RegisterComplaintSchema, {**FORM, field: value})


@pytest.mark.parametrize(
    "field, value",
    [
        ("quantity", 0),
        ("quantity", 1.5),
        ("quantity", "2"),
        ("unit_price", "-0.01"),
        ("unit_price", "abc"),
    ],
)
def test_a_line_has_a_whole_quantity_above_zero_and_a_price_of_zero_or_more(field, value):
    lines = [LINE, {**LINE, field: value}]
    messages = refused(contract.RegisterComplaintSchema, {**FORM, "lines": lines})
    assert list(messages["lines"]) == [1] and field in messages["lines"][1]


@pytest.mark.parametrize("days", [0, -1, True, "3", 366])
def test_the_promised_wait_is_a_whole_number_of_days(days):  # rule P3
    assert "promised_days" in refused(contract.AcceptSchema, {"promised_days": days})


@pytest.mark.parametrize("score", [0, 6, "5", None, True])
def test_the_follow_up_score_is_a_whole_number_from_one_to_five(score):  # rule P9
    assert "score" in refused(contract.FollowUpSchema, {"satisfied": True, "score": score})


@pytest.mark.parametrize(
    "values, wrong",
    [(("1.00", "0"), [1]), (("1.50", "-0.50"), [0, 1]), (("1.00", "abc"), [1]), (("1", None), [1])],
)
def test_every_share_is_above_zero_and_at_most_one_even_when_they_sum_to_one(values, wrong):
    # rule P4: each part of the responsibility is a share of it.
    parts = [{"department": f"d{i}", "share": v} for i, v in enumerate(values)]
    body = {"findings": "f", "cause": "c", "cause_category": "sales", "responsibility": parts}
    assert list(refused(contract.InvestigationSchema, body)["responsibility"]) == wrong


def test_a_cause_outside_the_two_categories_is_refused():  # rule P4
    body = {"findings": "f", "cause": "c", "cause_category": "weather", "responsibility": []}
    assert {"cause_category", "responsibility"} <= set(refused(contract.InvestigationSchema, body))


@pytest.mark.parametrize(
    "action, field",
    [
        ({"type": "refund", "amount": "10.00"}, "type"),  # rule P5
        ({"type": "allowance", "amount": "-1.00"}, "amount"),
        ({"type": "allowance", "amount": "1e3x"}, "amount"),
        ({"type": "return", "lines": [{**LINE, "quantity": 0}]}, "lines"),
    ],
)
def test_a_plan_action_takes_the_contract_types_and_amounts(action, field):
    assert field in refused(contract.PostPlanSchema, {"actions": [action]})["actions"][0]


def test_the_schemas_hand_the_handlers_typed_commands():
    form = load_command(contract.RegisterComplaintSchema, FORM, RegisterComplaint.of)
    assert form.ship_date == date(2026, 2, 1)
    assert form.lines == (Line("P-100", 2, Decimal("450.00"), None),)
    plan = load_command(
        contract.PostPlanSchema,
        {"actions": [{"type": "return", "lines": [LINE]}, {"type": "allowance", "amount": "3"}]},
        PostPlan.of,
    )
    assert plan == PostPlan(
        (
            PlanAction("return", (Line("P-100", 2, Decimal("450.00"), None),)),
            PlanAction("allowance", (), Decimal("3.00")),
        )
    )
    report = load_command(
        contract.InvestigationSchema,
        {
            "findings": "f",
            "cause": "c",
            "cause_category": "sales",
            "responsibility": [{"department": "sales", "share": "1"}],
        },
        RecordInvestigation.of,
    )
    assert report.responsibility == (Share("sales", Decimal("1"), None),)
    assert (
        load_command(contract.AcceptSchema, {"promised_days": 7}, AcceptComplaint).promised_days
        == 7
    )


def test_a_refused_command_is_invalid_with_the_schemas_messages():
    with pytest.raises(Invalid) as caught:
        load_command(
            contract.RegisterComplaintSchema, {**FORM, "channel": "fax"}, RegisterComplaint.of
        )
    assert caught.value.code == "invalid" and "channel" in caught.value.details


@pytest.mark.parametrize(
    "error, status, code",
    [
        (contract.ComplaintNotFound, 404, "complaint_not_found"),
        (contract.PlanNotFound, 404, "plan_not_found"),
        (contract.IllegalTransition, 409, "illegal_transition"),
        (contract.PlanStillOpen, 409, "plan_still_open"),
        (contract.SharesDoNotSumToOne, 422, "shares_do_not_sum_to_one"),
        (contract.CustomerHasNoOrders, 422, "customer_has_no_orders"),
        (contract.CustomerUnknown, 422, "customer_unknown"),
        (contract.ReasonRequired, 422, "reason_required"),
        (contract.ApproverRankTooLow, 403, "approver_rank_too_low"),
    ],
)
def test_errors_carry_their_status_and_code(error, status, code):
    raised = error()
    assert (raised.http_status, raised.code, raised.error_code) == (status, code, code)
