"""What waits for a reporter: the quarters whose reports they have not finished, for their
front page and for the quarter picker of the entry form.

A quarter is due once it has ended; its reports are late QUARTER_REMINDER_DAYS after that, when
the reminders go out (activities/reminders.py). A pair is waiting while its report is missing
or a draft, and a draft the secretariat reopened says why. Read in a fixed number of queries
however many quarters and reports the plan has.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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
    reports: int  # how many pairs the user reports in the quarter
    missing: list[WaitingPair] = field(default_factory=list)
    drafts: list[WaitingPair] = field(default_factory=list)

    @property
    def has_ended(self) -> bool:
        return self.quarter.last_day < self.today

    @property
    def is_finished(self) -> bool:
        return not (self.missing or self.drafts)

    @property
    def late(self) -> bool:
        return self.today > self.due and not self.is_finished

    @property
    def label(self) -> str:
        """The quarter as the quarter picker names it, with where the user's reports stand."""
        if not self.reports:
            return str(self.quarter)
        if self.is_finished:
            state = pgettext("quarter picker", "submitted")
        elif not self.has_ended and len(self.missing) == self.reports:
            state = _("not due yet")
        else:
            parts = []
            if self.missing:
                parts.append(_("%(count)d not started") % {"count": len(self.missing)})
            if self.drafts:
                parts.append(_("%(count)d in draft") % {"count": len(self.drafts)})
            if self.late:
                parts.append(pgettext("quarter picker", "late"))
            state = ", ".join(parts)
        return f"{self.quarter} ({state})"

    @property
    def reopened(self) -> list[WaitingPair]:
        return [pair for pair in self.drafts if pair.reopen_reason]


def quarter_progress(plan: Plan, user, today: datetime.date, *, report_all: bool = False):
    """Each quarter of the plan with the user's pairs that are not submitted: those their
    reporting assignments cover, or every pair for those who report everything (the
    secretariat). Six queries."""
    activities = Activity.objects.in_plan(plan)
    pairs = activities.pairs() if report_all else activities.pairs_reported_by(plan, user)
    reports = {
        (activity, area, year, number): (status, reason)
        for activity, area, year, number, status, reason in QuarterReport.objects.filter(
            activity__subagreement__plan=plan
        ).values_list("activity_id", "area_id", "year", "quarter", "status", "reopen_reason")
    }
    progress = []
    for quarter in plan.quarters():
        due = quarter.last_day + datetime.timedelta(days=settings.QUARTER_REMINDER_DAYS)
        waiting = QuarterToDo(quarter, due, today, reports=len(pairs))
        for activity, area in pairs:
            status, reason = reports.get(
                (activity.pk, area.pk, quarter.year, quarter.number), ("missing", "")
            )
            if status == "missing":
                waiting.missing.append(WaitingPair(activity, area, status))
            elif status == QuarterReport.Status.DRAFT:
                waiting.drafts.append(WaitingPair(activity, area, status, reason))
        progress.append(waiting)
    return progress


def reporter_todo(plan: Plan, user, today: datetime.date) -> list[QuarterToDo]:
    """The quarters that have ended with pairs the user has not submitted, latest first:
    a coordinator's to-do. Six queries."""
    return [
        quarter
        for quarter in reversed(quarter_progress(plan, user, today))
        if quarter.has_ended and not quarter.is_finished
    ]
