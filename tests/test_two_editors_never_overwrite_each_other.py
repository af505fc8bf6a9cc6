"""Two people editing the same figure or assessment: the second save is refused, not merged."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from agreements.models import Role
from indicators.models import Indicator, Measurement, QualitativeAssessment, SuccessCriterion
from indicators.services import Figure, FigureEntry, StaleForm, save_year_figures
from tests.page_forms import form_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors(secretariat, make_user, plan):
    first, second = Client(), Client()
    first.force_login(secretariat)
    second.force_login(make_user("sekretariat-2", Role.SECRETARIAT, plan))
    return first, second


def arson_url(plan, year: int) -> str:
    indicator = Indicator.objects.get(plan=plan, name="Påsatte brande")
    return reverse("indicators:year_figures", args=[plan.slug, indicator.pk, year])


def test_the_second_change_of_the_same_figure_is_refused(two_editors, plan):
    first, second = two_editors
    address = arson_url(plan, 2016)
    first_form, second_form = form_fields(first.get(address)), form_fields(second.get(address))
    first_form |= {"figures-0-value": "27", "reason": "Ny opgørelse"}
    second_form |= {"figures-0-value": "30", "reason": "Anden opgørelse"}

    assert first.post(address, first_form).status_code == 302
    response = second.post(address, second_form)
    assert response.status_code == 409
    stored = Measurement.objects.get(indicator__name="Påsatte brande", year=2016)
    assert stored.value == Decimal("27")
    # The second editor now sees the stored figure, and what they typed, to decide again.
    fields = form_fields(response)
    assert fields["figures-0-value"] == "27,00"
    assert fields["figures-0-loaded_value"] == "27.00"
    assert ": 30</li>" in response.content.decode()

    fields |= {"figures-0-value": "30", "reason": "Anden opgørelse"}
    assert second.post(address, fields).status_code == 302
    stored.refresh_from_db()
    assert stored.value == Decimal("30")


def test_two_people_adding_the_same_new_figure_cannot_both_succeed(two_editors, plan):
    first, second = two_editors
    address = arson_url(plan, 2019)
    first_form, second_form = form_fields(first.get(address)), form_fields(second.get(address))
    assert first.post(address, first_form | {"figures-0-value": "4"}).status_code == 302
    assert second.post(address, second_form | {"figures-0-value": "5"}).status_code == 409
    assert Measurement.objects.get(indicator__name="Påsatte brande", year=2019).value == 4


def test_changing_another_row_than_the_one_changed_meanwhile_is_saved(two_editors, plan):
    first, second = two_editors
    indicator = Indicator.objects.get(plan=plan, name="Generel tryghed (politiets tryghedsmåling)")
    address = reverse("indicators:year_figures", args=[plan.slug, indicator.pk, 2016])
    first_form, second_form = form_fields(first.get(address)), form_fields(second.get(address))
    first_form |= {"figures-1-value": "59", "reason": "Rettelse"}  # Motalavej
    second_form |= {"figures-3-value": "70"}  # Sydbyen, empty until now
    assert first.post(address, first_form).status_code == 302
    assert second.post(address, second_form).status_code == 302
    values = dict(
        Measurement.objects.filter(indicator=indicator, year=2016).values_list(
            "area__code", "value"
        )
    )
    assert values == {"motalavej": 59, "ringparken": 72, "sydbyen": 70}


def test_the_service_refuses_a_stale_entry_and_saves_nothing(plan):
    indicator = Indicator.objects.get(plan=plan, name="Påsatte brande")
    with pytest.raises(StaleForm):
        save_year_figures(
            indicator=indicator,
            year=2016,
            entries=[FigureEntry(None, Figure(Decimal("99")), Figure(Decimal("1")))],
            reason="Test",
        )
    assert Measurement.objects.get(indicator=indicator, year=2016).value == 28


def test_the_second_change_of_the_same_assessment_is_refused(two_editors, plan):
    first, second = two_editors
    criterion = SuccessCriterion.objects.get(
        subagreement__plan=plan, text="Trygheden vurderes styrket."
    )
    address = reverse("indicators:assessment", args=[plan.slug, criterion.pk, 2018])
    first_form, second_form = form_fields(first.get(address)), form_fields(second.get(address))
    first_form |= {"status": "met", "justification": "Beboerne melder om mere tryghed."}
    second_form |= {"status": "not_met", "justification": "Flere anmeldelser end sidste år."}
    assert first.post(address, first_form).status_code == 302
    response = second.post(address, second_form)
    assert response.status_code == 409
    assert "Flere anmeldelser end sidste år." in response.content.decode()  # not lost
    assessment = QualitativeAssessment.objects.get(criterion=criterion, year=2018)
    assert assessment.status == "met"
