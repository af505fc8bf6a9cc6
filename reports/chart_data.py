"""What a chart of a success criterion shows: the measured values over the years, the
baseline, and a line per target, computed with the same arithmetic as the verdicts
(indicators.rules). reports.charts draws them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from indicators.evaluation import Figures, Row, Series
from indicators.models import CriterionTarget, SuccessCriterion
from indicators.rules import HUNDRED, rounded, straight_line


def target_points(target: CriterionTarget, row: Row) -> Series:
    """The value a target asks for in each year, to draw beside the measured values: the
    same arithmetic the verdicts use. Empty for a cumulative total or a direction, which are
    no line over the years."""
    years = [plan_year.year for plan_year in row.plan_years]
    first = target.from_year or years[0]
    last = target.to_year or years[-1]
    Kind = CriterionTarget.Kind
    if target.kind in (Kind.YEARLY, Kind.AVERAGE):
        return {year: target.value for year in years if first <= year <= last}
    if target.kind == Kind.CHANGE_PREVIOUS:
        factor = (HUNDRED + target.change_percent) / HUNDRED
        return {
            year: rounded(row.series[year - 1] * factor)
            for year in years
            if row.series.get(year - 1) is not None
        }
    if target.kind == Kind.REFERENCE:
        reference = row.figures.measurements.get((target.reference_id, None), {})
        return {year: value for year, value in reference.items() if year in years}
    if target.kind not in (Kind.BY_YEAR, Kind.CHANGE_BASELINE):
        return {}
    baseline, baseline_year = row.baseline(target)
    if target.kind == Kind.BY_YEAR:
        goal, goal_year = target.value, target.to_year
    elif baseline is None:
        return {}
    else:
        goal = rounded(baseline * (HUNDRED + target.change_percent) / HUNDRED)
        goal_year = baseline_year + target.horizon_years
    if baseline is None or baseline_year is None or baseline_year >= goal_year:
        return {year: goal for year in years if year >= goal_year}
    return {
        year: straight_line(baseline, baseline_year, goal, goal_year, year)
        if year < goal_year
        else goal
        for year in range(baseline_year, years[-1] + 1)
    }


@dataclass(frozen=True)
class ChartData:
    """What a chart of one criterion in one row (an area or the whole plan) shows: the
    measured values from the baseline year to the plan's end, the baseline, and a line per
    target."""

    years: list[int]
    measured: Series
    baseline: tuple[int, Decimal] | None
    targets: list[tuple[str, Series]]
    unit: str


def chart_data(
    criterion: SuccessCriterion, figures: Figures, area_id: int | None, up_to: int | None = None
) -> ChartData:
    """A criterion's figures and targets for a chart (criterion prefetched as for
    `SuccessCriterion.objects.for_evaluation`).

    `up_to`: the chart as it stood in that year; later figures are left out, and so is every
    target point computed from them (a change from the year before), while fixed targets run
    on to the plan's end."""
    series, _notes = figures.series(criterion, area_id)
    if up_to is not None:
        series = {year: value for year, value in series.items() if year <= up_to}
    row = Row(criterion, series, figures.plan.years(), figures)
    targets = [t for t in criterion.targets.all() if t.area_id == area_id]
    baseline = None
    for target in targets:
        value, year = row.baseline(target)
        if value is not None and year is not None:
            baseline = (year, rounded(value))
            break
    lines = [(target.describe(row.unit), target_points(target, row)) for target in targets]
    first = min([row.plan_years[0].year] + ([baseline[0]] if baseline else []))
    years = list(range(first, row.plan_years[-1].year + 1))
    return ChartData(
        years=years,
        measured={year: rounded(value) for year, value in series.items() if year in years},
        baseline=baseline,
        targets=[(label, points) for label, points in lines if points],
        unit=criterion.unit,
    )
