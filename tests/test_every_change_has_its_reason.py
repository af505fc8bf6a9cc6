"""Every change to a reported figure or to an agreement's text has a reason, on every path: the
measurement page, both sheet imports (one reason for the import, asked on its preview, kept on
each row it changed), the entry sheet, and the administration's delaftale. Each shows on the
"Ændringer" page with who changed it and why; an import's preview shows each changed cell
beside the value it replaces, and counts the unchanged rows apart."""

import io
import re

import pytest
from django.urls import reverse

from agreements.models import Role
from indicators.models import Measurement, SuccessCriterion
from tests.test_audit_history import ARSON, change_rows, criterion_changes
from tests.test_entering_yearly_figures import row_of
from tests.test_entering_yearly_figures import url as year_url
from tests.test_sheet_imports import MEASUREMENT_HEADINGS, SLUG, xlsx

from .page_forms import form_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper(client, make_user, plan):
    user = make_user("sara", Role.SECRETARIAT, plan, first_name="Sara", last_name="Holm")
    client.force_login(user)
    return user


def arson_criterion(plan) -> SuccessCriterion:
    return SuccessCriterion.objects.get(
        subagreement__plan=plan, activity__isnull=True, indicator__name=ARSON
    )


def arson_2016() -> Measurement:
    return Measurement.objects.get(indicator__name=ARSON, year=2016, area=None)


def latest_change(client, plan) -> list[str]:
    """The newest row of the arson criterion's "Ændringer" page, without the time."""
    return change_rows(client.get(criterion_changes(arson_criterion(plan))))[0][1:]


def sheet_with(rows: list[list]) -> io.BytesIO:
    return xlsx(MEASUREMENT_HEADINGS, rows)


def changed_arson_rows(value) -> list[list]:
    """A sheet that changes the arson figure of 2016 and holds a stored figure as it is."""
    unchanged = Measurement.objects.get(indicator__name=ARSON, year=2015, area=None)
    return [
        [SLUG, ARSON, 2016, "", value, arson_2016().source_note, ""],
        [SLUG, ARSON, 2015, "", unchanged.value, unchanged.source_note, ""],
    ]


def test_a_figure_changed_on_the_measurement_page_shows_with_its_reason(client, keeper, plan):
    page = year_url(plan, ARSON, 2016)
    fields = form_fields(client.get(page))
    fields |= {f"{row_of(fields, None)}-value": "27", "reason": "Brandvæsenets nye tal"}
    assert client.post(page, fields).status_code == 302
    assert latest_change(client, plan) == [
        "Sara Holm",
        "Måling: Påsatte brande, 2016, hele planen",
        "Værdi",
        "28",
        "27",
        "Brandvæsenets nye tal",
    ]


def test_the_measurement_pages_import_shows_old_and_new_and_asks_one_reason(client, keeper, plan):
    upload_url = reverse("indicators:import", args=[plan.slug])
    confirm_url = reverse("indicators:import_confirm", args=[plan.slug])
    preview = client.post(upload_url, {"sheet": sheet_with(changed_arson_rows("26,5"))})
    page = preview.content.decode()
    assert "0 nye, 1 ændrede og 1 uændrede tal." in page
    assert re.search(
        r"<del>.*?28</del> <span aria-hidden=\"true\">→</span> <ins>.*?26,5</ins>", page
    )
    # The unchanged row is counted and kept apart, not among the changes.
    main_table = page[page.index("import-preview") : page.index("</table>")]
    assert "import-update" in main_table and "import-skip" not in main_table
    fields = form_fields(preview, f'action="{confirm_url}"')
    assert fields["changes_figures"] == "True"

    refused = client.post(confirm_url, fields)
    assert "Skriv en begrundelse, når regnearket ændrer tal, der er indtastet." in (
        refused.content.decode()
    )
    assert arson_2016().value == 28
    response = client.post(confirm_url, fields | {"reason": "Brandvæsenets årsopgørelse"})
    assert response.status_code == 302
    assert latest_change(client, plan) == [
        "Sara Holm",
        "Måling: Påsatte brande, 2016, hele planen",
        "Værdi",
        "28",
        "26,5",
        "Brandvæsenets årsopgørelse",
    ]


def test_the_administrations_import_shows_old_and_new_and_asks_one_reason(client, keeper, plan):
    sheet = sheet_with(changed_arson_rows(25))
    preview = client.post(
        reverse("admin:indicators_measurement_import"),
        {"resource": "0", "format": "0", "import_file": sheet},
    )
    page = preview.content.decode()
    assert "0 nye, 1 ændrede og 1 uændrede rækker." in page
    assert "28</del>" in page and "25</ins>" in page
    assert "<td>2016</td>" in page  # a year, not a figure of 2.016
    fields = form_fields(preview, 'method="POST"')
    assert fields["changes_stored"] == "True"
    process = reverse("admin:indicators_measurement_process_import")

    refused = client.post(process, fields)
    assert refused.status_code == 200
    assert "Skriv, hvorfor importen ændrer det, der er gemt." in refused.content.decode()
    assert arson_2016().value == 28
    assert client.post(process, fields | {"change_reason": "Rettet tal"}).status_code == 302
    assert latest_change(client, plan)[3:] == ["28", "25", "Rettet tal"]
    # The unchanged row wrote nothing.
    assert Measurement.objects.get(indicator__name=ARSON, year=2015, area=None).history.count() == 0


