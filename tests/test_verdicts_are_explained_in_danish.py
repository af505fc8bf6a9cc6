"""The board reads the verdicts and their reasons in Danish, with the numbers that decided them."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from indicators.evaluation import evaluate_plan
from indicators.models import Indicator, Measurement, SuccessCriterion

pytestmark = pytest.mark.django_db


@pytest.fixture
def crime_figures(plan):
    crime = Indicator.objects.get(plan=plan, name="Kriminalretlige afgørelser pr. 1.000 beboere")
    Measurement.objects.bulk_create(
        Measurement(indicator=crime, year=year, value=Decimal(value))
        for year, value in {2017: "29", 2018: "27.5"}.items()
    )
    return SuccessCriterion.objects.get(
        subagreement__plan=plan, subagreement__focus_area__code="kriminalitet", position=2
    )


def test_the_crime_target_is_explained_with_its_straight_line(plan, crime_figures):
    evaluation = next(
        evaluation
        for evaluation in evaluate_plan(plan, years=[2018])
        if evaluation.criterion == crime_figures and evaluation.area is None
    )
    # 2018 is before the target's year: behind the straight line is "not on track", not "not
    # met" (the yearly limit of 28, which 27,5 keeps, is met).
    assert evaluation.verdict.label == "ikke på rette spor"
    assert evaluation.sentence == (
        "Tallet for 2018 er 27,5. Målet er højst 20 i 2021. Basis er 30,65 i 2016, en ændring "
        "på -10,3 %. På den lige linje mod målet skal 2018 være højst 26,39. Målet er under 28 "
        "hvert år."
    )


def test_a_partial_first_year_says_so(plan, crime_figures):
    evaluation = next(
        evaluation
        for evaluation in evaluate_plan(plan, years=[2017])
        if evaluation.criterion == crime_figures and evaluation.area is None
    )
    assert evaluation.partial_year
    assert evaluation.sentence.endswith(
        "2017 ligger kun delvist i planperioden (1. oktober–31. december 2017)."
    )


def test_the_command_prints_danish_verdicts(plan, crime_figures, capsys):
    call_command("evaluate_criteria", year=2018)
    lines = capsys.readouterr().out.splitlines()
    crime = [
        line.split("\t")
        for line in lines
        if line.split("\t")[:2] == ["Kriminalpræventiv indsats", "2"]
    ]
    assert crime[0][3:5] == ["hele planen", "ikke på rette spor"]
