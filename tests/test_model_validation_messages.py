"""Bad data entered through any form gets a clear Danish message, naming the field."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from agreements.models import FocusArea, HousingArea, Subagreement
from indicators.models import CriterionTarget, Indicator, Measurement

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
