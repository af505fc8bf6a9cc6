"""The semi-annual status report (statusrapport) the board assesses the plan on (seed
section 6): a summary, the activities' delivery with their notes and the groups' evaluations
(part 1), and the success criteria with verdicts, sentences and charts (part 2).

It is drawn from the same data, the same engine and the same SVG charts as the dashboard, so
paper and screen agree; like the dashboard it rests on submitted quarters only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from activities.completeness import CompletenessCell
from activities.delivery import counts_by_metric
from activities.models import Activity, Metric, QuarterlyCount, QuarterReport
from agreements import data_version
from agreements.models import Body, HousingArea, Plan, Subagreement
from indicators.evaluation import Evaluation
from indicators.rules import Verdict
from lib.numbers import small_number
from lib.pdf import render_html
from lib.periods import HalfYear, Quarter
from lib.typeset import html_to_pdf
from reports.models import GroupEvaluation, evaluating_groups

from .dashboard import Dashboard, OffTrack, Period


@dataclass
class AreaDelivery:
    """One activity in one area: each metric's counts in the half-year's quarters, and the
    reporters' notes."""

    area: HousingArea
    counts: list[tuple[Metric, list[int | str | None]]]  # "<5" for a hidden small count
    reports: list[QuarterReport]


# The most count columns (areas times quarters) a table of an activity's delivery has with the
# areas side by side; an activity in more areas has a row per area and metric instead.
AREA_COLUMNS = 8


@dataclass
class ActivityDelivery:
    activity: Activity
    areas: list[AreaDelivery] = field(default_factory=list)

    @property
    def across(self) -> bool:
        """Whether the areas stand side by side, a metric a row: a quarter of the rows."""
        quarters = len(self.areas[0].counts[0][1]) if self.areas and self.areas[0].counts else 0
        return 0 < len(self.areas) * quarters <= AREA_COLUMNS

    @property
    def rows(self) -> list[tuple[Metric, list[int | str | None]]]:
        """Each metric with its counts, area by area and in each area quarter by quarter. Every
        area counts the activity's same metrics, in the same order."""
        if not self.areas:
            return []
        return [
            (metric, [value for area in self.areas for value in area.counts[index][1]])
            for index, (metric, _values) in enumerate(self.areas[0].counts)
        ]


@dataclass
class SubagreementDelivery:
    subagreement: Subagreement
    activities: list[ActivityDelivery] = field(default_factory=list)


@dataclass(frozen=True)
class Sending:
    """Who sends the report to the board, and when: printed on the report as it is sent."""

    at: datetime.datetime
    by: object
    note: str = ""

    @property
    def who(self) -> str:
        return self.by.get_full_name() or self.by.get_username()


@dataclass
class StatusReport:
    plan: Plan
    half_year: HalfYear
    quarters: list[Quarter]
    dashboard: Dashboard
    delivery: list[SubagreementDelivery]
    evaluations: list[tuple[Body, GroupEvaluation | None]]
    printed_on: object
    sending: Sending | None = None

    @classmethod
    def load(
        cls,
        plan: Plan,
        half_year: HalfYear,
        *,
        today: datetime.date | None = None,
        sending: Sending | None = None,
    ) -> StatusReport:
        """The report as it stands now (`today`), or as it is being sent (`sending`)."""
        period = Period(half_year.year, half_year)
        today = today or timezone.localdate()
        dashboard = Dashboard.load(plan, period, today=today)
        # The half-year's own quarters, as far as the report knows them.
        quarters = [q for q in period.quarters(plan) if dashboard.horizon.knows(q)]
        stored = {e.body_id: e for e in GroupEvaluation.objects.for_half_year(plan, half_year)}
        return cls(
            plan=plan,
            half_year=half_year,
            quarters=quarters,
            dashboard=dashboard,
            delivery=delivery(plan, quarters),
            evaluations=[(body, stored.get(body.pk)) for body in evaluating_groups(plan)],
            printed_on=today,
            sending=sending,
        )

    @property
    def evaluated(self) -> list[Evaluation]:
        """Every row's verdict the report rests on."""
        return [
            row for panel in self.dashboard.subagreements for c in panel.criteria for row in c.rows
        ]

    @property
    def missing_reports(self) -> list[MissingReport]:
        """Activity-area pairs whose report for one of the quarters is not submitted, with
        the quarter: a pair may miss one quarter and not the other."""
        return [
            MissingReport(completeness.quarter, cell)
            for completeness in self.dashboard.completeness
            for cell in completeness.cells
            if not cell.status.is_finished
        ]

    @property
    def summary(self) -> dict[str, int]:
        return self.dashboard.verdict_totals

    @property
    def verdict_counts(self) -> list[tuple[Verdict, int]]:
        """Every verdict with how many criteria have it, in the engine's fixed order, those
        with none too: the board reads the zeros as well."""
        totals = self.summary
        return [(verdict, totals.get(verdict, 0)) for verdict in Verdict]

    @property
    def off_track(self) -> list[OffTrack]:
        return self.dashboard.off_track


