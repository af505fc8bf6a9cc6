"""Every sheet the application exports is written for Danish Excel and LibreOffice: numbers are
number cells and dates date cells, with number formats the program shows with the reader's
own separators; the sheet, the columns and the file are named in Danish with the plan and the
day; the headings are frozen and the columns as wide as what they hold; text from people is
text, never a formula; and the sheet imported again unchanged changes nothing.

The five exports: the administration's activities, success criteria and measurements, the
measurement page's sheet, and the coordinator's entry sheet. tests/test_sheets_in_libreoffice.py
opens the same files in a real spreadsheet program."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, QuarterReport
from activities.resources import ActivityResource
from agreements.models import HousingArea
from indicators.models import Measurement
from indicators.resources import CriterionResource, MeasurementResource

from .page_forms import form_fields

pytestmark = pytest.mark.django_db

# Text a spreadsheet would run, or take for a formula when the cell is edited.
FORMULAS = {
    "cfbu_note": "=1+1",
    "target_groups": "+45 12 34 56 78",
    "responsibility": "-3 beboere i bestyrelsen",
    "purpose": "@SUM(A1:A2)",
}
NOTE = '=HYPERLINK("http://eksempel.dk";"Klik her")'
SOURCE = "=2+3 (kilde)"
DATED = datetime.date(2018, 1, 15)

ADMIN_EXPORTS = {
    # kind: (admin name, resource, file name, sheet name)
    "activities": ("activities_activity", ActivityResource, "aktiviteter", "Aktiviteter"),
    "criteria": (
        "indicators_successcriterion",
        CriterionResource,
        "succeskriterier",
        "Succeskriterier",
    ),
    "measurements": ("indicators_measurement", MeasurementResource, "maalinger", "Målinger"),
}


@pytest.fixture
def user_text(plan, coordinator_motalavej):
    """What people wrote that a spreadsheet would run: in an activity's schema, a figure's
    source and a report's note; and a figure with a date."""
    walks = Activity.objects.get(subagreement__plan=plan, name="Tryghedsvandringer")
    for field, text in FORMULAS.items():
        setattr(walks, field, text)
    walks.save()
    figure = Measurement.objects.filter(indicator__plan=plan, area__isnull=False).first()
    figure.source_note = SOURCE
    figure.measured_on = DATED
    figure.save()
    QuarterReport.objects.create(
        activity=walks,
        area=HousingArea.objects.get(code="motalavej"),
        year=2018,
        quarter=1,
        note=NOTE,
    )
    return {"activity": walks, "figure": figure}


def admin_export(client, kind: str):
    name, resource, _file, _sheet = ADMIN_EXPORTS[kind]
    prefix = resource.__name__.lower()
    response = client.post(
        reverse(f"admin:{name}_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"{prefix}_{field}": "on" for field in resource._meta.fields},
        },
    )
    assert response.status_code == 200
    return response


def page_sheet(client, plan):
    response = client.get(reverse("indicators:sheet", args=[plan.slug]))
    assert response.status_code == 200
    return response


def entry_sheet(client, plan):
    response = client.get(
        reverse("activities:entry_sheet", kwargs={"plan": plan.slug, "quarter": "2018K1"})
    )
    assert response.status_code == 200
    return response


def every_export(client, plan, secretariat, coordinator) -> dict[str, bytes]:
    """Each sheet the application exports, by a file name of its kind."""
    client.force_login(secretariat)
    files = {f"{kind}.xlsx": admin_export(client, kind).content for kind in ADMIN_EXPORTS}
    files["page.xlsx"] = page_sheet(client, plan).content
    client.force_login(coordinator)
    files["entry.xlsx"] = entry_sheet(client, plan).content
    return files


def cells(content: bytes, sheet: str | None = None) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in (book[sheet] if sheet else book.active).iter_rows()]


def column(rows: list[list], heading: str) -> list:
    """The cells under a heading in the first row."""
    index = [cell.value for cell in rows[0]].index(heading)
    return [row[index] for row in rows[1:]]


