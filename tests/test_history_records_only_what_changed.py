"""The history tells only the truth: a save, an import or a bulk update that changes nothing
records nothing, on every path, and a change records only the fields that changed.

The saves are made as people make them: a browser sends a textarea's line breaks as CR LF, a
sheet sends a figure as 100 where 100.00 is stored, a form sends an empty text where none is
stored."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from activities.models import Activity, QuarterlyCount, QuarterReport
from agreements.models import HousingArea, Role, Subagreement
from demo.data import load_demo_data
from indicators.models import Measurement
from tests.test_audit_history import (
    ARSON,
    activity_changes,
    admin_form,
    change_rows,
    subagreement_changes,
)
from tests.test_entering_yearly_figures import row_of
from tests.test_entering_yearly_figures import url as year_url
from tests.test_sheet_imports import upload

from .page_forms import form_fields

pytestmark = pytest.mark.django_db

MEASUREMENT_COLUMNS = ["plan", "indicator", "year", "area", "value", "source_note", "measured_on"]


@pytest.fixture
def keeper(make_user, plan):
    return make_user("sara", Role.SECRETARIAT, plan, first_name="Sara", last_name="Holm")


def records(*models) -> int:
    return sum(model.history.count() for model in models)


def as_a_browser_sends(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """A browser sends the line breaks of a textarea as CR LF."""
    return {
        name: [value.replace("\n", "\r\n") for value in values] for name, values in fields.items()
    }


def save_unchanged(client, url: str):
    fields = as_a_browser_sends(admin_form(client, url))
    fields["_save"] = ["Gem"]
    return client.post(url, fields)


def test_an_unchanged_save_of_a_subagreement_in_the_administration_records_nothing(
    client, keeper, plan
):
    subagreement = Subagreement.objects.get(plan=plan, focus_area__code="kriminalitet")
    assert "\n" in subagreement.problem_complex  # text of several lines, sent back as CR LF
    client.force_login(keeper)
    url = reverse("admin:agreements_subagreement_change", args=[subagreement.pk])
    before = records(Subagreement, Activity)
    assert save_unchanged(client, url).status_code == 302
    assert records(Subagreement, Activity) == before
    subagreement.refresh_from_db()
    assert "\r" not in subagreement.problem_complex
    rows = change_rows(client.get(subagreement_changes(plan, "kriminalitet")))
    assert [row[2] for row in rows] == ["Version af en delaftale: Version 1"]


def test_an_unchanged_save_of_an_activity_with_its_inlines_records_nothing(client, keeper, plan):
    walks = Activity.objects.get(subagreement__plan=plan, name="Tryghedsvandringer")
    client.force_login(keeper)
    url = reverse("admin:activities_activity_change", args=[walks.pk])
    before = records(Activity)
    assert save_unchanged(client, url).status_code == 302
    assert records(Activity) == before
    assert change_rows(client.get(activity_changes(walks))) == [
        ["Der er endnu ikke registreret ændringer."]
    ]


def test_a_save_from_the_shell_that_changes_nothing_records_nothing(plan):
    figure = Measurement.objects.get(indicator__name=ARSON, year=2016, area=None)
    figure.save()  # a first save: the row has no history, and keeps none
    figure.value = Decimal(str(figure.value).rstrip("0").rstrip("."))  # 28 for 28.00
    figure.source_note = figure.source_note or None  # none for the empty text
    figure.save()
    assert figure.history.count() == 0

    figure.value = Decimal("29")
    figure.save()
    figure.value = Decimal("29.00")
    figure.save()
    # The change, and where the history starts: two records, whatever was saved in between.
    assert [record.history_type for record in figure.history.order_by("history_id")] == [
        "~",
        "~",
    ]
    assert figure.history.first().value == Decimal("29")


def test_a_changed_text_records_only_that_field_with_its_reason(client, keeper, plan):
    subagreement = Subagreement.objects.get(plan=plan, focus_area__code="kriminalitet")
    client.force_login(keeper)
    url = reverse("admin:agreements_subagreement_change", args=[subagreement.pk])
    fields = as_a_browser_sends(admin_form(client, url))
    fields["revision"] = [subagreement.revision + " Revideres hvert år i januar."]
    fields["_save"] = ["Gem"]
    refused = client.post(url, fields)
    assert refused.status_code == 200
    assert "Skriv, hvorfor teksten ændres." in refused.content.decode()

    fields["change_reason"] = ["Bestyrelsens beslutning 3. marts"]
    assert client.post(url, fields).status_code == 302
    rows = change_rows(client.get(subagreement_changes(plan, "kriminalitet")))
    assert [row[3] for row in rows[:-1]] == ["Revision"]  # the version is the last row
    assert rows[0][-1] == "Bestyrelsens beslutning 3. marts"
    # A long text's change is shown word by word: only what was added, with its context.
    assert "tilføjet: Revideres hvert år i januar." in rows[0][4]


def test_a_bulk_save_of_the_entry_form_records_no_report_whose_revision_alone_changed(
    client, coordinator_motalavej, plan
):
    from tests.test_quarter_entry import entry_url, filled, loaded_form

    client.force_login(coordinator_motalavej)
    data = filled(loaded_form(client, entry_url()), value="2")
    assert client.post(entry_url(), {**data, "action": "save"}).status_code == 302
    reports = QuarterReport.history.count()
    counts = QuarterlyCount.history.count()
    # The numbers change, the notes and statuses do not: the reports' revisions grow, but
    # their history does not.
    data = {
        name: ("3" if name.startswith("c_") else value)
        for name, value in loaded_form(client, entry_url()).items()
    }
    assert client.post(entry_url(), {**data, "action": "save"}).status_code == 302
    assert QuarterReport.history.count() == reports
    assert QuarterlyCount.history.count() > counts


def export_measurements(client) -> bytes:
    response = client.post(
        reverse("admin:indicators_measurement_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"measurementresource_{name}": "on" for name in MEASUREMENT_COLUMNS},
        },
    )
    assert response.status_code == 200
    return response.content


def as_upload(content: bytes, name: str = "maalinger.xlsx") -> io.BytesIO:
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer


def test_importing_the_administrations_own_export_again_records_nothing(client, secretariat, plan):
    """With the demo figures too, which a sheet used to make real by saving them again."""
    load_demo_data(plan=plan)
    client.force_login(secretariat)
    content = export_measurements(client)
    total = Measurement.objects.filter(indicator__plan=plan).count()
    before = records(Measurement)
    preview = upload(client, "admin:indicators_measurement_import", as_upload(content))
    page = preview.content.decode()
    assert f"0 nye, 0 ændrede og {total} uændrede rækker." in page
    assert 'class="update"' not in page
    fields = form_fields(preview, 'method="POST"')
    assert fields["changes_stored"] in ("", "False")  # no reason needed: nothing changes
    response = client.post(reverse("admin:indicators_measurement_process_import"), fields)
    assert response.status_code == 302
    assert records(Measurement) == before
    assert Measurement.objects.filter(indicator__plan=plan, is_demo=True).exists()


def test_importing_the_pages_own_sheet_again_records_nothing(client, secretariat, plan):
    client.force_login(secretariat)
    sheet = client.get(reverse("indicators:sheet", args=[plan.slug])).content
    before = records(Measurement)
    preview = client.post(
        reverse("indicators:import", args=[plan.slug]), {"sheet": as_upload(sheet)}
    )
    page = preview.content.decode()
    total = Measurement.objects.filter(indicator__plan=plan).count()
    assert f"0 nye, 0 ændrede og {total} uændrede tal." in page
    confirm = reverse("indicators:import_confirm", args=[plan.slug])
    client.post(confirm, form_fields(preview, f'action="{confirm}"'))
    assert records(Measurement) == before


def test_the_yearly_history_shows_no_start_and_no_change_that_is_none(client, secretariat, plan):
    """A figure loaded with the plan and then changed shows one change, from the loaded
    figure, not "unknown: (none) → 28" first; saving it unchanged adds nothing."""
    client.force_login(secretariat)
    page = year_url(plan, ARSON, 2016)
    fields = form_fields(client.get(page))
    whole = row_of(fields, None)
    fields |= {f"{whole}-value": "27", "reason": "Brandvæsenets nye tal"}
    assert client.post(page, fields).status_code == 302
    assert client.post(page, form_fields(client.get(page))).status_code == 302
    history = client.get(page).context["history"]
    assert [(change.before, change.after, change.reason) for change in history] == [
        (history[0].before, history[0].after, "Brandvæsenets nye tal")
    ]
    assert history[0].before.startswith("28") and history[0].after.startswith("27")


def test_a_sheet_read_back_from_an_export_compares_as_people_read_it(secretariat, plan):
    """100 and 100.00, an empty cell and an empty text, a date cell and the stored date."""
    import tablib

    from indicators.resources import MeasurementResource

    figure = Measurement.objects.filter(indicator__plan=plan, area__isnull=False).first()
    figure.value = Decimal("100.00")
    figure.source_note = ""
    figure.save()
    dataset = tablib.Dataset(headers=["plan", "indikator", "år", "boligområde", "værdi", "kilde"])
    dataset.append([plan.slug, figure.indicator.name, figure.year, figure.area.name, 100, None])
    result = MeasurementResource().import_data(dataset, dry_run=True, user=secretariat)
    assert [row.import_type for row in result.rows] == ["skip"]


def test_a_workbook_saved_after_editing_nothing_imports_as_unchanged(client, secretariat, plan):
    """openpyxl's own round trip of the export (as any program that opens and saves it)."""
    client.force_login(secretariat)
    book = openpyxl.load_workbook(io.BytesIO(export_measurements(client)))
    output = io.BytesIO()
    book.save(output)
    preview = upload(client, "admin:indicators_measurement_import", as_upload(output.getvalue()))
    assert 'class="update"' not in preview.content.decode()
    assert 'class="new"' not in preview.content.decode()


