"""What a criterion's chart draws comes from the engine's own arithmetic: the measured values
from the baseline year on, the baseline, and each target as a line over the years."""

from decimal import Decimal

import pytest

from indicators.evaluation import Figures
from indicators.models import Measurement, SuccessCriterion
from reports.chart_data import chart_data

pytestmark = pytest.mark.django_db


def criterion(plan, start: str) -> SuccessCriterion:
    return next(
        c for c in SuccessCriterion.objects.for_evaluation(plan) if c.text.startswith(start)
    )


def test_a_target_in_a_target_year_is_the_straight_line_from_the_baseline(plan):
    """ "Fra 30,65 i 2016 til max 20 i 2021" (seed, Kriminalpræventiv indsats)."""
    decisions = criterion(plan, "Antallet af kriminalretlige afgørelser")
    data = chart_data(decisions, Figures.load(plan), None)
    assert data.years == [2016, 2017, 2018, 2019, 2020, 2021]
    assert data.baseline == (2016, Decimal("30.65"))
    label, line = data.targets[0]
    assert label == "højst 20"
    assert line[2016] == Decimal("30.65") and line[2021] == Decimal("20.00")
    assert line[2018] == Decimal("26.39")


def test_a_yearly_minimum_is_a_level_line_and_the_measured_values_are_kept(plan):
    volunteers = criterion(plan, "Mindst 50 aktive frivillige")
    data = chart_data(volunteers, Figures.load(plan), None)
    assert data.targets == [("mindst 50", {year: Decimal(50) for year in range(2017, 2022)})]
    assert data.measured == {}


def test_a_change_from_the_previous_year_follows_last_years_figure(plan):
    visitors = criterion(plan, "Der er minimum 10.000 unikke besøgende")
    indicator = visitors.indicator
    for year, value in [(2018, 12000), (2019, 13500)]:
        Measurement.objects.create(indicator=indicator, year=year, value=value)
    data = chart_data(visitors, Figures.load(plan), None)
    assert data.measured == {2018: Decimal("12000.00"), 2019: Decimal("13500.00")}
    lines = dict(data.targets)
    growth = next(points for label, points in lines.items() if label != "mindst 10.000")
    assert growth == {2019: Decimal("12960.00"), 2020: Decimal("14580.00")}


def test_a_chart_as_it_stood_leaves_out_later_figures_and_targets_computed_from_them(plan):
    """The board's dashboard for 2018 shows 2018 as it stood, not 2019's figure."""
    visitors = criterion(plan, "Der er minimum 10.000 unikke besøgende")
    for year, value in [(2018, 12000), (2019, 13500)]:
        Measurement.objects.create(indicator=visitors.indicator, year=year, value=value)
    data = chart_data(visitors, Figures.load(plan), None, up_to=2018)
    assert data.measured == {2018: Decimal("12000.00")}
    lines = dict(data.targets)
    assert lines["mindst 10.000"][2021] == Decimal(10000)  # a fixed level runs on
    growth = next(points for label, points in lines.items() if label != "mindst 10.000")
    assert growth == {2019: Decimal("12960.00")}  # next year's target, from 2018's figure
