"""What waits for a reporter: the quarters whose reports they have not finished.

A quarter is due once it has ended; its reports are late QUARTER_REMINDER_DAYS after that, when
the reminders go out (activities/reminders.py). A pair is waiting while its report is missing
or a draft, and a draft the secretariat reopened says why. Read in a fixed number of queries
however many quarters and reports the plan has.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings

from agreements.models import HousingArea, Plan
from lib.periods import Quarter

from .models import Activity, QuarterReport


@dataclass(frozen=True)
class WaitingPair:
    activity: Activity
    area: HousingArea
    status: str  # QuarterReport.Status.DRAFT, or "missing"
    reopen_reason: str = ""


@dataclass
class QuarterToDo:
    """One ended quarter with the reporter's pairs that are not submitted."""

    quarter: Quarter
    due: datetime.date
    today: datetime.date
    missing: list[WaitingPair] = field(default_factory=list)
    drafts: list[WaitingPair] = field(default_factory=list)

    @property
    def late(self) -> bool:
        return self.today > self.due

    @property
    def reopened(self) -> list[WaitingPair]:
        return [pair for pair in self.drafts if pair.reopen_reason]


def reporter_todo(plan: Plan, user, today: datetime.date) -> list[QuarterToDo]:
    """The user's unfinished pairs of each ended quarter of the plan, latest quarter first:
    the pairs their reporting assignments cover. Six queries."""
    pairs = Activity.objects.in_plan(plan).pairs_reported_by(plan, user)
    quarters = [quarter for quarter in plan.quarters() if quarter.last_day < today]
    if not pairs or not quarters:
        return []
    reports = {
        (activity, area, year, number): (status, reason)
        for activity, area, year, number, status, reason in QuarterReport.objects.filter(
            activity__subagreement__plan=plan
        ).values_list("activity_id", "area_id", "year", "quarter", "status", "reopen_reason")
    }
    todo = []
    for quarter in reversed(quarters):
        due = quarter.last_day + datetime.timedelta(days=settings.QUARTER_REMINDER_DAYS)
        waiting = QuarterToDo(quarter, due, today)
        for activity, area in pairs:
            status, reason = reports.get(
                (activity.pk, area.pk, quarter.year, quarter.number), ("missing", "")
            )
            if status == "missing":
                waiting.missing.append(WaitingPair(activity, area, status))
            elif status == QuarterReport.Status.DRAFT:
                waiting.drafts.append(WaitingPair(activity, area, status, reason))
        if waiting.missing or waiting.drafts:
            todo.append(waiting)
    return todo