def test_removing_an_activity_from_an_area_and_back_records_both_but_nothing_in_between(plan):
    walks = Activity.objects.get(subagreement__plan=plan, name="Tryghedsvandringer")
    sydbyen = HousingArea.objects.get(code="sydbyen")
    walks.areas.remove(sydbyen)
    walks.save()  # nothing else changed
    walks.areas.add(sydbyen)
    # Where the history starts, the removal and the addition.
    assert walks.history.count() == 3


def test_the_empty_changes_recorded_before_are_pruned_and_the_real_ones_kept(plan):
    """`prune_unchanged_history` deletes what older saves recorded without a change."""
    from io import StringIO

    from django.core.management import call_command
    from simple_history.manager import HistoryManager

    figure = Measurement.objects.get(indicator__name=ARSON, year=2016, area=None)
    figure.value = Decimal("27")
    figure.save()  # where the history starts (28), and the change to 27
    # As simple-history used to record every save: twice 27, once as 27.00 from a sheet.
    HistoryManager.bulk_history_create(figure.history, [figure], update=True)
    figure.value = Decimal("27.00")
    HistoryManager.bulk_history_create(figure.history, [figure], update=True)
    figure.value = Decimal("26")
    figure.save()
    assert figure.history.count() == 5

    out = StringIO()
    call_command("prune_unchanged_history", "--dry-run", stdout=out)
    assert figure.history.count() == 5
    assert "indicators.Measurement: 2" in out.getvalue()
    call_command("prune_unchanged_history", stdout=StringIO())
    values = [record.value for record in figure.history.order_by("history_id")]
    assert values == [Decimal("28"), Decimal("27"), Decimal("26")]
    out = StringIO()
    call_command("prune_unchanged_history", stdout=out)
    assert out.getvalue().strip() == "0 registreringer, der ikke ændrede noget, er slettet."
