"""Bad data entered through any form gets a clear Danish message, naming the field."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from activities.models import Metric
from agreements.models import FocusArea, HousingArea, Subagreement
from indicators.models import CriterionTarget, Indicator, Measurement, SuccessCriterion

pytestmark = pytest.mark.django_db


def messages(instance) -> dict:
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    return raised.value.message_dict


def test_a_percentage_above_100(plan):
    indicator = Indicator.objects.get(plan=plan, name="Generel tryghed (politiets tryghedsmåling)")
    errors = messages(Measurement(indicator=indicator, year=2018, value=120))
    assert errors["value"] == ["En procentsats kan ikke være over 100."]


def test_an_area_outside_the_plan(plan):
    indicator = Indicator.objects.get(plan=plan, name="Påsatte brande")
    elsewhere = HousingArea.objects.create(code="vollsmose", name="Vollsmose")
    errors = messages(Measurement(indicator=indicator, year=2018, area=elsewhere, value=1))
    assert errors["area"] == ["Boligområdet er ikke en del af planen."]


def test_a_second_figure_for_the_same_year(plan):
    indicator = Indicator.objects.get(plan=plan, name="Påsatte brande")
    errors = messages(Measurement(indicator=indicator, year=2015, value=14))
    assert errors["__all__"] == [
        "Der er allerede et tal for denne indikator og dette år for hele planen."
    ]


def test_a_focus_area_of_another_funding_period(plan):
    other_period_area = FocusArea.objects.get(code="beskaeftigelse")
    subagreement = Subagreement(
        plan=plan, focus_area=other_period_area, valid_from=datetime.date(2017, 10, 1)
    )
    errors = messages(subagreement)
    assert errors["focus_area"] == [
        "Indsatsområdet skal høre til planens bevillingsperiode (2015-18-midlerne)."
    ]


def test_a_target_missing_its_value(plan):
    criterion = plan.subagreements.get(focus_area__code="tryghed").criteria.first()
    errors = messages(
        CriterionTarget(criterion=criterion, position=99, kind="yearly", comparison="gte")
    )
    assert errors["value"] == ["Skal udfyldes for denne slags mål."]


@pytest.mark.parametrize(
    "target, field, message",
    [
        ({"kind": "by_year", "value": 20}, "to_year", "Skal udfyldes for denne slags mål."),
        ({"kind": "change_previous"}, "change_percent", "Skal udfyldes for denne slags mål."),
        (
            {"kind": "yearly", "value": 12, "value_max": 10},
            "value_max",
            "Den øvre grænse kan ikke være under måltallet.",
        ),
        (
            {"kind": "direction", "from_year": 2021, "to_year": 2017},
            "to_year",
            "'Til år' kan ikke ligge før 'fra år'.",
        ),
        (
            {"kind": "change_previous", "change_percent": -100},
            "change_percent",
            "Et fald kan ikke være 100 procent eller mere.",
        ),
    ],
    ids=["target-year", "change", "range", "years", "fall"],
)
def test_a_target_that_breaks_a_constraint_is_told_so_beside_the_field(
    plan, target, field, message
):
    criterion = plan.subagreements.get(focus_area__code="tryghed").criteria.first()
    errors = messages(CriterionTarget(criterion=criterion, position=99, comparison="lte", **target))
    assert errors == {field: [message]}


def test_a_missing_value_is_one_mistake_not_two(plan):
    """A range's upper end is not judged against a value that is missing."""
    criterion = plan.subagreements.get(focus_area__code="tryghed").criteria.first()
    errors = messages(
        CriterionTarget(
            criterion=criterion, position=99, kind="yearly", comparison="gte", value_max=5
        )
    )
    assert errors == {"value": ["Skal udfyldes for denne slags mål."]}


def test_a_criterion_reading_an_indicator_and_a_metric(plan):
    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    metric = Metric.objects.filter(activity__subagreement=tryghed).first()
    criterion = SuccessCriterion(
        subagreement=tryghed,
        activity=metric.activity,
        position=999,
        text="Begge dele",
        data_source="Egen registrering",
        indicator=Indicator.objects.filter(plan=plan).first(),
        metric=metric,
    )
    assert messages(criterion) == {
        "metric": [
            "Et succeskriterium aflæses enten i en indikator eller i en opgørelse, ikke begge."
        ]
    }


def test_a_plan_that_ends_before_it_starts(plan):
    plan.end_date = plan.start_date
    assert messages(plan) == {"end_date": ["Slutdatoen skal ligge efter startdatoen."]}


def test_a_subagreement_valid_to_before_valid_from(plan):
    subagreement = plan.subagreements.get(focus_area__code="tryghed")
    subagreement.valid_to = subagreement.valid_from
    assert messages(subagreement) == {"valid_to": ["'Gælder til' skal ligge efter 'gælder fra'."]}
