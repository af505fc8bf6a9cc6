"""xlsx import through the admin: a preview first, errors named by row, all or nothing."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from activities.models import Activity
from indicators.models import Measurement, SuccessCriterion
from indicators.resources import MeasurementResource

pytestmark = pytest.mark.django_db

MEASUREMENT_HEADINGS = ["plan", "indikator", "år", "boligområde", "værdi", "kilde", "tallets dato"]
SLUG = "slagelse-2017-2021"


def xlsx(headings: list[str], rows: list[list]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "maalinger.xlsx"
    return buffer


def upload(client, url_name: str, sheet: io.BytesIO):
    return client.post(reverse(url_name), {"resource": "0", "format": "0", "import_file": sheet})


def confirm(client, url_name: str, preview) -> None:
    """Submit the preview's confirmation form, as the 'Confirm import' button does."""
    page = preview.content.decode()
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    data = {
        key: fields[key]
        for key in ("import_file_name", "original_file_name", "format", "resource")
        if key in fields
    }
    return client.post(reverse(url_name.replace("_import", "_process_import")), data)


GOOD_ROWS = [
    [SLUG, "Påsatte brande", 2017, "", 13, "Slagelse Brand og Redning", "15.01.2018"],
    [SLUG, "Generel tryghed (politiets tryghedsmåling)", 2017, "Motalavej", "61,5", "Politiet", ""],
]


def test_a_good_sheet_is_previewed_then_saved_on_confirmation(client, secretariat):
    client.force_login(secretariat)
    before = Measurement.objects.count()
    preview = upload(
        client, "admin:indicators_measurement_import", xlsx(MEASUREMENT_HEADINGS, GOOD_ROWS)
    )
    assert preview.status_code == 200
    assert "Bekræft import" in preview.content.decode()
    assert Measurement.objects.count() == before  # the preview saves nothing

    confirm(client, "admin:indicators_measurement_import", preview)
    assert Measurement.objects.count() == before + 2
    saved = Measurement.objects.get(
        indicator__name="Generel tryghed (politiets tryghedsmåling)", year=2017
    )
    assert saved.value == Decimal("61.5")
    assert saved.area.code == "motalavej"
    assert (
        Measurement.objects.get(indicator__name="Påsatte brande", year=2017).measured_on.isoformat()
        == "2018-01-15"
    )


def test_a_sheet_with_a_bad_row_writes_nothing_and_names_the_row(client, secretariat):
    client.force_login(secretariat)
    before = list(Measurement.objects.order_by("pk").values_list("pk", "value"))
    rows = GOOD_ROWS + [
        [SLUG, "Generel tryghed (politiets tryghedsmåling)", 2018, "Nørrebro", "70", "", ""],
        [SLUG, "Generel tryghed (politiets tryghedsmåling)", 2018, "Sydbyen", "120", "", ""],
    ]
    preview = upload(
        client, "admin:indicators_measurement_import", xlsx(MEASUREMENT_HEADINGS, rows)
    )
    page = preview.content.decode()
    assert "Bekræft import" not in page  # no way to go on with a bad sheet
    assert "Boligområdet &#x27;Nørrebro&#x27; er ikke en del af planen." in page
    assert "En procentsats kan ikke være over 100." in page
    # Rows 4 and 5 of the sheet (the headings are row 1).
    assert re.search(r"<th scope=\"row\">4</th>", page)
    assert re.search(r"<th scope=\"row\">5</th>", page)
    assert list(Measurement.objects.order_by("pk").values_list("pk", "value")) == before


def test_the_resource_rolls_back_every_row_when_one_is_invalid(secretariat):
    import tablib

    dataset = tablib.Dataset(headers=MEASUREMENT_HEADINGS)
    for row in GOOD_ROWS:
        dataset.append(row)
    dataset.append([SLUG, "Påsatte brande", 2018, "", "-3", "", ""])
    before = Measurement.objects.count()
    result = MeasurementResource().import_data(dataset, dry_run=False, user=secretariat)
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [3]
    assert Measurement.objects.count() == before


def test_a_duplicate_row_in_one_sheet_is_refused(secretariat):
    import tablib

    dataset = tablib.Dataset(headers=MEASUREMENT_HEADINGS)
    dataset.append([SLUG, "Påsatte brande", 2015, "", "16", "", ""])  # 2015 is already 15
    result = MeasurementResource().import_data(dataset, dry_run=True, user=secretariat)
    # An existing row is updated, not duplicated: the sheet is the way to correct a figure.
    assert not result.has_validation_errors()
    assert result.rows[0].import_type == "update"


