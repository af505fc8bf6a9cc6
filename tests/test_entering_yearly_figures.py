"""The secretariat enters and corrects an indicator's figures for a year, all or nothing,
with a reason for every change to an entered figure and the history on the page."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import HousingArea
from indicators.models import Indicator, Measurement
from tests.page_forms import form_fields

pytestmark = pytest.mark.django_db

SAFETY = "Generel tryghed (politiets tryghedsmåling)"
ARSON = "Påsatte brande"
REFERENCE = "Generel tryghed, gennemsnit for særligt udsatte boligområder"


def url(plan, name: str, year: int) -> str:
    indicator = Indicator.objects.get(plan=plan, name=name)
    return reverse("indicators:year_figures", args=[plan.slug, indicator.pk, year])


def row_of(fields: dict, area_code: str | None) -> str:
    """The form prefix of the row for an area (None: the whole plan)."""
    area_pk = str(HousingArea.objects.get(code=area_code).pk) if area_code else ""
    for name, value in fields.items():
        if name.endswith("-area") and value == area_pk:
            return name.removesuffix("-area")
    raise AssertionError(f"no row for {area_code}")


def figures(plan, name: str, year: int) -> dict:
    return {
        (m.area.code if m.area else None): m.value
        for m in Measurement.objects.filter(indicator__plan=plan, indicator__name=name, year=year)
    }


@pytest.fixture
def editor(client, secretariat):
    client.force_login(secretariat)
    return client


def test_the_page_has_a_row_per_area_with_the_entered_figures(editor, plan):
    response = editor.get(url(plan, SAFETY, 2016))
    assert response.status_code == 200
    fields = form_fields(response)
    assert fields["figures-TOTAL_FORMS"] == "5"  # the whole plan and the four areas
    assert fields[f"{row_of(fields, 'motalavej')}-value"] == "58,30"
    assert fields[f"{row_of(fields, 'ringparken')}-value"] == "72,00"
    assert fields[f"{row_of(fields, None)}-value"] == ""


def test_a_reference_has_only_the_whole_plan(editor, plan):
    fields = form_fields(editor.get(url(plan, REFERENCE, 2016)))
    assert fields["figures-TOTAL_FORMS"] == "1"
    assert fields["figures-0-value"] == "72,40"


def test_new_figures_with_a_decimal_comma_and_danish_dates_are_saved(editor, plan):
    fields = form_fields(editor.get(url(plan, SAFETY, 2018)))
    motalavej, whole = row_of(fields, "motalavej"), row_of(fields, None)
    fields |= {
        f"{motalavej}-value": "72,4",
        f"{motalavej}-source_note": "Politiets tryghedsindeks",
        f"{motalavej}-measured_on": "15.01.2019",
        f"{whole}-value": "65,5",
    }
    response = editor.post(url(plan, SAFETY, 2018), fields)
    assert response.status_code == 302
    saved = Measurement.objects.get(indicator__name=SAFETY, year=2018, area__code="motalavej")
    assert saved.value == Decimal("72.4")
    assert saved.measured_on == datetime.date(2019, 1, 15)
    assert figures(plan, SAFETY, 2018)[None] == Decimal("65.5")


def test_thousands_may_be_grouped_the_danish_way(editor, plan):
    fields = form_fields(editor.get(url(plan, ARSON, 2018)))
    fields["figures-0-value"] = "11.559"
    assert editor.post(url(plan, ARSON, 2018), fields).status_code == 302
    assert figures(plan, ARSON, 2018) == {None: Decimal("11559")}


def test_changing_an_entered_figure_needs_a_reason_and_is_recorded(editor, plan, secretariat):
    fields = form_fields(editor.get(url(plan, ARSON, 2016)))
    fields["figures-0-value"] = "27"
    response = editor.post(url(plan, ARSON, 2016), fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page and 'href="#id_reason"' in page
    assert 'aria-describedby="id_reason_helptext id_reason-error"' in page
    assert figures(plan, ARSON, 2016)[None] == Decimal("28")

    fields["reason"] = "Rettet efter ny opgørelse fra brandvæsenet"
    assert editor.post(url(plan, ARSON, 2016), fields).status_code == 302
    assert figures(plan, ARSON, 2016)[None] == Decimal("27")
    record = Measurement.history.filter(indicator__name=ARSON, year=2016).latest("history_date")
    assert record.history_change_reason == "Rettet efter ny opgørelse fra brandvæsenet"
    assert record.history_user == secretariat

    page = editor.get(url(plan, ARSON, 2016)).content.decode()
    history = page[page.index('class="table table--compact history"') :]
    assert "28" in history and "27" in history
    assert "Rettet efter ny opgørelse fra brandvæsenet" in history
    assert "sekretariat" in history


def test_removing_a_figure_needs_a_reason_too(editor, plan):
    fields = form_fields(editor.get(url(plan, ARSON, 2015)))
    fields["figures-0-value"] = ""
    assert editor.post(url(plan, ARSON, 2015), fields).status_code == 200
    assert None in figures(plan, ARSON, 2015)
    fields["reason"] = "Tallet var for et andet område"
    assert editor.post(url(plan, ARSON, 2015), fields).status_code == 302
    assert figures(plan, ARSON, 2015) == {}
    record = Measurement.history.filter(indicator__name=ARSON, year=2015).latest("history_date")
    assert record.history_type == "-"
    assert record.history_change_reason == "Tallet var for et andet område"


def test_a_new_figure_needs_no_reason(editor, plan):
    fields = form_fields(editor.get(url(plan, ARSON, 2017)))
    fields["figures-0-value"] = "9"
    assert editor.post(url(plan, ARSON, 2017), fields).status_code == 302
    assert figures(plan, ARSON, 2017) == {None: Decimal("9")}


def refused(editor, plan, name, year, changes: dict) -> tuple[str, dict]:
    """Post the form with `changes` per area; assert it is refused and nothing is saved."""
    before = list(Measurement.objects.order_by("pk").values_list("pk", "value", "area"))
    fields = form_fields(editor.get(url(plan, name, year)))
    for area_code, (field, value) in changes.items():
        fields[f"{row_of(fields, area_code)}-{field}"] = value
    fields["reason"] = "Test"
    response = editor.post(url(plan, name, year), fields)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-module="error-summary"' in page
    assert list(Measurement.objects.order_by("pk").values_list("pk", "value", "area")) == before
    return page, fields


def test_a_percentage_above_100_is_refused_next_to_its_field(editor, plan):
    page, fields = refused(
        editor,
        plan,
        SAFETY,
        2018,
        {"sydbyen": ("value", "101"), "motalavej": ("value", "70")},
    )
    field_id = f"id_{row_of(fields, 'sydbyen')}-value"
    assert f'href="#{field_id}"' in page
    assert f'<span class="form-error-message" id="{field_id}-error">' in page
    assert f'aria-describedby="{field_id}-error"' in page
    assert "En procentsats kan ikke være over 100." in page


def test_a_negative_figure_is_refused(editor, plan):
    page, fields = refused(editor, plan, ARSON, 2018, {None: ("value", "-3")})
    assert "Et tal kan ikke være negativt." in page
    assert f'id="id_{row_of(fields, None)}-value-error"' in page


def test_text_that_is_not_a_number_or_a_date_is_refused(editor, plan):
    page, fields = refused(
        editor,
        plan,
        SAFETY,
        2018,
        {"motalavej": ("value", "mange"), "ringparken": ("measured_on", "31.02.2019")},
    )
    assert f'id="id_{row_of(fields, "motalavej")}-value-error"' in page
    assert f'id="id_{row_of(fields, "ringparken")}-measured_on-error"' in page
    # The message names the form a date is written in.
    assert "Skriv datoen som dd.mm.åååå, fx 1.10.2019." in page


def test_an_area_outside_the_plan_is_refused(editor, plan, make_plan):
    other_area = make_plan("en-anden-plan").areas.get()
    fields = form_fields(editor.get(url(plan, ARSON, 2018)))
    fields["figures-0-area"] = str(other_area.pk)
    fields["figures-0-value"] = "5"
    response = editor.post(url(plan, ARSON, 2018), fields)
    assert response.status_code == 200
    assert "Boligområdet er ikke en del af planen." in response.content.decode()
    assert not Measurement.objects.filter(area=other_area).exists()


def test_two_rows_for_the_same_area_are_refused(editor, plan):
    fields = form_fields(editor.get(url(plan, SAFETY, 2018)))
    motalavej, sydbyen = row_of(fields, "motalavej"), row_of(fields, "sydbyen")
    fields[f"{sydbyen}-area"] = fields[f"{motalavej}-area"]
    fields[f"{motalavej}-value"] = "60"
    fields[f"{sydbyen}-value"] = "61"
    response = editor.post(url(plan, SAFETY, 2018), fields)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert figures(plan, SAFETY, 2018) == {}


def test_more_rows_than_the_plan_has_areas_are_refused(editor, plan):
    fields = form_fields(editor.get(url(plan, ARSON, 2018)))
    fields |= {"figures-TOTAL_FORMS": "6", "figures-5-area": "", "figures-5-value": "4"}
    fields["figures-0-value"] = "3"
    response = editor.post(url(plan, ARSON, 2018), fields)
    assert response.status_code == 200
    assert figures(plan, ARSON, 2018) == {}


def test_a_source_without_a_figure_is_refused(editor, plan):
    page, fields = refused(editor, plan, ARSON, 2018, {None: ("source_note", "Brandvæsenet")})
    assert f'id="id_{row_of(fields, None)}-value-error"' in page


def test_one_bad_row_saves_none_of_the_others(editor, plan):
    refused(
        editor,
        plan,
        SAFETY,
        2019,
        {"motalavej": ("value", "70"), "ringparken": ("value", "120"), None: ("value", "65")},
    )
    assert figures(plan, SAFETY, 2019) == {}


@pytest.mark.parametrize("year", [2006, 2022, 1066])
def test_a_year_outside_the_plan_and_its_baseline_has_no_page(editor, plan, year):
    # 2007 is the first baseline year (ten years before the start), 2021 the last plan year.
    assert editor.get(url(plan, ARSON, year)).status_code == 404
    assert editor.post(url(plan, ARSON, year), {"figures-TOTAL_FORMS": "1"}).status_code == 404


@pytest.mark.parametrize("year", [2007, 2021])
def test_the_first_baseline_year_and_the_last_plan_year_have_a_page(editor, plan, year):
    assert editor.get(url(plan, ARSON, year)).status_code == 200


def test_an_indicator_of_another_plan_does_not_exist_here(editor, plan, make_plan):
    other = make_plan("en-anden-plan")
    foreign = Indicator.objects.create(plan=other, name="Fremmed", unit="count")
    response = editor.get(reverse("indicators:year_figures", args=[plan.slug, foreign.pk, 2018]))
    assert response.status_code == 404


def queries_for_edit_page(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_history_is_shown_in_a_fixed_number_of_queries(editor, plan):
    address = url(plan, SAFETY, 2018)
    fields = form_fields(editor.get(address))
    fields[f"{row_of(fields, 'motalavej')}-value"] = "60"
    editor.post(address, fields)
    once = queries_for_edit_page(editor, address)
    for value in range(61, 71):
        fields = form_fields(editor.get(address))
        for area in ("motalavej", "ringparken", "sydbyen"):
            fields[f"{row_of(fields, area)}-value"] = str(value)
        fields["reason"] = f"Rettelse {value}"
        assert editor.post(address, fields).status_code == 302
    assert Measurement.history.filter(indicator__name=SAFETY, year=2018).count() > 30
    # Session, user, plan with the role, indicator, plan areas, the year's figures and the
    # history, inside the request's savepoint.
    assert queries_for_edit_page(editor, address) == once == 9
