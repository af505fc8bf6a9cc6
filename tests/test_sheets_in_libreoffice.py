"""The exported sheets opened in a real spreadsheet program, LibreOffice Calc (headless), set to
Danish: it shows the numbers with a decimal comma and the dates as Danes write them, shows the
text people wrote as text rather than running it, and a file it saves again imports as
unchanged. Skipped, saying why, where LibreOffice is not installed
(tests/spreadsheet_program.py)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from indicators.models import Measurement

from .spreadsheet_program import as_shown, require_spreadsheet_program, saved_by_libreoffice
from .test_sheets_for_danish_excel import (
    ADMIN_EXPORTS,
    DATED,
    FORMULAS,
    NOTE,
    SOURCE,
    admin_export,
    as_upload,
    entry_sheet_changes_nothing,
    every_export,
    imports_unchanged,
    page_imports_unchanged,
    user_text,  # noqa: F401 (a fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.spreadsheet]
# The fixture of tests/test_sheets_for_danish_excel.py that puts formulas in people's text.
with_user_text = pytest.mark.usefixtures("user_text")


@pytest.fixture(autouse=True)
def spreadsheet_program():
    require_spreadsheet_program()


HEADINGS = ["plan", "indikator", "år", "boligområde", "værdi", "kilde", "tallets dato"]


def danish(value) -> str:
    """A figure as LibreOffice shows it in Danish with the format #,##0.00."""
    whole, _point, decimals = f"{value:,.2f}".partition(".")
    return f"{whole.replace(',', '.')},{decimals}"


def shown_column(rows: list[list[str]], heading: str) -> list[str]:
    index = rows[0].index(heading)
    return [row[index] for row in rows[1:]]


@with_user_text
def test_libreoffice_shows_the_figures_with_a_decimal_comma_and_the_dates_the_danish_way(
    client,
    secretariat,
    coordinator_motalavej,
    plan,
    tmp_path,
):
    files = every_export(client, plan, secretariat, coordinator_motalavej)
    shown = as_shown(files, tmp_path)
    stored = [
        danish(value)
        for value in Measurement.objects.filter(indicator__plan=plan)
        .order_by("indicator__name", "year", "area__name")
        .values_list("value", flat=True)
    ]
    for name in ("measurements.xlsx", "page.xlsx"):
        rows = shown[name]
        assert rows[0] == [
            "plan",
            "indikator",
            "år",
            "boligområde",
            "værdi",
            "kilde",
            "tallets dato",
        ]
        values = shown_column(rows, "værdi")
        assert sorted(values) == sorted(stored)
        assert "17,59" in values  # 18-29-åriges andel uden beskæftigelse, Motalavej, 2011
        assert DATED.strftime("%d.%m.%Y") in shown_column(rows, "tallets dato")
        assert all(year.isdigit() for year in shown_column(rows, "år"))  # 2017, never 2.017
    positions = shown_column(shown["activities.xlsx"], "nummer")
    assert positions and all(position.isdigit() for position in positions)


@with_user_text
def test_libreoffice_shows_text_people_wrote_as_text_and_runs_none_of_it(
    client,
    secretariat,
    coordinator_motalavej,
    plan,
    tmp_path,
):
    shown = as_shown(every_export(client, plan, secretariat, coordinator_motalavej), tmp_path)
    activity = next(row for row in shown["activities.xlsx"] if row[3] == "Tryghedsvandringer")
    for text in FORMULAS.values():
        assert text in activity  # "=1+1" as written, not 2
    assert "2" not in activity
    assert any(SOURCE in row for row in shown["measurements.xlsx"])
    assert any(SOURCE in row for row in shown["page.xlsx"])
    assert any(NOTE in row for row in shown["entry.xlsx"])


@with_user_text
def test_every_sheet_saved_again_by_libreoffice_imports_as_unchanged(
    client,
    secretariat,
    coordinator_motalavej,
    plan,
    tmp_path,
):
    files = every_export(client, plan, secretariat, coordinator_motalavej)
    saved = saved_by_libreoffice(files, tmp_path)
    assert all(content != files[name] for name, content in saved.items())  # really rewritten
    client.force_login(secretariat)
    for kind in ADMIN_EXPORTS:
        assert imports_unchanged(client, kind, saved[f"{kind}.xlsx"]), kind
    assert page_imports_unchanged(client, plan, saved["page.xlsx"])
    client.force_login(coordinator_motalavej)
    assert entry_sheet_changes_nothing(client, plan, saved["entry.xlsx"])


def test_a_figure_changed_in_a_sheet_saved_by_libreoffice_is_read_as_the_number_it_is(
    client, secretariat, plan, tmp_path
):
    """A sheet a person edits: LibreOffice saves a changed figure as a number, and the
    preview shows it beside the figure it replaces."""
    client.force_login(secretariat)
    book = openpyxl.load_workbook(io.BytesIO(admin_export(client, "measurements").content))
    sheet = book.active
    sheet["E2"].value = 18.25  # was 17,59
    output = io.BytesIO()
    book.save(output)
    saved = saved_by_libreoffice({"maalinger.xlsx": output.getvalue()}, tmp_path)
    preview = client.post(
        reverse("admin:indicators_measurement_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": as_upload(saved["maalinger.xlsx"], "maalinger.xlsx"),
        },
    )
    page = preview.content.decode()
    assert "0 nye, 1 ændrede og " in page
    assert "17,59</del>" in page and "18,25</ins>" in page
