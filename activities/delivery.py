"""An activity's delivery: each metric's year so far against its yearly target.

The entry page shows it beside each number, the dashboard draws it as bars, and the status
report prints the counts it rests on; all three read them here. The yearly targets are read
through the metrics' own success criteria, so delivery needs nothing from `indicators`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from agreements.models import HousingArea
from lib.periods import Quarter
from lib.phrases import describe_target

from .models import Metric, QuarterlyCount

# {metric id: {area id: {Quarter: count}}}
CountsByMetric = dict[int, dict[int, dict[Quarter, int]]]


@dataclass(frozen=True)
class YearlyTarget:
    """A yearly target of a metric's own criterion (indicators' CriterionTarget of the kind
    "yearly"), for one housing area or, without `area_id`, for the whole plan."""

    area_id: int | None
    comparison: str
    value: Decimal | None
    value_max: Decimal | None

    def describe(self) -> str:
        """The target in words, as the entry page and the dashboard write it ("mindst 50",
        "60-80")."""
        return describe_target(self.comparison, self.value, self.value_max, dash="-", empty="")


@dataclass
class YearToDate:
    """A metric's year so far against its yearly target.

    `value` is what the target is compared with: the whole plan's year so far when the
    target is the plan's (`whole_plan`), else the area's. `area_value` is always the area's
    own, which a reporter enters into; `aggregation` says how the quarters make the figure,
    so that an average or a highest quarter is labelled as one."""

    value: Decimal | None
    quarters: list[int]
    target: YearlyTarget | None = None
    whole_plan: bool = False
    area_value: Decimal | None = None
    aggregation: str = Metric.Aggregation.SUM

    @property
    def target_text(self) -> str:
        """The yearly target in words ("mindst 50", "60-80"), or "" without one."""
        return self.target.describe() if self.target else ""

    @property
    def kind_note(self) -> str:
        """What kind of figure the year so far is, where it is not a plain count: "average
        of the quarters", "highest quarter"; "" otherwise."""
        if self.aggregation == Metric.Aggregation.AVERAGE:
            return _("average of the quarters")
        if self.aggregation == Metric.Aggregation.MAX:
            return _("highest quarter")
        return ""


def counts_by_metric(
    metrics: dict[int, Metric], counts: QuerySet[QuarterlyCount] | None = None
) -> CountsByMetric:
    """{metric id: {area id: {Quarter: count}}} for every quarter counted, or for those of
    the `counts` queryset given (the board's: `QuarterlyCount.objects.reported()`). One query."""
    found: CountsByMetric = defaultdict(lambda: defaultdict(dict))
    counts = QuarterlyCount.objects.all() if counts is None else counts
    rows = counts.filter(metric_id__in=metrics).values_list(
        "metric_id", "area_id", "year", "quarter", "value"
    )
    for metric_id, area_id, year, number, value in rows:
        found[metric_id][area_id][Quarter(year, number)] = value
    return found


def yearly_targets(metrics: dict[int, Metric], year: int) -> dict[int, list[YearlyTarget]]:
    """The yearly targets of the metrics' own (non-share) criteria that apply in `year`, in
    the order of the criteria and their targets. One query."""
    targets: dict[int, list[YearlyTarget]] = defaultdict(list)
    # One filter() call: every condition is on the same criterion and target.
    rows = (
        Metric.objects.filter(
            Q(criteria__targets__from_year__isnull=True)
            | Q(criteria__targets__from_year__lte=year),
            Q(criteria__targets__to_year__isnull=True) | Q(criteria__targets__to_year__gte=year),
            pk__in=metrics,
            criteria__denominator_metric__isnull=True,
            criteria__targets__kind="yearly",  # CriterionTarget.Kind.YEARLY
        )
        .order_by("criteria__position", "criteria__targets__position")
        .values_list(
            "pk",
            "criteria__targets__area_id",
            "criteria__targets__comparison",
            "criteria__targets__value",
            "criteria__targets__value_max",
        )
    )
    for metric_id, area_id, comparison, value, value_max in rows:
        targets[metric_id].append(YearlyTarget(area_id, comparison, value, value_max))
    return targets


def year_to_date(
    metric: Metric,
    area: HousingArea,
    quarter: Quarter,
    by_area: dict[int, dict[Quarter, int]],
    targets: list[YearlyTarget],
) -> YearToDate:
    """The metric's year up to and including `quarter`, in the area, and for the whole plan
    when the only target is the plan's (it is the whole plan that must reach it); the plan's
    year is `Metric.plan_year_value` of the areas, as the criteria judge it.
    `by_area` holds the metric's counts: {area id: {Quarter: count}}."""
    target = next((t for t in targets if t.area_id == area.pk), None)
    whole_plan = False
    if target is None:
        target = next((t for t in targets if t.area_id is None), None)
        whole_plan = target is not None

    def so_far(quarters: dict[Quarter, int]) -> dict[int, int]:
        return {
            counted.number: value
            for counted, value in quarters.items()
            if counted.year == quarter.year and counted <= quarter
        }

    own = so_far(by_area.get(area.pk, {}))
    area_value = metric.year_value(own)
    if whole_plan:
        each = [so_far(quarters) for quarters in by_area.values()]
        value = metric.plan_year_value(each)
        counted = sorted({number for quarters in each for number in quarters})
    else:
        value, counted = area_value, sorted(own)
    return YearToDate(value, counted, target, whole_plan, area_value, metric.aggregation)