def test_an_import_that_changes_a_figure_without_a_reason_saves_nothing(secretariat, plan):
    """Whatever the confirmation says: the import itself refuses."""
    import tablib

    from indicators.resources import MeasurementResource

    dataset = tablib.Dataset(headers=MEASUREMENT_HEADINGS)
    for row in changed_arson_rows(24):
        dataset.append(row)
    result = MeasurementResource().import_data(dataset, dry_run=False, user=secretariat)
    assert result.has_validation_errors()
    assert arson_2016().value == 28
    result = MeasurementResource().import_data(
        dataset, dry_run=False, user=secretariat, change_reason="Rettet"
    )
    assert not result.has_validation_errors()
    assert arson_2016().history.first().history_change_reason == "Rettet"


def test_a_submitted_number_changed_through_the_entry_sheet_shows_with_its_reason(
    client, coordinator_motalavej, plan
):
    from activities.grid import EntryGrid
    from activities.models import Activity
    from tests.test_audit_history import activity_changes
    from tests.test_quarter_entry_sheet import (
        QUARTER,
        confirm,
        download,
        filled,
        full_sheet,
        sheet_rows,
        upload,
    )

    client.force_login(coordinator_motalavej)
    grid = EntryGrid.load(plan, QUARTER, user=coordinator_motalavej, may_report_all=False)
    values = full_sheet(grid)
    preview = upload(client, plan, filled(download(client, plan), values))
    assert confirm(client, plan, preview, action="submit").status_code == 302

    walks = Activity.objects.get(subagreement__plan=plan, name="Tryghedsvandringer")
    key = next(
        k
        for k in sheet_rows(download(client, plan))
        if k.startswith(f"c_{walks.metrics.get().pk}_")
    )
    before = values[key]
    preview = upload(client, plan, filled(download(client, plan), {key: before + 1}))
    page = preview.content.decode()
    # Now and from the sheet, side by side (labelled for a phone, where they stack).
    assert re.search(
        rf'<td class="num"[^>]*>{before}</td><td class="num"[^>]*>{before + 1}</td>', page
    )
    assert confirm(client, plan, preview, reason="Én vandring manglede").status_code == 302
    row = change_rows(client.get(activity_changes(walks)))[0]
    assert row[1] == "koordinator-motalavej"
    assert row[2].endswith("Motalavej, 1. kvartal 2018")
    assert row[3:] == ["Antal", str(before), str(before + 1), "Én vandring manglede"]


def test_the_administrations_forms_say_in_danish_what_the_reason_is_for(client, keeper, plan):
    subagreement = plan.subagreements.get(focus_area__code="kriminalitet")
    page = client.get(
        reverse("admin:agreements_subagreement_change", args=[subagreement.pk])
    ).content.decode()
    assert "Gemmes i historikken sammen med ændringen. Skriv ikke beboeres navne." in page
    assert "Kept in the history" not in page


def test_the_administrations_history_page_is_in_danish_and_shows_a_long_text_word_by_word(
    client, keeper, plan
):
    from tests.test_audit_history import save_in_admin

    subagreement = plan.subagreements.get(focus_area__code="kriminalitet")
    url = reverse("admin:agreements_subagreement_change", args=[subagreement.pk])
    text = subagreement.problem_complex
    changed = text.replace("Hertil kommer", "Dertil kommer", 1)
    assert changed != text
    response = save_in_admin(client, url, {"problem_complex": changed}, "Sproglig rettelse")
    assert response.status_code == 302
    subagreement.budget_lbf += 1000
    subagreement._history_user = None
    subagreement.save()  # from the shell: nobody known

    page = client.get(
        reverse("admin:agreements_subagreement_history", args=[subagreement.pk])
    ).content.decode()
    for english in ("Choose a date", "Date/time", "Changed by", "Change reason", "None", "chars]"):
        assert english not in page, english
    for danish in ("Hvornår", "Hvem", "Begrundelse", "Sproglig rettelse", "ukendt"):
        assert danish in page, danish
    assert '<del><span class="sr-only">fjernet: </span>Hertil</del>' in page
    assert '<ins><span class="sr-only">tilføjet: </span>Dertil</ins>' in page


def test_a_text_changed_in_a_row_on_the_subagreements_page_needs_the_reason_too(
    client, keeper, plan
):
    """An activity's name edited among its delaftale's activities is the delaftale's text."""
    from activities.models import Activity
    from tests.test_audit_history import (
        activity_changes,
        admin_form,
        inline_index,
        save_in_admin,
    )

    walks = Activity.objects.get(subagreement__plan=plan, name="Tryghedsvandringer")
    url = reverse("admin:agreements_subagreement_change", args=[walks.subagreement_id])
    number = inline_index(admin_form(client, url), "activities", walks.pk)
    renamed = {f"activities-{number}-name": "Tryghedsvandringer i alle områder"}
    refused = save_in_admin(client, url, renamed)
    assert refused.status_code == 200
    assert "Skriv, hvorfor teksten ændres." in refused.content.decode()
    walks.refresh_from_db()
    assert walks.name == "Tryghedsvandringer"

    assert save_in_admin(client, url, renamed, "Som i den nye delaftale").status_code == 302
    row = change_rows(client.get(activity_changes(walks)))[0]
    assert row[1:] == [
        "Sara Holm",
        "Aktivitet: Tryghedsvandringer i alle områder",
        "Navn",
        "Tryghedsvandringer",
        "Tryghedsvandringer i alle områder",
        "Som i den nye delaftale",
    ]
