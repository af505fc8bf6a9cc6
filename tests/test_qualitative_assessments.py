"""The secretariat assesses qualitative criteria per plan year, with a written justification;
who assessed and when is recorded, and a change needs a reason and keeps the history."""

import pytest
from django.urls import reverse

from indicators.models import QualitativeAssessment, SuccessCriterion
from tests.page_forms import form_fields

pytestmark = pytest.mark.django_db

TEXT = "Trygheden vurderes styrket."


@pytest.fixture
def criterion(plan) -> SuccessCriterion:
    return SuccessCriterion.objects.get(subagreement__plan=plan, text=TEXT)


def url(plan, criterion, year: int) -> str:
    return reverse("indicators:assessment", args=[plan.slug, criterion.pk, year])


@pytest.fixture
def assessor(client, secretariat):
    client.force_login(secretariat)
    return client


def test_an_assessment_records_who_and_when(assessor, plan, criterion, secretariat):
    fields = form_fields(assessor.get(url(plan, criterion, 2018)))
    fields |= {"status": "partly_met", "justification": "Tryghedsvandringerne er i gang."}
    response = assessor.post(url(plan, criterion, 2018), fields)
    assert response.status_code == 302
    assert response.url == reverse("indicators:subagreement", args=[plan.slug, "kriminalitet"])
    assessment = QualitativeAssessment.objects.get(criterion=criterion, year=2018)
    assert assessment.status == "partly_met"
    assert assessment.assessed_by == secretariat
    assert assessment.assessed_at is not None

    page = assessor.get(response.url).content.decode()
    assert "Tryghedsvandringerne er i gang." in page
    assert "sekretariat" in page


def test_a_justification_is_required(assessor, plan, criterion):
    fields = form_fields(assessor.get(url(plan, criterion, 2018))) | {"status": "met"}
    response = assessor.post(url(plan, criterion, 2018), fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_justification"' in page
    assert 'id="id_justification-error"' in page
    assert 'aria-describedby="id_justification_helptext id_justification-error"' in page
    assert not QualitativeAssessment.objects.filter(criterion=criterion).exists()


def test_a_status_must_be_one_of_the_three(assessor, plan, criterion):
    fields = form_fields(assessor.get(url(plan, criterion, 2018)))
    fields |= {"status": "great", "justification": "Godt."}
    response = assessor.post(url(plan, criterion, 2018), fields)
    assert response.status_code == 200
    assert 'href="#id_status_0"' in response.content.decode()
    assert not QualitativeAssessment.objects.filter(criterion=criterion).exists()


def test_changing_an_assessment_needs_a_reason_and_keeps_the_history(assessor, plan, criterion):
    address = url(plan, criterion, 2019)
    fields = form_fields(assessor.get(address))
    assessor.post(address, fields | {"status": "not_met", "justification": "For tidligt."})

    fields = form_fields(assessor.get(address))
    assert fields["status"] == "not_met"
    assert fields["loaded_status"] == "not_met"
    fields |= {"status": "met", "justification": "Målingen viser fremgang."}
    response = assessor.post(address, fields)
    assert response.status_code == 200
    assert 'id="id_reason-error"' in response.content.decode()
    assert QualitativeAssessment.objects.get(criterion=criterion, year=2019).status == "not_met"

    fields["reason"] = "Ny tryghedsmåling"
    assert assessor.post(address, fields).status_code == 302
    assert QualitativeAssessment.objects.get(criterion=criterion, year=2019).status == "met"
    records = QualitativeAssessment.history.filter(criterion=criterion, year=2019)
    assert [r.status for r in records.order_by("history_date")] == ["not_met", "met"]
    assert records.latest("history_date").history_change_reason == "Ny tryghedsmåling"

    page = assessor.get(address).content.decode()
    history = page[page.index('class="table table--compact history"') :]
    assert "For tidligt." in history and "Målingen viser fremgang." in history
    assert "Ny tryghedsmåling" in history


@pytest.mark.parametrize("year", [2016, 2022])
def test_only_the_plans_years_are_assessed(assessor, plan, criterion, year):
    assert assessor.get(url(plan, criterion, year)).status_code == 404


def test_a_measured_criterion_has_no_assessment_page(assessor, plan):
    measured = SuccessCriterion.objects.filter(
        subagreement__plan=plan, kind=SuccessCriterion.Kind.QUANTITATIVE
    ).first()
    assert assessor.get(url(plan, measured, 2018)).status_code == 404
