"""What a criterion's chart draws comes from the engine's own arithmetic: the measured values
from the baseline year on, the baseline where the criterion has one, and each target as a line
over the years, labelled with what it asks for, as far as the report's horizon knows them."""

from decimal import Decimal

import pytest

from activities.models import QuarterlyCount
from agreements.models import HousingArea
from indicators.evaluation import Figures
from indicators.models import Measurement, SuccessCriterion
from lib.periods import Horizon, Quarter
from reports.chart_data import chart_data

pytestmark = pytest.mark.django_db


def criterion(plan, start: str) -> SuccessCriterion:
    return next(
        c for c in SuccessCriterion.objects.for_evaluation(plan) if c.text.startswith(start)
    )


def at_the_end(plan, year: int = 2021) -> Horizon:
    return Horizon.end_of_year(year, tuple(plan.quarters()))


def test_a_target_in_a_target_year_is_the_straight_line_from_the_baseline(plan):
    """ "Fra 30,65 i 2016 til max 20 i 2021" (seed, Kriminalpræventiv indsats)."""
    decisions = criterion(plan, "Antallet af kriminalretlige afgørelser")
    data = chart_data(decisions, Figures.load(plan), None, at_the_end(plan))
    assert data.years == [2016, 2017, 2018, 2019, 2020, 2021]
    assert data.baseline == (2016, Decimal("30.65"))
    label, line = data.targets[0]
    assert label == "højst 20"
    assert line[2016] == Decimal("30.65") and line[2021] == Decimal("20.00")
    assert line[2018] == Decimal("26.39")


def test_a_yearly_minimum_is_a_level_line_and_has_no_baseline(plan):
    """ "Mindst 50 aktive frivillige om året" names no starting point: none is drawn, even
    when there are figures (the first of them would otherwise pass for one)."""
    volunteers = criterion(plan, "Mindst 50 aktive frivillige")
    QuarterlyCount.objects.create(
        metric=volunteers.metric,
        area=HousingArea.objects.get(code="motalavej"),
        year=2018,
        quarter=4,
        value=61,
    )
    data = chart_data(volunteers, Figures.load(plan), None, at_the_end(plan))
    assert data.targets == [("mindst 50", {year: Decimal(50) for year in range(2017, 2022)})]
    assert data.measured == {2018: Decimal(61)}
    assert data.baseline is None


def test_a_change_from_the_previous_year_follows_last_years_figure(plan):
    visitors = criterion(plan, "Der er minimum 10.000 unikke besøgende")
    indicator = visitors.indicator
    for year, value in [(2018, 12000), (2019, 13500)]:
        Measurement.objects.create(indicator=indicator, year=year, value=value)
    data = chart_data(visitors, Figures.load(plan), None, at_the_end(plan))
    assert data.measured == {2018: Decimal("12000"), 2019: Decimal("13500")}
    lines = dict(data.targets)
    # The label says what the target asks for, never a dash for a value it does not have.
    assert set(lines) == {"mindst 10.000", "+8 % fra året før"}
    assert lines["+8 % fra året før"] == {2019: Decimal("12960"), 2020: Decimal("14580")}


def test_a_chart_as_it_stood_leaves_out_later_figures_and_targets_computed_from_them(plan):
    """The board's dashboard for 2018 shows 2018 as it stood, not 2019's figure."""
    visitors = criterion(plan, "Der er minimum 10.000 unikke besøgende")
    for year, value in [(2018, 12000), (2019, 13500)]:
        Measurement.objects.create(indicator=visitors.indicator, year=year, value=value)
    data = chart_data(visitors, Figures.load(plan), None, at_the_end(plan, 2018))
    assert data.measured == {2018: Decimal("12000")}
    lines = dict(data.targets)
    assert lines["mindst 10.000"][2021] == Decimal(10000)  # a fixed level runs on
    assert lines["+8 % fra året før"] == {2019: Decimal("12960")}  # from 2018's figure


def test_a_half_year_draws_its_year_so_far_as_such_and_the_yearly_figures_it_knew(plan):
    volunteers = criterion(plan, "Mindst 50 aktive frivillige")
    motalavej = HousingArea.objects.get(code="motalavej")
    for quarter, value in [(1, 20), (2, 30), (3, 45)]:
        QuarterlyCount.objects.create(
            metric=volunteers.metric, area=motalavej, year=2019, quarter=quarter, value=value
        )
    first_half = Horizon(Quarter(2019, 2), tuple(plan.quarters()))
    data = chart_data(volunteers, Figures.load(plan), None, first_half)
    assert data.measured == {2019: Decimal(30)}  # the third quarter is not known yet
    assert data.so_far == 2019


def test_a_share_of_a_reference_is_labelled_by_the_reference(plan):
    safety = criterion(plan, "Andelen af beboere, der i høj eller nogen grad oplever tryghed")
    ringparken = HousingArea.objects.get(code="ringparken")
    data = chart_data(safety, Figures.load(plan), ringparken.pk, at_the_end(plan))
    [(label, points)] = data.targets
    assert label == "over Generel tryghed, gennemsnit for særligt udsatte boligområder"
    assert "–" not in label
    assert data.baseline is None  # compared with the reference, not with a starting point
    # The 2016 average stands for every plan year until a newer one is published.
    assert points == {year: Decimal("72.40") for year in range(2017, 2022)}
