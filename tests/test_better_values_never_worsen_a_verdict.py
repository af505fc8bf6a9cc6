"""A better figure never gets a worse verdict, whatever the kind of target and comparison.

If a year's figure is met or on track, a figure that is better (higher for "at least" and
"above", lower for "at most" and "below") with everything else the same is at least as good,
in the order of indicators.rules.SEVERITY.
Judged on unsaved targets and rows, without the database, so that many cases run quickly.

Only an example whose first verdict is met or on track says anything; any other is discarded
with `assume`, and Hypothesis draws another in its place. So that few are discarded, the year's
figure is drawn where verdicts change: just on the good side of a number the rule compares
with (its target, a baseline, a figure of the series moved by the rule's percentage, a
reference), beyond every such number, or anywhere. On track, where the arithmetic is hardest
(a rounded straight line from the baseline to the goal), has a test of its own for the rules
that draw such a line, with targets and figures built to land on it.

Each kind and comparison must reach the assertion in at least MIN_REACHED of its EXAMPLES: a
change to the strategies that starves one of them fails here instead of leaving it untested.
The examples are the same on every run (derandomize), and so are the counts.
"""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from agreements.models import Plan
from indicators.evaluation import Figures, Readings, Row
from indicators.models import CriterionTarget, Indicator, SuccessCriterion
from indicators.rules import SEVERITY, Verdict, judge
from lib.periods import Horizon

Kind = CriterionTarget.Kind
Comparison = CriterionTarget.Comparison

WORST_TO_BEST = SEVERITY
HIGHER_IS_BETTER = {Comparison.AT_LEAST, Comparison.ABOVE}
EXAMPLES = 60
MIN_REACHED = 40

PLAN = Plan(start_date=datetime.date(2017, 10, 1), end_date=datetime.date(2021, 9, 30))
PLAN_YEARS = [plan_year.year for plan_year in PLAN.years()]
# Yearly figures: every year is over when it is judged, whatever the horizon.
HORIZON = Horizon(PLAN.quarters()[-1], tuple(PLAN.quarters()))
SERIES_YEARS = range(2012, 2022)
REFERENCE = Indicator(pk=1, name="Reference", is_reference=True)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal(0)

figures = st.decimals(min_value=0, max_value=100_000, places=2)
small_figures = st.decimals(min_value=0, max_value=100, places=2)
positive_figures = st.decimals(min_value=CENT, max_value=100_000, places=2)
optional_years = st.one_of(st.none(), st.sampled_from(PLAN_YEARS))
baseline_years = st.one_of(st.none(), st.integers(2012, 2019))
# A series with gaps, or one with a figure every year, so that a previous year and a baseline
# are there often enough.
series_strategy = st.one_of(
    st.dictionaries(st.sampled_from(SERIES_YEARS), figures, max_size=10),
    st.fixed_dictionaries(dict.fromkeys(SERIES_YEARS, figures)),
)


def row(series: dict[int, Decimal], reference: dict[int, Decimal]) -> Row:
    row_figures = Figures(PLAN)
    row_figures.measurements[(REFERENCE.pk, None)] = reference
    return Row(SuccessCriterion(), Readings(values=series), PLAN.years(), row_figures, HORIZON)


@st.composite
def targets(draw, kind: str, comparison: str) -> CriterionTarget:
    target = CriterionTarget(kind=kind, comparison=comparison)
    if kind in (Kind.YEARLY, Kind.AVERAGE, Kind.CUMULATIVE, Kind.BY_YEAR):
        target.value = draw(figures)
        if draw(st.booleans()):
            target.value_max = target.value + draw(small_figures)
    if kind in (Kind.CHANGE_PREVIOUS, Kind.CHANGE_BASELINE, Kind.YEARLY_CHANGE):
        target.change_percent = draw(st.decimals(min_value="-99.99", max_value=200, places=2))
    if kind == Kind.CHANGE_BASELINE:
        target.horizon_years = draw(st.integers(1, 5))
    if kind == Kind.REFERENCE:
        target.reference = REFERENCE
    if kind in (
        Kind.BY_YEAR,
        Kind.CHANGE_PREVIOUS,
        Kind.CHANGE_BASELINE,
        Kind.DIRECTION,
        Kind.YEARLY_CHANGE,
    ):
        target.baseline_year = draw(baseline_years)
        if draw(st.booleans()):
            target.baseline_value = draw(figures)
    target.from_year = draw(optional_years)
    target.to_year = draw(st.integers(2017, 2022)) if kind == Kind.BY_YEAR else draw(optional_years)
    if target.from_year and target.to_year and target.from_year > target.to_year:
        target.from_year, target.to_year = target.to_year, target.from_year
    return target


@st.composite
def line_targets(draw, kind: str, comparison: str) -> CriterionTarget:
    """A target that leaves years before its goal year, with a change the right way."""
    target = draw(targets(kind, comparison))
    if kind in (Kind.BY_YEAR, Kind.DIRECTION):
        target.to_year = draw(st.integers(max(2019, target.from_year or 0), 2022))
    if kind == Kind.BY_YEAR:
        target.baseline_value = draw(figures)
        change = draw(positive_figures)
        if comparison in HIGHER_IS_BETTER:
            target.value = target.baseline_value + change
        else:
            target.value = max(target.baseline_value - change, ZERO)
        if target.value_max is not None:
            target.value_max = target.value + draw(small_figures)
    if kind == Kind.CHANGE_BASELINE:
        # Due within its horizon from the baseline, not by a deadline of its own.
        target.to_year = None
        target.horizon_years = draw(st.integers(3, 5))
        percent = abs(target.change_percent)
        target.change_percent = percent if comparison in HIGHER_IS_BETTER else -min(percent, 99)
    return target


