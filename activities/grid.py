"""What the quarterly entry page shows: a reporter's activities and areas for one quarter,
with each number's stored value and the context that makes a typing error stand out.

Everything is read in a fixed number of queries, however many activities, areas and metrics
the grid holds (the entry and completeness pages pin their query counts on it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from agreements.models import HousingArea, Plan
from indicators.models import CriterionTarget, SuccessCriterion
from lib.periods import Quarter

from .models import Activity, Metric, QuarterlyCount, QuarterReport


@dataclass
class YearToDate:
    """A metric's year so far against its yearly target, for one area or the whole plan."""

    value: Decimal | None
    quarters: list[int]
    target: CriterionTarget | None = None
    whole_plan: bool = False

    @property
    def target_text(self) -> str:
        """The yearly target in words ("mindst 50", "60-80"), or "" without one."""
        if self.target is None:
            return ""
        return self.target.describe(dash="-", empty="")


@dataclass
class Cell:
    """One number on the form: a metric in an area."""

    metric: Metric
    area: HousingArea
    stored: int | None
    last_quarter: int | None
    year_to_date: YearToDate
    history: list[int]
    changes: list[dict] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int]:
        return (self.metric.pk, self.area.pk)


@dataclass
class Pair:
    """An activity in one housing area: the unit that is reported, submitted and approved."""

    activity: Activity
    area: HousingArea
    report: QuarterReport | None
    cells: list[Cell]

    @property
    def key(self) -> tuple[int, int]:
        return (self.activity.pk, self.area.pk)

    @property
    def status(self) -> str:
        """missing, draft, submitted or approved."""
        return self.report.status if self.report else "missing"

    @property
    def revision(self) -> int:
        return self.report.revision if self.report else 0

    @property
    def is_locked(self) -> bool:
        return bool(self.report and self.report.is_locked)


@dataclass
class EntryGrid:
    plan: Plan
    quarter: Quarter
    pairs: list[Pair]
    # (numerator metric, denominator metric) of each share criterion on the grid's activities.
    shares: list[tuple[Metric, Metric]]

    @classmethod
    def load(
        cls,
        plan: Plan,
        quarter: Quarter,
        *,
        user,
        may_report_all: bool,
        area: HousingArea | None = None,
    ) -> EntryGrid:
        pairs = Activity.objects.for_entry_grid(plan, user=user, may_report_all=may_report_all)
        if area is not None:
            pairs = [pair for pair in pairs if pair[1].pk == area.pk]
        activities = {activity.pk: activity for activity, _area in pairs}
        metrics = {m.pk: m for a in activities.values() for m in a.metrics.all()}
        reports = QuarterReport.objects.by_pair(plan, quarter)
        counts = counts_by_metric(metrics)
        targets = yearly_targets(metrics, quarter.year)
        changes = changes_after_submission(metrics, quarter)
        plan_quarters = set(plan.quarters())
        previous = quarter.previous()
        grid_pairs = []
        for activity, pair_area in pairs:
            cells = []
            for metric in activity.metrics.all():
                by_quarter = counts[metric.pk].get(pair_area.pk, {})
                cells.append(
                    Cell(
                        metric=metric,
                        area=pair_area,
                        stored=by_quarter.get(quarter),
                        last_quarter=by_quarter.get(previous)
                        if previous in plan_quarters
                        else None,
                        year_to_date=year_to_date(
                            metric, pair_area, quarter, counts[metric.pk], targets[metric.pk]
                        ),
                        history=[value for q, value in by_quarter.items() if q != quarter],
                        changes=changes.get((metric.pk, pair_area.pk), []),
                    )
                )
            grid_pairs.append(
                Pair(activity, pair_area, reports.get((activity.pk, pair_area.pk)), cells)
            )
        return cls(plan, quarter, grid_pairs, share_pairs(metrics))

    @property
    def sections(self) -> list[dict]:
        """The pairs grouped by delaftale and activity, in the agreement's order."""
        sections: list[dict] = []
        for pair in self.pairs:
            subagreement = pair.activity.subagreement
            if not sections or sections[-1]["subagreement"] != subagreement:
                sections.append({"subagreement": subagreement, "activities": []})
            activities = sections[-1]["activities"]
            if not activities or activities[-1]["activity"] != pair.activity:
                activities.append({"activity": pair.activity, "pairs": []})
            activities[-1]["pairs"].append(pair)
        return sections


