"""The engine's edges: zero baselines, missing years, values on the target, Danish rounding,
years partly reported, empty denominators, and how quarters add up to a year."""

import datetime
import re
from decimal import Decimal

import pytest

from activities.models import Metric, QuarterlyCount
from agreements.models import HousingArea, Plan
from indicators.evaluation import Figures, Readings, Row, evaluate_plan
from indicators.models import CriterionTarget, Indicator, Measurement, SuccessCriterion
from indicators.rules import Verdict, judge
from lib.periods import Horizon
from lib.phrases import format_figure_with_unit

Kind = CriterionTarget.Kind
Comparison = CriterionTarget.Comparison

SLAGELSE_DATES = {"start_date": datetime.date(2017, 10, 1), "end_date": datetime.date(2021, 9, 30)}
REFERENCE = Indicator(pk=1, name="Gennemsnit for særligt udsatte boligområder", is_reference=True)


def shows(sentence: str, number: str) -> bool:
    """Whether the sentence shows the number as a figure of its own, not part of another."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d]|[.,]\d)", sentence) is not None


def criterion(plan, code: str, position: int) -> SuccessCriterion:
    return SuccessCriterion.objects.get(
        subagreement__plan=plan, subagreement__focus_area__code=code, position=position
    )


def measure(indicator: Indicator, values: dict[int, str]) -> None:
    Measurement.objects.bulk_create(
        Measurement(indicator=indicator, year=year, value=Decimal(value))
        for year, value in values.items()
    )


def count(metric: Metric, where: str, year: int, quarters: dict[int, int]) -> None:
    area = HousingArea.objects.get(code=where)
    QuarterlyCount.objects.bulk_create(
        QuarterlyCount(metric=metric, area=area, year=year, quarter=quarter, value=value)
        for quarter, value in quarters.items()
    )


def judged(plan, subject: SuccessCriterion, year: int):
    """The whole-plan evaluation of one criterion in one year."""
    [evaluation] = [
        evaluation
        for evaluation in evaluate_plan(plan, years=[year])
        if evaluation.criterion.pk == subject.pk and evaluation.area is None
    ]
    return evaluation


def row(series: dict[int, str], reference: dict[int, str] | None = None) -> Row:
    """A row of the Slagelse plan's years, judged on the given figures, without a database."""
    plan = Plan(**SLAGELSE_DATES)
    figures = Figures(plan)
    if reference:
        figures.measurements[(REFERENCE.pk, None)] = {y: Decimal(v) for y, v in reference.items()}
    readings = Readings(values={y: Decimal(v) for y, v in series.items()})
    horizon = Horizon(plan.quarters()[-1], tuple(plan.quarters()))
    return Row(SuccessCriterion(), readings, plan.years(), figures, horizon)


# A baseline of zero has no percentage change.


def test_a_target_from_a_baseline_of_zero_shows_no_percentage():
    target = CriterionTarget(
        kind=Kind.BY_YEAR,
        comparison=Comparison.AT_LEAST,
        value=Decimal(20),
        to_year=2020,
        baseline_value=Decimal(0),
        baseline_year=2016,
    )

    result = judge(target, row({2018: "10"}), 2018)

    assert result.verdict == Verdict.ON_TRACK  # halfway from 0 to 20
    assert shows(result.sentence, "0")
    assert shows(result.sentence, "2016")
    assert "%" not in result.sentence


@pytest.mark.django_db
def test_a_change_from_a_previous_year_of_zero_shows_no_percentage(plan):
    negative_stories = criterion(plan, "tryghed", 12)  # 10 % fewer a year, from 2017
    measure(negative_stories.indicator, {2017: "0", 2018: "3"})

    evaluation = judged(plan, negative_stories, 2018)

    assert evaluation.verdict == Verdict.NOT_MET  # 3 is more than 0 less 10 %
    assert evaluation.sentence.count("%") == 1  # the target's own "-10 %"
    assert "-10 %" in evaluation.sentence


@pytest.mark.django_db
def test_a_direction_from_zero_shows_no_percentage(plan):
    treated_parents = criterion(plan, "uddannelse", 10)  # rises from 2017
    measure(treated_parents.indicator, {2017: "0", 2018: "3"})

    evaluation = judged(plan, treated_parents, 2018)

    assert evaluation.verdict == Verdict.ON_TRACK  # a rise, settled at the plan's end
    assert "%" not in evaluation.sentence


