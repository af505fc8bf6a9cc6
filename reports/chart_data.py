"""What a chart of a success criterion shows: the measured values over the years, the
baseline, and a line per target, computed with the same arithmetic as the verdicts
(indicators.rules), as far as the report's horizon knows them. reports.charts draws them.

A chart shows only what the criterion has: a baseline only where one of its targets is
measured from one, and a line only for a target that asks for a figure year by year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from indicators.evaluation import Figures, Row, Series
from indicators.models import CriterionTarget, SuccessCriterion
from indicators.rules import HUNDRED, figure, limit, straight_line
from lib.periods import Horizon

Kind = CriterionTarget.Kind

# The kinds of target that are measured from a baseline; others show one only where the
# target names it (a change from the year before, "med baseline ultimo 2017").
FROM_A_BASELINE = {Kind.BY_YEAR, Kind.CHANGE_BASELINE, Kind.DIRECTION, Kind.YEARLY_CHANGE}


def has_baseline(target: CriterionTarget) -> bool:
    return (
        target.kind in FROM_A_BASELINE
        or target.baseline_value is not None
        or target.baseline_year is not None
    )


def target_points(target: CriterionTarget, row: Row) -> Series:
    """The value a target asks for in each year, to draw beside the measured values: the
    same arithmetic the verdicts use. Empty for a cumulative total or a direction, which are
    no line over the years."""
    years = [plan_year.year for plan_year in row.plan_years]
    first = target.from_year or years[0]
    last = target.to_year or years[-1]
    unit, comparison = row.unit, target.comparison
    if target.kind in (Kind.YEARLY, Kind.AVERAGE):
        return {year: target.value for year in years if first <= year <= last}
    if target.kind == Kind.CHANGE_PREVIOUS:
        factor = (HUNDRED + target.change_percent) / HUNDRED
        return {
            year: limit(row.value(year - 1) * factor, unit, comparison)
            for year in years
            if first <= year
            and row.value(year - 1) is not None
            and (target.baseline_year is None or year > target.baseline_year)
        }
    if target.kind == Kind.REFERENCE:
        # As the verdicts read it: each year against the reference's latest figure up to
        # that year (72,4 % in 2016 stands until a newer average is published).
        reference = row.figures.measurements.get((target.reference_id, None), {})
        known = row.horizon.last_full_year
        points: Series = {}
        for year in years:
            published = [y for y in reference if y <= min(year, known)]
            if published:
                points[year] = reference[max(published)]
        return points
    baseline, baseline_year = row.baseline(target)
    if baseline is None or baseline_year is None:
        if target.kind == Kind.BY_YEAR:
            return {year: target.value for year in years if year >= target.to_year}
        return {}
    if target.kind == Kind.YEARLY_CHANGE:
        factor = (HUNDRED + target.change_percent) / HUNDRED
        return {
            year: limit(baseline * factor ** (year - baseline_year), unit, comparison)
            for year in years
            if year > baseline_year
        }
    if target.kind == Kind.BY_YEAR:
        goal, goal_year = target.value, row.deadline(target).year
    elif target.kind == Kind.CHANGE_BASELINE:
        goal = limit(baseline * (HUNDRED + target.change_percent) / HUNDRED, unit, comparison)
        goal_year = target.to_year or baseline_year + target.horizon_years
    else:
        return {}
    if baseline_year >= goal_year:
        return {year: goal for year in years if year >= goal_year}
    return {
        year: limit(straight_line(baseline, baseline_year, goal, goal_year, year), unit, comparison)
        if year < goal_year
        else goal
        for year in range(baseline_year, years[-1] + 1)
    }


@dataclass(frozen=True)
class ChartData:
    """What a chart of one criterion in one row (an area or the whole plan) shows: the
    measured values from the baseline year to the plan's end, the baseline, a line per
    target, and the year whose figure is the year so far (a year not yet over), if any."""

    years: list[int]
    measured: Series
    baseline: tuple[int, Decimal] | None
    targets: list[tuple[str, Series]]
    unit: str
    so_far: int | None = None


def chart_data(
    criterion: SuccessCriterion, figures: Figures, area_id: int | None, horizon: Horizon
) -> ChartData:
    """A criterion's figures and targets for a chart as it stood at the horizon (criterion
    prefetched as for `SuccessCriterion.objects.for_evaluation`): later figures are left out,
    and so is every target point computed from them, while fixed targets run on to the
    plan's end."""
    row = Row(
        criterion,
        figures.series(criterion, area_id, horizon),
        figures.plan_years,
        figures,
        horizon,
    )
    targets = [t for t in criterion.targets.all() if t.area_id == area_id]
    baseline = None
    for target in targets:
        if not has_baseline(target):
            continue
        value, year = row.baseline(target)
        if value is not None and year is not None:
            baseline = (year, figure(value, row.unit))
            break
    lines = [(target.describe_rule(row.unit), target_points(target, row)) for target in targets]
    first = min([row.plan_years[0].year] + ([baseline[0]] if baseline else []))
    years = list(range(first, row.plan_years[-1].year + 1))
    running = horizon.last.year if row.running(horizon.last.year) else None
    return ChartData(
        years=years,
        measured={year: row.value(year) for year in row.series if year in years},
        baseline=baseline,
        targets=[(label, points) for label, points in lines if points],
        unit=criterion.unit,
        so_far=running if running in row.series else None,
    )
