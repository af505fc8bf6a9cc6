"""The semi-annual status report (statusrapport) the board assesses the plan on (seed
section 6): a summary, the activities' delivery with their notes and the groups' evaluations
(part 1), and the success criteria with verdicts, sentences and charts (part 2).

It is drawn from the same data, the same engine and the same SVG charts as the dashboard, so
paper and screen agree; like the dashboard it rests on submitted quarters only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from activities.completeness import CompletenessCell
from activities.delivery import counts_by_metric
from activities.models import Activity, Metric, QuarterlyCount, QuarterReport
from agreements.models import Body, HousingArea, Plan, Subagreement
from lib.numbers import small_number
from lib.pdf import html_to_pdf, render_html
from lib.periods import HalfYear, Quarter
from reports.models import GroupEvaluation, evaluating_groups

from .dashboard import Dashboard, Period


@dataclass
class AreaDelivery:
    """One activity in one area: each metric's counts in the half-year's quarters, and the
    reporters' notes."""

    area: HousingArea
    counts: list[tuple[Metric, list[int | str | None]]]  # "<5" for a hidden small count
    reports: list[QuarterReport]


@dataclass
class ActivityDelivery:
    activity: Activity
    areas: list[AreaDelivery] = field(default_factory=list)


@dataclass
class SubagreementDelivery:
    subagreement: Subagreement
    activities: list[ActivityDelivery] = field(default_factory=list)


@dataclass
class StatusReport:
    plan: Plan
    half_year: HalfYear
    quarters: list[Quarter]
    dashboard: Dashboard
    delivery: list[SubagreementDelivery]
    evaluations: list[tuple[Body, GroupEvaluation | None]]
    printed_on: object

    @classmethod
    def load(cls, plan: Plan, half_year: HalfYear) -> StatusReport:
        period = Period(half_year.year, half_year)
        quarters = period.quarters(plan)
        stored = {e.body_id: e for e in GroupEvaluation.objects.for_half_year(plan, half_year)}
        return cls(
            plan=plan,
            half_year=half_year,
            quarters=quarters,
            dashboard=Dashboard.load(plan, period),
            delivery=delivery(plan, quarters),
            evaluations=[(body, stored.get(body.pk)) for body in evaluating_groups(plan)],
            printed_on=timezone.localdate(),
        )

    @property
    def missing_reports(self) -> list[CompletenessCell]:
        """Activity-area pairs whose report for one of the quarters is not submitted."""
        return [
            cell
            for completeness in self.dashboard.completeness
            for cell in completeness.cells
            if not cell.status.is_finished
        ]

    @property
    def summary(self) -> dict[str, int]:
        return self.dashboard.verdict_totals


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
    """The status report as a tagged A4 PDF."""
    return html_to_pdf(status_report_html(report))