@pytest.mark.django_db
def test_a_fall_from_a_baseline_of_zero_is_met_by_staying_at_zero(plan):
    dropout = criterion(plan, "uddannelse", 7)  # 30 % fewer within two years
    count(dropout.metric, "sydbyen", 2017, {4: 0})
    count(dropout.metric, "sydbyen", 2018, {1: 0, 2: 0, 3: 0, 4: 0})
    count(dropout.metric, "sydbyen", 2019, {1: 0, 2: 0, 3: 0, 4: 0})

    assert judged(plan, dropout, 2018).verdict == Verdict.ON_TRACK  # due in 2019
    evaluation = judged(plan, dropout, 2019)

    assert evaluation.verdict == Verdict.MET
    assert evaluation.sentence.count("%") == 1  # the target's own "-30 %"


# A missing previous year is no data, not a comparison with nothing.


@pytest.mark.django_db
def test_a_change_needs_the_year_before(plan):
    vandalism = criterion(plan, "tryghed", 3)  # 15 % fewer a year, from 2017
    measure(vandalism.indicator, {2017: "100", 2019: "50"})

    evaluation = judged(plan, vandalism, 2019)

    assert evaluation.verdict == Verdict.NO_DATA
    assert shows(evaluation.sentence, "2018")
    assert evaluation.value == 50


@pytest.mark.django_db
def test_fewer_fires_than_the_year_before_needs_a_figure_for_2017_before_2018_is_judged(plan):
    arson = criterion(plan, "kriminalitet", 19)  # "falder fortsat": fewer than the year before
    measure(arson.indicator, {2018: "10"})

    evaluation = judged(plan, arson, 2018)

    assert evaluation.verdict == Verdict.NO_DATA
    assert shows(evaluation.sentence, "2017")


# A value exactly on the target meets "at least" and "at most", not "above" and "below".

ON_THE_TARGET = {
    Comparison.AT_LEAST: Verdict.MET,
    Comparison.AT_MOST: Verdict.MET,
    Comparison.ABOVE: Verdict.NOT_MET,
    Comparison.BELOW: Verdict.NOT_MET,
}


@pytest.mark.parametrize("comparison", list(ON_THE_TARGET))
@pytest.mark.parametrize(
    ("target", "series", "reference"),
    [
        (CriterionTarget(kind=Kind.YEARLY, value=Decimal(50)), {2019: "50"}, None),
        (
            CriterionTarget(kind=Kind.YEARLY, value=Decimal(10), value_max=Decimal(12)),
            {2019: "10"},
            None,
        ),
        (
            CriterionTarget(kind=Kind.AVERAGE, value=Decimal(60), to_year=2019),
            {2018: "50", 2019: "70"},
            None,
        ),
        (
            CriterionTarget(kind=Kind.CUMULATIVE, value=Decimal(4), to_year=2019),
            {2017: "1", 2018: "1", 2019: "2"},
            None,
        ),
        (
            CriterionTarget(
                kind=Kind.BY_YEAR,
                value=Decimal(20),
                to_year=2019,
                baseline_value=Decimal("30.65"),
                baseline_year=2016,
            ),
            {2019: "20"},
            None,
        ),
        (
            CriterionTarget(kind=Kind.CHANGE_PREVIOUS, change_percent=Decimal(-10)),
            {2018: "28", 2019: "25.2"},
            None,
        ),
        (
            CriterionTarget(
                kind=Kind.CHANGE_BASELINE, change_percent=Decimal(-30), horizon_years=2
            ),
            {2017: "10", 2019: "7"},
            None,
        ),
        (
            CriterionTarget(
                kind=Kind.YEARLY_CHANGE,
                change_percent=Decimal(-10),
                baseline_value=Decimal(10),
                baseline_year=2017,
            ),
            {2019: "8.1"},
            None,
        ),
        (
            CriterionTarget(kind=Kind.REFERENCE, reference=REFERENCE, to_year=2019),
            {2019: "72.4"},
            {2016: "72.4"},
        ),
        (
            CriterionTarget(kind=Kind.DIRECTION, baseline_year=2017, to_year=2019),
            {2017: "8.5", 2019: "8.5"},
            None,
        ),
    ],
    ids=lambda value: value.kind if isinstance(value, CriterionTarget) else "",
)
def test_a_value_on_the_target(target, series, reference, comparison):
    target.comparison = comparison
    assert judge(target, row(series, reference), 2019).verdict == ON_THE_TARGET[comparison]