@dataclass(frozen=True)
class MissingReport:
    """A quarter's report of an activity in an area that is not submitted."""

    quarter: Quarter
    cell: CompletenessCell


def delivery(plan: Plan, quarters: list[Quarter]) -> list[SubagreementDelivery]:
    """Every activity and area of the plan with its submitted counts per quarter and its
    reports' notes, in the order of the agreement; small counts of sensitive metrics read
    "<5", as the report is the board's. A fixed number of queries."""
    pairs = Activity.objects.in_plan(plan).pairs()
    years = {quarter.year for quarter in quarters}
    metrics = {metric.pk: metric for activity, _area in pairs for metric in activity.metrics.all()}
    counts = counts_by_metric(metrics, QuarterlyCount.objects.reported().filter(year__in=years))
    reports = defaultdict(list)
    for report in (
        QuarterReport.objects.filter(
            activity__subagreement__plan=plan,
            year__in=years,
            status__in=[QuarterReport.Status.SUBMITTED, QuarterReport.Status.APPROVED],
        )
        .exclude(note="")
        .order_by("year", "quarter")
    ):
        if Quarter(report.year, report.quarter) in quarters:
            reports[(report.activity_id, report.area_id)].append(report)
    found: dict[int, SubagreementDelivery] = {}
    for activity, area in pairs:
        part = found.setdefault(
            activity.subagreement_id, SubagreementDelivery(activity.subagreement)
        )
        if not part.activities or part.activities[-1].activity != activity:
            part.activities.append(ActivityDelivery(activity))
        part.activities[-1].areas.append(
            AreaDelivery(
                area,
                [
                    (metric, [shown(metric, counts[metric.pk][area.pk].get(q)) for q in quarters])
                    for metric in activity.metrics.all()
                ],
                reports[(activity.pk, area.pk)],
            )
        )
    return list(found.values())


def shown(metric: Metric, count: int | None) -> int | str | None:
    return small_number() if metric.hides(count) else count


def status_report_html(report: StatusReport) -> str:
    """The report's HTML, with the same charts (the same SVG) as the dashboard."""
    return render_html("reports/pdf/status_report.html", {"report": report, "plan": report.plan})


def status_report_pdf(report: StatusReport) -> bytes:
    """The status report as a tagged A4 PDF, laid out by Typst (lib/typeset.py): it is made
    afresh whenever the data changes, and WeasyPrint took seconds for its pages and charts."""
    return html_to_pdf(status_report_html(report))


def current_status_report_pdf(
    plan: Plan, half_year: HalfYear, *, today: datetime.date | None = None
) -> bytes:
    """The report as it stands now, as PDF: made once, and served from the cache while the
    data version and the day stand (every write to the plans' data changes the version, see
    agreements.data_version; the report prints the day it is made). One query (the version)
    when cached."""
    today = today or timezone.localdate()
    return data_version.kept(
        f"status-report:{plan.pk}:{half_year.code}:{today.isoformat()}",
        lambda: status_report_pdf(StatusReport.load(plan, half_year, today=today)),
    )
