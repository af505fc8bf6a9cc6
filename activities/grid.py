"""What the quarterly entry page shows: a reporter's activities and areas for one quarter,
with each number's stored value and the context that makes a typing error stand out.

Everything is read in a fixed number of queries, however many activities, areas and metrics
the grid holds (the entry and completeness pages pin their query counts on it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from agreements.models import HousingArea, Plan
from lib.periods import Quarter

from .delivery import YearToDate, counts_by_metric, year_to_date, yearly_targets
from .models import Activity, Metric, PairStatus, QuarterlyCount, QuarterReport


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
    def status(self) -> PairStatus:
        return PairStatus.of(self.report)

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
    def load(cls, plan: Plan, quarter: Quarter, *, user, may_report_all: bool) -> EntryGrid:
        """The user's grid for the quarter: every activity in every area it runs in for the
        secretariat (`may_report_all`), what their reporting assignments name for others."""
        in_plan = Activity.objects.in_plan(plan)
        pairs = in_plan.pairs() if may_report_all else in_plan.pairs_reported_by(plan, user)
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


def share_pairs(metrics: dict[int, Metric]) -> list[tuple[Metric, Metric]]:
    """Numerator and denominator of every share criterion among the metrics: a numerator can
    never exceed its denominator in the same quarter and area."""
    rows = Metric.objects.filter(
        pk__in=metrics, criteria__denominator_metric_id__in=metrics
    ).values_list("pk", "criteria__denominator_metric_id")
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