@pytest.mark.django_db
def test_exactly_50_volunteers_is_at_least_50(plan):
    volunteers = criterion(plan, "tryghed", 4)  # people so far this year
    count(volunteers.metric, "motalavej", 2019, {1: 10, 2: 20, 3: 25, 4: 30})
    count(volunteers.metric, "sydbyen", 2019, {1: 5, 2: 10, 3: 15, 4: 20})

    evaluation = judged(plan, volunteers, 2019)

    assert evaluation.value == 50
    assert evaluation.verdict == Verdict.MET


@pytest.mark.django_db
def test_exactly_28_is_not_below_the_ghetto_criterion(plan):
    crime = criterion(plan, "kriminalitet", 2)
    measure(crime.indicator, {2021: "28"})
    ghetto_criterion = crime.targets.get(label="ghettokriteriet")
    crime.targets.exclude(pk=ghetto_criterion.pk).delete()

    assert judged(plan, crime, 2021).verdict == Verdict.NOT_MET

    Measurement.objects.filter(indicator=crime.indicator, year=2021).update(value=Decimal("27.99"))
    assert judged(plan, crime, 2021).verdict == Verdict.MET


# Rounding is the Danish way: half up, with a decimal comma.


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (Decimal("0.125"), "", "0,13"),
        (Decimal("0.135"), "", "0,14"),
        (Decimal("2.675"), "", "2,68"),
        (Decimal("0.124"), "", "0,12"),
        (Decimal(2) / 3 * 100, "percent", "66,67 %"),
        (Decimal("72.40"), "percent", "72,4 %"),
        (Decimal("74.996"), "percent", "75 %"),
        (Decimal("11664"), "", "11.664"),
        (None, "", "–"),
    ],
)
def test_figures_are_rounded_half_up_and_written_the_danish_way(value, unit, shown):
    assert format_figure_with_unit(value, unit, empty="–") == shown


@pytest.mark.django_db
def test_a_share_of_two_in_three_is_shown_as_66_7_percent(plan):
    attendance = criterion(plan, "forebyggelse", 6)  # at least 75 % attend steadily
    count(attendance.denominator_metric, "motalavej", 2018, {1: 3})
    count(attendance.metric, "motalavej", 2018, {1: 2})

    evaluation = judged(plan, attendance, 2018)

    # The board reads shares to one decimal, and the figure is judged as it is shown.
    assert evaluation.value == Decimal("66.7")
    assert "66,7 %" in evaluation.sentence
    assert evaluation.verdict == Verdict.NOT_MET


@pytest.mark.django_db
def test_a_share_is_judged_as_it_is_shown(plan):
    attendance = criterion(plan, "forebyggelse", 6)
    count(attendance.denominator_metric, "motalavej", 2018, {1: 25000})
    count(attendance.metric, "motalavej", 2018, {1: 18749})  # 74,996 %

    evaluation = judged(plan, attendance, 2018)

    assert "75,0 %" in evaluation.sentence
    assert evaluation.verdict == Verdict.MET


@pytest.mark.parametrize(
    ("value", "verdict"), [("0.13", Verdict.ON_TRACK), ("0.12", Verdict.NOT_ON_TRACK)]
)
def test_the_straight_line_is_rounded_half_up(value, verdict):
    # From 0 in 2016 to 1 in 2024 the line passes 0,125 in 2017: 0,13 half up, 0,12 half even.
    target = CriterionTarget(
        kind=Kind.BY_YEAR,
        comparison=Comparison.AT_LEAST,
        value=Decimal(1),
        to_year=2024,
        baseline_value=Decimal(0),
        baseline_year=2016,
    )

    result = judge(target, row({2017: value}), 2017)

    assert result.verdict == verdict
    assert shows(result.sentence, "0,13")


# A year only partly reported says so.