def as_upload(content: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer


def today() -> str:
    return timezone.localdate().isoformat()


@pytest.mark.parametrize("kind", ADMIN_EXPORTS)
def test_the_administrations_exports_are_named_in_danish_and_laid_out_for_reading(
    client, secretariat, plan, kind
):
    _name, _resource, file_name, sheet_name = ADMIN_EXPORTS[kind]
    client.force_login(secretariat)
    response = admin_export(client, kind)
    assert response["Content-Disposition"] == (
        f'attachment; filename="{file_name}-{plan.slug}-{today()}.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [sheet_name]
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert all(cell.font.b for cell in sheet[1])
    assert sheet["A1"].value == "plan"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
    assert all(8 <= width <= 62 for width in widths) and len(set(widths)) > 1


def test_the_measurements_numbers_are_numbers_and_their_dates_dates(
    client, secretariat, plan, user_text
):
    client.force_login(secretariat)
    for response in (admin_export(client, "measurements"), page_sheet(client, plan)):
        rows = cells(response.content)
        values = [cell for cell in column(rows, "værdi") if cell.value is not None]
        assert values and all(cell.data_type == "n" for cell in values)
        assert {cell.number_format for cell in values} == {"#,##0.00"}
        years = column(rows, "år")
        assert all(isinstance(cell.value, int) and cell.number_format == "0" for cell in years)
        dates = [cell for cell in column(rows, "tallets dato") if cell.value is not None]
        assert [cell.value.date() for cell in dates] == [DATED]
        assert dates[0].is_date and dates[0].number_format == "dd.mm.yyyy"


def test_the_measurement_pages_sheet_is_named_for_the_plan_and_the_day(client, secretariat, plan):
    client.force_login(secretariat)
    response = page_sheet(client, plan)
    assert response["Content-Disposition"] == (
        f'attachment; filename="maalinger-{plan.slug}-{today()}.xlsx"'
    )
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == ["Målinger"]


def test_the_entry_sheets_numbers_are_numbers_and_its_name_says_the_quarter_and_the_day(
    client, coordinator_motalavej, plan, user_text
):
    client.force_login(coordinator_motalavej)
    response = entry_sheet(client, plan)
    assert response["Content-Disposition"] == (
        f'attachment; filename="indberetning-{plan.slug}-2018K1-{today()}.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Indberetning", "helhedsplan"]
    sheet = book["Indberetning"]
    assert sheet.freeze_panes == "E5"  # the headings and the columns that say what a row is
    assert all(cell.font.b for cell in sheet[4] if cell.value)


def test_text_from_people_is_text_never_a_formula(
    client, secretariat, coordinator_motalavej, plan, user_text
):
    files = every_export(client, plan, secretariat, coordinator_motalavej)
    found = {}
    for name, content in files.items():
        for row in cells(content):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.data_type == "s", (name, cell.coordinate, cell.value)
                    assert cell.quotePrefix, (name, cell.coordinate, cell.value)
                    found.setdefault(name, set()).add(cell.value)
    assert found["activities.xlsx"] >= set(FORMULAS.values())
    assert SOURCE in found["measurements.xlsx"] and SOURCE in found["page.xlsx"]
    assert NOTE in found["entry.xlsx"]
    # Nothing anywhere is a formula.
    for content in files.values():
        assert b"<f>" not in zipped_sheets(content)


def zipped_sheets(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(
            archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")
        )


def test_numbers_typed_by_people_stay_numbers(client, coordinator_motalavej, plan):
    """The entry sheet's counts, last quarter's and the year so far are number cells."""
    from tests.test_quarter_entry import entry_url, filled, loaded_form

    client.force_login(coordinator_motalavej)
    data = filled(loaded_form(client, entry_url()), value="1200")
    assert client.post(entry_url(), {**data, "action": "save"}).status_code == 302
    rows = cells(entry_sheet(client, plan).content, "Indberetning")
    counts = [row[4] for row in rows[4:] if str(row[8].value or "").startswith("c_")]
    assert counts and all(cell.value == 1200 and cell.data_type == "n" for cell in counts)
    assert {cell.number_format for cell in counts} == {"#,##0"}
    year_so_far = [row[6] for row in rows[4:] if str(row[8].value or "").startswith("c_")]
    assert all(cell.data_type == "n" for cell in year_so_far if cell.value is not None)


def imports_unchanged(client, kind: str, content: bytes) -> bool:
    name = ADMIN_EXPORTS[kind][0]
    preview = client.post(
        reverse(f"admin:{name}_import"),
        {"resource": "0", "format": "0", "import_file": as_upload(content, f"{kind}.xlsx")},
    )
    page = preview.content.decode()
    assert "Bekræft import" in page, page
    return bool(re.search(r"0 nye, 0 ændrede og \d+ uændrede rækker", page))


def page_imports_unchanged(client, plan, content: bytes) -> bool:
    preview = client.post(
        reverse("indicators:import", args=[plan.slug]),
        {"sheet": as_upload(content, "maalinger.xlsx")},
    )
    return bool(re.search(r"0 nye, 0 ændrede og \d+ uændrede tal", preview.content.decode()))


def entry_sheet_changes_nothing(client, plan, content: bytes) -> bool:
    preview = client.post(
        reverse("activities:entry_upload", kwargs={"plan": plan.slug, "quarter": "2018K1"}),
        {"sheet": as_upload(content, "indberetning.xlsx")},
    )
    page = preview.content.decode()
    assert "sheet_data" in form_fields(preview), page
    return "Regnearket ændrer ingen tal." in page and "Status og bemærkninger" not in page


def test_every_export_imported_again_unchanged_changes_nothing(
    client, secretariat, coordinator_motalavej, plan, user_text
):
    files = every_export(client, plan, secretariat, coordinator_motalavej)
    client.force_login(secretariat)
    for kind in ADMIN_EXPORTS:
        assert imports_unchanged(client, kind, files[f"{kind}.xlsx"]), kind
    assert page_imports_unchanged(client, plan, files["page.xlsx"])
    client.force_login(coordinator_motalavej)
    assert entry_sheet_changes_nothing(client, plan, files["entry.xlsx"])


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_of_text_that_starts_as_a_formula_is_written_as_text(start):
    """Each start a spreadsheet reads as a formula (a tab or CR too, which CSV-saving programs
    strip to leave what follows), in a cell of any kind of column."""
    from lib.sheets import Column, write_table

    text = f"{start}SUM(A1:A9)"
    content = write_table(
        title="Prøve", columns=[Column("tekst"), Column("tal", "number")], rows=[[text, text]]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    for cell in sheet[2]:
        # XML reads a CR back as a line break: still the text, never a formula.
        assert cell.value == text.replace("\r", "\n"), cell.coordinate
        assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert b"<f>" not in zipped_sheets(content)
