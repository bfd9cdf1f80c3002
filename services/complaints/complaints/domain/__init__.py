"""Complaint cases. Standard library only (and servicekit's pure parts).

One module per rule group; ``Complaint`` (in ``case``) mixes them into one aggregate:

- ``case``: registration, acceptance, investigation, the customer's answer, follow-up
  (rule P1, rule P2, rule P3, rule P4, rule P7, rule P9)
- ``plans``: plans and their approval (rule P5, rule P6)
- ``execution``: actions moved along by what returns and finance report (rule P8)
- ``notices``: due times, reminders and escalations (rule P10)
- ``statistics``: the monthly statistics (rule P11)
- ``loss``: the loss apportionment (rule P12)
- ``shared``: settings, ids, times, lines, steps and status moves
- ``calendar``: the working calendar the due times count in (rule P4, rule P10)
"""

from complaints.domain.calendar import (
    WEEKDAYS,
    HolidayCalendar,
    NoWorkingDay,
    WeekdayCalendar,
    WorkingCalendar,
)
from complaints.domain.case import CUSTOMERS_WITH_ORDERS, Complaint
from complaints.domain.execution import Action
from complaints.domain.loss import apportion
from complaints.domain.notices import Notice
from complaints.domain.plans import Plan, may_approve, required_approver
from complaints.domain.shared import (
    APPROVER_DEPARTMENTS,
    CALENDARS,
    DEFAULT_SETTINGS,
    RATIO,
    STEP_DEPARTMENTS,
    ActionLine,
    ComplaintLine,
    ComplaintSettings,
    FollowUp,
    Investigation,
    Responsibility,
    Step,
    add_working_days,
    complaint_number,
    new_id,
)
from complaints.domain.statistics import CaseSummary, month_bounds, monthly_statistics

__all__ = [
    "APPROVER_DEPARTMENTS",
    "CALENDARS",
    "CUSTOMERS_WITH_ORDERS",
    "DEFAULT_SETTINGS",
    "RATIO",
    "STEP_DEPARTMENTS",
    "WEEKDAYS",
    "Action",
    "ActionLine",
    "CaseSummary",
    "Complaint",
    "ComplaintLine",
    "ComplaintSettings",
    "FollowUp",
    "HolidayCalendar",
    "Investigation",
    "NoWorkingDay",
    "Notice",
    "Plan",
    "Responsibility",
    "Step",
    "WeekdayCalendar",
    "WorkingCalendar",
    "add_working_days",
    "apportion",
    "complaint_number",
    "may_approve",
    "month_bounds",
    "monthly_statistics",
    "new_id",
    "required_approver",
]