def counts_by_metric(metrics: dict[int, Metric], counts=None) -> dict:
    """{metric id: {area id: {Quarter: count}}} for every quarter counted, or for those of
    the `counts` queryset given (the board's: `QuarterlyCount.objects.reported()`). One query."""
    found: dict = defaultdict(lambda: defaultdict(dict))
    counts = QuarterlyCount.objects.all() if counts is None else counts
    rows = counts.filter(metric_id__in=metrics).values_list(
        "metric_id", "area_id", "year", "quarter", "value"
    )
    for metric_id, area_id, year, number, value in rows:
        found[metric_id][area_id][Quarter(year, number)] = value
    return found


def yearly_targets(metrics: dict[int, Metric], year: int) -> dict[int, list[CriterionTarget]]:
    """The yearly targets of the metrics' own (non-share) criteria that apply in `year`."""
    targets = defaultdict(list)
    rows = (
        CriterionTarget.objects.filter(
            criterion__metric_id__in=metrics,
            criterion__denominator_metric__isnull=True,
            kind=CriterionTarget.Kind.YEARLY,
        )
        .filter(Q(from_year__isnull=True) | Q(from_year__lte=year))
        .filter(Q(to_year__isnull=True) | Q(to_year__gte=year))
        .select_related("criterion")
        .order_by("criterion__position", "position")
    )
    for target in rows:
        targets[target.criterion.metric_id].append(target)
    return targets


def year_to_date(
    metric: Metric,
    area: HousingArea,
    quarter: Quarter,
    by_area: dict[int, dict[Quarter, int]],
    targets: list[CriterionTarget],
) -> YearToDate:
    """The metric's year up to and including `quarter`, in the area, or for the whole plan
    when the only target is the plan's (it is the whole plan that must reach it).
    `by_area` holds the metric's counts: {area id: {Quarter: count}}."""
    target = next((t for t in targets if t.area_id == area.pk), None)
    whole_plan = False
    if target is None:
        target = next((t for t in targets if t.area_id is None), None)
        whole_plan = target is not None
    areas = by_area.values() if whole_plan else [by_area.get(area.pk, {})]
    by_quarter: dict[int, int] = defaultdict(int)
    for quarters in areas:
        for counted, value in quarters.items():
            if counted.year == quarter.year and counted <= quarter:
                by_quarter[counted.number] += value
    return YearToDate(metric.year_value(by_quarter), sorted(by_quarter), target, whole_plan)


def share_pairs(metrics: dict[int, Metric]) -> list[tuple[Metric, Metric]]:
    """Numerator and denominator of every share criterion among the metrics: a numerator can
    never exceed its denominator in the same quarter and area."""
    rows = SuccessCriterion.objects.filter(
        metric_id__in=metrics, denominator_metric_id__in=metrics
    ).values_list("metric_id", "denominator_metric_id")
    return sorted({(metrics[n], metrics[d]) for n, d in rows}, key=lambda p: (p[0].pk, p[1].pk))


def changes_after_submission(metrics: dict[int, Metric], quarter: Quarter) -> dict:
    """Each number's recorded changes that carry a reason, oldest first: a reason is asked
    for exactly when a submitted number changes, so these are the changes after submission.
    Each is {"old", "new", "user", "date", "reason"}. One query."""
    records = (
        QuarterlyCount.history.filter(
            metric_id__in=metrics, year=quarter.year, quarter=quarter.number
        )
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    changes = defaultdict(list)
    last_value: dict[tuple[int, int], int | None] = {}
    for record in records:
        key = (record.metric_id, record.area_id)
        new = None if record.history_type == "-" else record.value
        if record.history_change_reason:
            changes[key].append(
                {
                    "old": last_value.get(key),
                    "new": new,
                    "user": record.history_user,
                    "date": record.history_date,
                    "reason": record.history_change_reason,
                }
            )
        last_value[key] = new
    return changes