def test_a_sheet_cannot_reach_a_plan_the_user_does_not_keep(client, secretariat, make_plan):
    other = make_plan("en-anden-plan")
    client.force_login(secretariat)
    rows = [[other.slug, "Noget", 2023, "", 1, "", ""]]
    page = upload(
        client, "admin:indicators_measurement_import", xlsx(MEASUREMENT_HEADINGS, rows)
    ).content.decode()
    assert "Ukendt plan &#x27;en-anden-plan&#x27;, eller du er ikke sekretariat for den." in page


@pytest.mark.parametrize("role_fixture", ["board_member", "coordinator_motalavej", "lbf_user"])
def test_only_those_who_may_change_the_data_may_import(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    before = Measurement.objects.count()
    response = upload(
        client, "admin:indicators_measurement_import", xlsx(MEASUREMENT_HEADINGS, GOOD_ROWS)
    )
    assert response.status_code == 403
    assert Measurement.objects.count() == before


def read_export(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_activities_export_to_a_sheet_and_import_back_unchanged(client, secretariat, plan):
    client.force_login(secretariat)
    response = client.post(
        reverse("admin:activities_activity_export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"activityresource_{name}": "on"
                for name in (
                    "plan",
                    "subagreement",
                    "position",
                    "name",
                    "content",
                    "purpose",
                    "target_groups",
                    "responsibility",
                    "cfbu_recommended",
                    "cfbu_note",
                    "municipality_responsible",
                    "areas",
                )
            },
        },
    )
    assert response.status_code == 200
    rows = read_export(response)
    assert rows[0][:4] == ["plan", "indsatsområde", "nummer", "navn"]
    assert len(rows) == 12  # the headings and the eleven activities
    fritidsjob = next(row for row in rows if row[3] == "Fritidsjobindsats")
    assert fritidsjob[1] == "kriminalitet"
    assert fritidsjob[8] == "ja"

    before = {
        a.pk: (a.name, a.content, set(a.areas.values_list("pk", flat=True)))
        for a in Activity.objects.all()
    }
    sheet = xlsx(rows[0], rows[1:])
    preview = upload(client, "admin:activities_activity_import", sheet)
    assert "Bekræft import" in preview.content.decode()
    confirm(client, "admin:activities_activity_import", preview)
    after = {
        a.pk: (a.name, a.content, set(a.areas.values_list("pk", flat=True)))
        for a in Activity.objects.all()
    }
    assert after == before


def test_an_activity_sheet_naming_an_area_outside_the_plan_is_refused(client, secretariat):
    client.force_login(secretariat)
    headings = ["plan", "indsatsområde", "nummer", "navn", "boligområder"]
    rows = [[SLUG, "tryghed", 9, "Ny aktivitet", "Motalavej; Vollsmose"]]
    before = Activity.objects.count()
    page = upload(client, "admin:activities_activity_import", xlsx(headings, rows)).content.decode()
    assert "Boligområdet &#x27;Vollsmose&#x27; er ikke en del af planen." in page
    assert Activity.objects.count() == before


def test_criteria_export_and_a_new_criterion_is_imported(client, secretariat, plan):
    client.force_login(secretariat)
    headings = [
        "plan",
        "indsatsområde",
        "nummer",
        "aktivitet",
        "succeskriterium",
        "datakilde",
        "art",
    ]
    rows = [
        [
            SLUG,
            "tryghed",
            99,
            "Bydelsforældre",
            "Mindst 10 fædre deltager",
            "Egne registreringer",
            "vurderes af mennesker",
        ]
    ]
    preview = upload(client, "admin:indicators_successcriterion_import", xlsx(headings, rows))
    assert "Bekræft import" in preview.content.decode(), preview.content.decode()
    confirm(client, "admin:indicators_successcriterion_import", preview)
    criterion = SuccessCriterion.objects.get(subagreement__plan=plan, position=99)
    assert criterion.activity.name == "Bydelsforældre"
    assert criterion.kind == "qualitative"


def test_a_criterion_without_a_data_source_is_refused(client, secretariat):
    client.force_login(secretariat)
    headings = ["plan", "indsatsområde", "nummer", "succeskriterium", "datakilde"]
    rows = [[SLUG, "tryghed", 98, "Uden kilde", ""]]
    before = SuccessCriterion.objects.count()
    page = upload(
        client, "admin:indicators_successcriterion_import", xlsx(headings, rows)
    ).content.decode()
    assert "Bekræft import" not in page
    assert SuccessCriterion.objects.count() == before