@pytest.mark.django_db
def test_a_year_with_only_some_quarters_says_so(plan):
    volunteers = criterion(plan, "tryghed", 4)
    count(volunteers.metric, "motalavej", 2018, {1: 55, 2: 40})
    count(volunteers.metric, "motalavej", 2019, {1: 55, 2: 40, 3: 1, 4: 1})
    count(volunteers.metric, "motalavej", 2017, {4: 55})
    count(volunteers.metric, "motalavej", 2021, {1: 55})
    figures = Figures(plan)

    def note(year: int, reported: int) -> str:
        return figures.quarters_note(year, reported, figures.end_of(year))

    two_of_four = note(2018, 2)
    one_of_three = note(2021, 1)

    assert two_of_four and "2" in two_of_four and "4" in two_of_four
    assert one_of_three and "1" in one_of_three and "3" in one_of_three
    assert two_of_four in judged(plan, volunteers, 2018).sentence
    assert one_of_three in judged(plan, volunteers, 2021).sentence
    # A year fully reported, and 2017 whose only quarter in the plan is reported, say nothing.
    assert note(2019, 4) == ""
    assert note(2017, 1) == ""
    full_year = judged(plan, volunteers, 2019).sentence
    assert all(note(2019, reported) not in full_year for reported in range(4))
    assert note(2017, 0) not in judged(plan, volunteers, 2017).sentence


@pytest.mark.django_db
def test_a_share_with_missing_quarters_says_so_too(plan):
    kept = criterion(plan, "kriminalitet", 8)
    count(kept.denominator_metric, "sydbyen", 2019, {1: 4, 3: 6})
    count(kept.metric, "sydbyen", 2019, {1: 3, 3: 3})

    evaluation = judged(plan, kept, 2019)

    assert evaluation.value == 60
    figures = Figures(plan)
    assert figures.quarters_note(2019, 2, figures.end_of(2019)) in evaluation.sentence


# A share of nothing is no figure.


@pytest.mark.django_db
def test_a_denominator_of_zero_is_no_data(plan):
    kept = criterion(plan, "kriminalitet", 8)
    count(kept.denominator_metric, "motalavej", 2018, {1: 0, 2: 0, 3: 0, 4: 0})
    count(kept.metric, "motalavej", 2018, {1: 0, 2: 0, 3: 0, 4: 0})

    evaluation = judged(plan, kept, 2018)

    assert evaluation.verdict == Verdict.NO_DATA
    assert evaluation.value is None
    assert shows(evaluation.sentence, "2018")


# How the quarters of a year add up.


@pytest.mark.parametrize(
    ("aggregation", "quarters", "year_value"),
    [
        (Metric.Aggregation.SUM, {1: 3, 2: 5, 3: 0, 4: 1}, Decimal(9)),
        (Metric.Aggregation.MAX, {1: 3, 2: 5, 3: 0, 4: 1}, Decimal(5)),
        (Metric.Aggregation.LAST, {1: 3, 2: 5, 3: 0, 4: 1}, Decimal(1)),
        (Metric.Aggregation.AVERAGE, {1: 3, 2: 5, 3: 0, 4: 1}, Decimal("2.25")),
        # Missing quarters are left out, not read as zero.
        (Metric.Aggregation.SUM, {1: 3, 3: 5}, Decimal(8)),
        (Metric.Aggregation.MAX, {2: 7}, Decimal(7)),
        (Metric.Aggregation.LAST, {3: 2, 1: 9}, Decimal(2)),  # the latest quarter, not the last key
        (Metric.Aggregation.AVERAGE, {1: 3, 3: 5}, Decimal(4)),
        (Metric.Aggregation.AVERAGE, {4: 0}, Decimal(0)),
        (Metric.Aggregation.SUM, {}, None),
        (Metric.Aggregation.MAX, {}, None),
        (Metric.Aggregation.LAST, {}, None),
        (Metric.Aggregation.AVERAGE, {}, None),
    ],
)
def test_a_metric_adds_its_quarters_up_to_a_year(aggregation, quarters, year_value):
    assert Metric(aggregation=aggregation).year_value(quarters) == year_value


# A baseline value entered without its year.


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        (Kind.CHANGE_BASELINE, {"change_percent": Decimal(-30), "horizon_years": 2}),
        (Kind.BY_YEAR, {"value": Decimal(7), "to_year": 2018}),
        (Kind.DIRECTION, {"to_year": 2018}),
    ],
)
def test_a_baseline_value_without_a_year_is_from_the_year_before_the_plan(kind, extra):
    target = CriterionTarget(
        kind=kind, comparison=Comparison.AT_MOST, baseline_value=Decimal(10), **extra
    )

    result = judge(target, row({2017: "8", 2018: "7"}), 2018)

    assert result.verdict == Verdict.MET
    assert shows(result.sentence, "2016")
