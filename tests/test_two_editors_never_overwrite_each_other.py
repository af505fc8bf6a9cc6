"""Two people editing the same figure or assessment: the second save is refused, not merged.

A form that does not send back what it was loaded with (its revision, or the figure or text it
showed) cannot be checked against what is stored now, so it is refused the same way, with the
same conflict message, on every form that guards against overwriting: the quarter's entry form
(tests/test_quarter_entry.py), figures, assessments, the groups' evaluations, the approval of
a version, and the approval and reopening of reports.
"""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import QuarterReport
from agreements.models import Body, Role
from indicators.models import Indicator, Measurement, QualitativeAssessment, SuccessCriterion
from indicators.services import Figure, FigureEntry, save_year_figures
from lib.concurrency import Stale
from reports.models import GroupEvaluation
from tests.page_forms import form_fields
from tests.test_quarter_entry import entry_url, filled, loaded_form

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
    with pytest.raises(Stale):
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


# Forms that leave out what they were loaded with


def without(fields: dict[str, str], *suffixes: str) -> dict[str, str]:
    return {name: value for name, value in fields.items() if not name.endswith(suffixes)}


@pytest.mark.parametrize("year", [2016, 2019])  # a stored figure, and none yet
def test_figures_sent_without_what_they_were_loaded_with_are_refused(two_editors, plan, year):
    first, _second = two_editors
    address = arson_url(plan, year)
    before = list(Measurement.objects.filter(indicator__name="Påsatte brande", year=year))
    fields = without(form_fields(first.get(address)), "loaded_value", "loaded_source_note")
    fields |= {"figures-0-value": "30", "reason": "Ny opgørelse"}
    response = first.post(address, fields)
    assert response.status_code == 409
    assert ": 30</li>" in response.content.decode()  # what was typed, to enter again
    assert list(Measurement.objects.filter(indicator__name="Påsatte brande", year=year)) == before


def test_an_assessment_sent_without_what_it_was_loaded_with_is_refused(two_editors, plan):
    first, second = two_editors
    criterion = SuccessCriterion.objects.get(
        subagreement__plan=plan, text="Trygheden vurderes styrket."
    )
    address = reverse("indicators:assessment", args=[plan.slug, criterion.pk, 2018])
    stale = without(form_fields(second.get(address)), "loaded_status", "loaded_justification")
    first_form = form_fields(first.get(address))
    first_form |= {"status": "met", "justification": "Beboerne melder om mere tryghed."}
    assert first.post(address, first_form).status_code == 302
    stale |= {"status": "not_met", "justification": "Flere anmeldelser.", "reason": "Ny viden"}
    response = second.post(address, stale)
    assert response.status_code == 409
    assert "Flere anmeldelser." in response.content.decode()
    assert QualitativeAssessment.objects.get(criterion=criterion, year=2018).status == "met"


@pytest.mark.parametrize("saved_meanwhile", [True, False])
def test_group_evaluations_sent_without_their_revision_are_refused(
    two_editors, plan, saved_meanwhile
):
    first, second = two_editors
    group = Body.objects.get(plan=plan, kind=Body.Kind.COORDINATION_GROUP)
    address = reverse("reports:group_evaluations", args=[plan.slug, "2019H1"])
    stale = without(form_fields(second.get(address)), "-revision")
    typed = {f"group-{group.pk}-meeting_date": "12.06.2019", f"group-{group.pk}-text": "Mit."}
    if saved_meanwhile:
        assert first.post(address, form_fields(first.get(address)) | typed).status_code == 302
    response = second.post(address, stale | typed | {f"group-{group.pk}-text": "Dit."})
    assert response.status_code == 409
    assert list(GroupEvaluation.objects.values_list("text", flat=True)) == (
        ["Mit."] if saved_meanwhile else []
    )


def test_an_approval_of_a_version_without_what_it_showed_is_refused(two_editors, plan):
    first, _second = two_editors
    tryghed = plan.subagreements.get(focus_area__code="tryghed")
    tryghed.revision = "Ny tekst"
    tryghed.save()
    address = reverse("agreements:approve", args=[plan.slug, "tryghed"])
    fields = form_fields(first.get(address))
    fields |= {"decided_on": "12.09.2018", "note": "Årlig revision."}
    for left_out in ("based_on", "draft_digest"):
        response = first.post(address, without(fields, left_out))
        assert response.status_code == 409
        assert "Versionen blev ikke godkendt" in response.content.decode()
    assert list(tryghed.versions.values_list("number", flat=True)) == [1]


@pytest.fixture
def submitted_report(client, coordinator_motalavej) -> QuarterReport:
    client.force_login(coordinator_motalavej)
    assert (
        client.post(entry_url(), filled(loaded_form(client)) | {"action": "submit"}).status_code
        == 302
    )
    return QuarterReport.objects.filter(area__code="motalavej").order_by("pk").first()


def test_a_reopening_without_the_revision_it_saw_is_refused(two_editors, plan, submitted_report):
    first, _second = two_editors
    address = reverse("activities:reopen", args=[plan.slug, submitted_report.pk])
    response = first.post(address, {"reason": "Talt dobbelt"})
    assert response.status_code == 200
    assert "Indberetningen er ændret, efter du åbnede siden; se den igen." in (
        response.content.decode()
    )
    submitted_report.refresh_from_db()
    assert submitted_report.status == QuarterReport.Status.SUBMITTED


@pytest.mark.parametrize(
    "value", ["{pk}", "{pk}:", "{pk}:²", "²:1", "{pk}:" + "9" * 20, "9" * 20 + ":1"]
)
def test_an_approval_of_reports_without_the_revisions_it_saw_is_refused(
    two_editors, plan, submitted_report, value
):
    first, _second = two_editors
    address = reverse("activities:approve", args=[plan.slug, "2018K1"])
    chosen = value.format(pk=submitted_report.pk)
    response = first.post(address, {"report": chosen, "action": "chosen"}, follow=True)
    assert "Formularen er beskadiget; indlæs siden igen." in response.content.decode()
    assert not QuarterReport.objects.filter(status=QuarterReport.Status.APPROVED).exists()
