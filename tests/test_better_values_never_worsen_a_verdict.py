"""A better figure never gets a worse verdict, whatever the kind of target and comparison.

If a year's figure is met or on track, a figure that is better (higher for "at least" and
"above", lower for "at most" and "below") with everything else the same is at least as good.
Judged on unsaved targets and rows, without the database, so that many cases run quickly.
"""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.models import Plan
from indicators.evaluation import Figures, Row, Verdict, judge
from indicators.models import CriterionTarget, Indicator, SuccessCriterion

Kind = CriterionTarget.Kind
Comparison = CriterionTarget.Comparison

WORST_TO_BEST = [Verdict.NOT_MET, Verdict.NO_DATA, Verdict.ON_TRACK, Verdict.MET]
HIGHER_IS_BETTER = {Comparison.AT_LEAST, Comparison.ABOVE}

PLAN = Plan(start_date=datetime.date(2017, 10, 1), end_date=datetime.date(2021, 9, 30))
PLAN_YEARS = [plan_year.year for plan_year in PLAN.years()]
REFERENCE = Indicator(pk=1, name="Reference", is_reference=True)

figures = st.decimals(min_value=0, max_value=100_000, places=2)
small_figures = st.decimals(min_value=0, max_value=100, places=2)
optional_years = st.one_of(st.none(), st.sampled_from(PLAN_YEARS))
baseline_years = st.one_of(st.none(), st.integers(2012, 2019))


@st.composite
def targets(draw, kind: str, comparison: str) -> CriterionTarget:
    target = CriterionTarget(kind=kind, comparison=comparison)
    if kind in (Kind.YEARLY, Kind.AVERAGE, Kind.CUMULATIVE, Kind.BY_YEAR):
        target.value = draw(figures)
        if draw(st.booleans()):
            target.value_max = target.value + draw(small_figures)
    if kind in (Kind.CHANGE_PREVIOUS, Kind.CHANGE_BASELINE):
        target.change_percent = draw(st.decimals(min_value="-99.99", max_value=200, places=2))
    if kind == Kind.CHANGE_BASELINE:
        target.horizon_years = draw(st.integers(1, 5))
    if kind == Kind.REFERENCE:
        target.reference = REFERENCE
    if kind in (Kind.BY_YEAR, Kind.CHANGE_PREVIOUS, Kind.CHANGE_BASELINE, Kind.DIRECTION):
        target.baseline_year = draw(baseline_years)
        if draw(st.booleans()):
            target.baseline_value = draw(figures)
    target.from_year = draw(optional_years)
    target.to_year = draw(st.integers(2017, 2022)) if kind == Kind.BY_YEAR else draw(optional_years)
    if target.from_year and target.to_year and target.from_year > target.to_year:
        target.from_year, target.to_year = target.to_year, target.from_year
    return target


def row(series: dict[int, Decimal], reference: dict[int, Decimal]) -> Row:
    row_figures = Figures(PLAN)
    row_figures.measurements[(REFERENCE.pk, None)] = reference
    return Row(SuccessCriterion(), series, PLAN.years(), row_figures)


@pytest.mark.parametrize("comparison", Comparison.values)
@pytest.mark.parametrize("kind", Kind.values)
def test_a_better_figure_never_gets_a_worse_verdict(kind, comparison):
    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        target=targets(kind, comparison),
        series=st.dictionaries(st.integers(2012, 2021), figures, max_size=10),
        reference=st.dictionaries(st.integers(2014, 2021), figures, max_size=4),
        year=st.sampled_from(PLAN_YEARS),
        value=figures,
        improvement=figures,
    )
    def check(target, series, reference, year, value, improvement):
        if comparison in HIGHER_IS_BETTER:
            better = value + improvement
        else:
            better = max(value - improvement, Decimal(0))
        first = judge(target, row({**series, year: value}, reference), year)
        if first.verdict not in (Verdict.MET, Verdict.ON_TRACK):
            return
        second = judge(target, row({**series, year: better}, reference), year)
        assert WORST_TO_BEST.index(second.verdict) >= WORST_TO_BEST.index(first.verdict), (
            f"{value} is {first.verdict} but the better {better} is {second.verdict}: "
            f"{second.sentence}"
        )

    check()