def thresholds(target: CriterionTarget, series, reference) -> list[Decimal]:
    """The numbers a verdict can turn on: the target and its range's end, the reference's
    figures, and the baseline and every figure of the series, as they are and moved by the
    rule's percentage."""
    found = [target.value, target.value_max, *reference.values()]
    for figure in [target.baseline_value, *series.values()]:
        if figure is not None:
            found.append(figure)
            if target.change_percent is not None:
                found.append(figure * (HUNDRED + target.change_percent) / HUNDRED)
    return [number.quantize(CENT) for number in found if number is not None]


@st.composite
def good_figures(draw, comparison: str, target: CriterionTarget, series, reference) -> Decimal:
    """A figure for the judged year that is likely to meet the rule: just on the good side of
    one of its thresholds, beyond every threshold the strategies can make, or anywhere."""
    higher = comparison in HIGHER_IS_BETTER
    choices = [figures]
    if numbers := thresholds(target, series, reference):
        threshold = draw(st.sampled_from(numbers))
        step = draw(st.decimals(min_value=CENT, max_value=5, places=2))
        choices.append(st.just(threshold + step if higher else max(threshold - step, ZERO)))
    if higher:
        choices.append(st.decimals(min_value=400_000, max_value=1_000_000, places=2))
    else:
        choices.append(st.decimals(min_value=CENT, max_value=1, places=2))
    return draw(st.one_of(choices))


def straight_line(target: CriterionTarget, series) -> tuple[Decimal, Decimal, list[int]]:
    """Where a rule can be on track: from its baseline towards its goal (a rise or a fall
    from the baseline for a direction), in the years it applies after the baseline year and
    before the goal year. No years when the goal lies on the wrong side of the baseline."""
    baseline, baseline_year = row(series, {}).baseline(target)
    if baseline is None:
        return ZERO, ZERO, []
    higher = target.comparison in HIGHER_IS_BETTER
    goal, goal_year = target.value, target.to_year
    if target.kind == Kind.CHANGE_BASELINE:
        goal = baseline * (HUNDRED + target.change_percent) / HUNDRED
        goal_year = baseline_year + target.horizon_years
    elif target.kind == Kind.DIRECTION:
        goal = baseline + 100 if higher else max(baseline - 100, ZERO)
    if (goal > baseline) != higher:
        return ZERO, ZERO, []
    years = [
        year
        for year in PLAN_YEARS
        if max(baseline_year, (target.from_year or 0) - 1) < year < (goal_year or 0)
    ]
    low, high = sorted([baseline.quantize(CENT), goal.quantize(CENT)])
    return low, high, years


@st.composite
def on_the_line(draw, comparison: str, target: CriterionTarget, series, reference):
    """A year before the goal year and a figure between the baseline and the goal."""
    low, high, years = straight_line(target, series)
    assume(years)
    # A share of the way from either end, as Hypothesis favours small numbers.
    distance = ((high - low) * draw(st.integers(0, 100)) / HUNDRED).quantize(CENT)
    return draw(st.sampled_from(years)), draw(st.sampled_from([low + distance, high - distance]))


@st.composite
def anywhere(draw, comparison: str, target: CriterionTarget, series, reference):
    """Any year of the plan and a figure likely to meet the rule."""
    return draw(st.sampled_from(PLAN_YEARS)), draw(
        good_figures(comparison, target, series, reference)
    )


def reach_the_assertion(kind, comparison, rules, year_and_value, wanted) -> list[Verdict]:
    """Check the property on examples whose first verdict is in `wanted`, with the target
    drawn by `rules` and the year and figure by `year_and_value`; the first verdicts of the
    examples that reached the assertion."""
    reached = []

    # Too much filtering fails below, per kind and comparison, rather than as a health check.
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.filter_too_much],
    )
    @given(
        target=rules(kind, comparison),
        series=series_strategy,
        reference=st.dictionaries(st.integers(2014, 2021), figures, max_size=4),
        improvement=st.decimals(min_value=CENT, max_value=5, places=2) | positive_figures,
        data=st.data(),
    )
    def check(target, series, reference, improvement, data):
        year, value = data.draw(year_and_value(comparison, target, series, reference))
        if comparison in HIGHER_IS_BETTER:
            better = value + improvement
        else:
            better = max(value - improvement, ZERO)
        assume(better != value)
        first = judge(target, row({**series, year: value}, reference), year)
        assume(first.verdict in wanted)
        second = judge(target, row({**series, year: better}, reference), year)
        reached.append(first.verdict)
        assert WORST_TO_BEST.index(second.verdict) >= WORST_TO_BEST.index(first.verdict), (
            f"{value} is {first.verdict} but the better {better} is {second.verdict}: "
            f"{second.sentence}"
        )

    check()
    return reached


@pytest.mark.parametrize("comparison", Comparison.values)
@pytest.mark.parametrize("kind", Kind.values)
def test_a_better_figure_never_gets_a_worse_verdict(kind, comparison):
    reached = reach_the_assertion(
        kind, comparison, targets, anywhere, {Verdict.MET, Verdict.ON_TRACK}
    )
    assert len(reached) >= MIN_REACHED, f"only {len(reached)} examples reached the assertion"


@pytest.mark.parametrize("comparison", Comparison.values)
@pytest.mark.parametrize("kind", [Kind.BY_YEAR, Kind.CHANGE_BASELINE, Kind.DIRECTION])
def test_a_better_figure_on_track_is_never_worse(kind, comparison):
    """On track is where the arithmetic is hardest (a straight line from the baseline to the
    goal, rounded), and examples drawn anywhere rarely land there."""
    reached = reach_the_assertion(kind, comparison, line_targets, on_the_line, {Verdict.ON_TRACK})
    assert len(reached) >= MIN_REACHED, f"only {len(reached)} examples reached the assertion"
