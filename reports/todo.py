"""What waits for the plan's secretariat, for the top of its dashboard: reports submitted and not
yet approved, delaftaler changed and not yet approved as a version, yearly figures missing for a
year that has ended, and links for Landsbyggefonden that are about to stop working.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.models import QuarterReport
from agreements.models import Plan
from indicators.models import Indicator, Measurement
from lib.periods import Quarter

# A link for Landsbyggefonden is named here this many days before it expires.
LINK_WARNING_DAYS = 14


@dataclass(frozen=True)
class Task:
    text: str
    url: str


def secretariat_todo(plan: Plan, today: datetime.date) -> list[Task]:
    """The secretariat's tasks in the plan, oldest first within each kind."""
    return [
        *_reports_to_approve(plan),
        *_subagreements_to_approve(plan),
        *_missing_year_figures(plan, today),
        *_expiring_links(plan),
    ]


def _reports_to_approve(plan: Plan) -> list[Task]:
    waiting = (
        QuarterReport.objects.filter(
            activity__subagreement__plan=plan, status=QuarterReport.Status.SUBMITTED
        )
        .values_list("year", "quarter")
        .annotate(total=Count("pk"))
        .order_by("year", "quarter")
    )
    return [
        Task(
            ngettext(
                "%(count)d report for %(quarter)s waits for approval",
                "%(count)d reports for %(quarter)s wait for approval",
                total,
            )
            % {"count": total, "quarter": Quarter(year, number)},
            reverse("activities:completeness", args=[plan.slug, Quarter(year, number).code]),
        )
        for year, number, total in waiting
    ]


def _subagreements_to_approve(plan: Plan) -> list[Task]:
    subagreements = plan.subagreements.select_related("focus_area")
    changed = subagreements.changed_since_approved()
    return [
        Task(
            _("The sub-agreement for %(area)s has changes that are not approved")
            % {"area": subagreement.focus_area},
            reverse("agreements:approve", args=[plan.slug, subagreement.focus_area.code]),
        )
        for subagreement in subagreements
        if subagreement.pk in changed
    ]


def _missing_year_figures(plan: Plan, today: datetime.date) -> list[Task]:
    """Indicators a criterion reads that have no figure for a plan year that has ended."""
    years = [year.year for year in plan.years() if datetime.date(year.year, 12, 31) < today]
    indicators = list(
        Indicator.objects.filter(plan=plan, criteria__isnull=False).distinct().order_by("pk")
    )
    measured = set(
        Measurement.objects.filter(indicator__in=indicators, year__in=years).values_list(
            "indicator_id", "year"
        )
    )
    return [
        Task(
            _("%(indicator)s has no figures for %(year)d")
            % {"indicator": indicator.name, "year": year},
            reverse("indicators:year_figures", args=[plan.slug, indicator.pk, year]),
        )
        for year in years
        for indicator in indicators
        if (indicator.pk, year) not in measured
    ]


def _expiring_links(plan: Plan) -> list[Task]:
    now = timezone.now()
    soon = now + datetime.timedelta(days=LINK_WARNING_DAYS)
    links = plan.share_links.filter(
        revoked_at__isnull=True, expires_at__gt=now, expires_at__lte=soon
    ).order_by("expires_at")
    return [
        Task(
            _("The link for Landsbyggefonden “%(link)s” stops working on %(day)s")
            % {"link": link, "day": date_format(timezone.localtime(link.expires_at), "j. F Y")},
            reverse("agreements:share_links", args=[plan.slug]) + f"#link-{link.pk}",
        )
        for link in links
    ]
