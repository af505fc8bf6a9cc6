"""Hostile sheets through every real upload path: the coordinator's entry sheet, the
measurement import page and the administration's imports.

A workbook of a few kilobytes can stand for a huge sheet: its `<dimension>` may claim 16,384
columns, which import-export's reader pads every row to, or it may hold one cell at row
1,048,576, up to which openpyxl creates every cell. Each such sheet, a zip bomb and an XML
entity bomb is built as real xlsx bytes (written by openpyxl, then its XML rewritten inside
the zip) and must be refused in Danish at the form field, save nothing, and cost little time
and memory in this very process. Two rows for the same thing are refused naming both rows,
and a cell no number can be read from is refused in a plain sentence, never with the text of
an exception.
"""

from __future__ import annotations

import decimal
import io
import re
import time
import tracemalloc
import zipfile
from collections.abc import Callable

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Activity
from indicators.models import Measurement, SuccessCriterion
from indicators.resources import MeasurementResource
from lib import uploads
from lib.sheets import DanishDecimalWidget
from tests.test_quarter_entry_sheet import (
    KEY_COLUMN,
    SHEET,
    VALUE_COLUMN,
    download,
    sheet_rows,
    stored_state,
    upload_url,
)
from tests.test_security import BILLION_LAUGHS, ZIP_BOMB
from tests.test_sheet_imports import GOOD_ROWS, MEASUREMENT_HEADINGS, SLUG, xlsx

pytestmark = pytest.mark.django_db

SAFETY = "Generel tryghed (politiets tryghedsmåling)"
ACTIVITY_HEADINGS = ["plan", "indsatsområde", "nummer", "navn"]
CRITERION_HEADINGS = ["plan", "indsatsområde", "nummer", "succeskriterium", "datakilde"]
# Each admin import: its model and the headings and a good row of a sheet for it.
ADMIN_IMPORTS = {
    "admin:indicators_measurement_import": (Measurement, MEASUREMENT_HEADINGS, GOOD_ROWS[0]),
    "admin:activities_activity_import": (
        Activity,
        ACTIVITY_HEADINGS,
        [SLUG, "tryghed", 9, "Ny aktivitet"],
    ),
    "admin:indicators_successcriterion_import": (
        SuccessCriterion,
        CRITERION_HEADINGS,
        [SLUG, "tryghed", 98, "Et nyt kriterium", "Egne registreringer"],
    ),
}
TOO_LARGE = "Arket er større end"
MAX_SECONDS = 5
MAX_MEGABYTES = 100


# Building the bombs


def with_parts(content: bytes, parts: dict[str, bytes]) -> bytes:
    """The workbook with these parts of its zip archive replaced, or added."""
    result = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as original,
        zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in original.infolist():
            if item.filename not in parts:
                copy.writestr(item, original.read(item.filename))
        for name, data in parts.items():
            copy.writestr(name, data)
    return result.getvalue()


def first_sheet(content: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    """The workbook with the XML of its first sheet edited: the only sheet of an import, the
    entry sheet of a download."""
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read(part)
    return with_parts(content, {part: edit(xml)})


def last_row(xml: bytes) -> int:
    return int(re.search(rb'<dimension ref="[A-Z]+[0-9]+:[A-Z]+([0-9]+)"', xml).group(1))


def dimension_claim(content: bytes) -> bytes:
    """The sheet claims A1:XFD500, and empty rows up to 500 are there to be padded."""

    def edit(xml: bytes) -> bytes:
        empty_rows = b"".join(b'<row r="%d"/>' % n for n in range(last_row(xml) + 1, 501))
        xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD500"', xml)
        return xml.replace(b"</sheetData>", empty_rows + b"</sheetData>")

    return first_sheet(content, edit)


def far_cell_at_row_1048576(content: bytes) -> bytes:
    """One cell at the last row Excel has; the sheet's dimension does not mention it."""
    cell = b'<row r="1048576"><c r="A1048576" t="n"><v>1</v></c></row>'
    return first_sheet(content, lambda xml: xml.replace(b"</sheetData>", cell + b"</sheetData>"))


def far_cell_in_column_xfd(content: bytes) -> bytes:
    """One cell in the last column Excel has, on the row after the last."""

    def edit(xml: bytes) -> bytes:
        row = last_row(xml) + 1
        cell = b'<row r="%d"><c r="XFD%d" t="n"><v>1</v></c></row>' % (row, row)
        return xml.replace(b"</sheetData>", cell + b"</sheetData>")

    return first_sheet(content, edit)


def zip_bomb(content: bytes) -> bytes:
    return with_parts(content, dict([ZIP_BOMB]))


def entity_bomb(content: bytes) -> bytes:
    return first_sheet(content, lambda xml: BILLION_LAUGHS)


UNREADABLE = object()  # each path says in its own words that the file is no workbook
BOMBS = {
    "dimension A1:XFD500": (dimension_claim, TOO_LARGE),
    "a cell at row 1,048,576": (far_cell_at_row_1048576, TOO_LARGE),
    "a cell in column XFD": (far_cell_in_column_xfd, TOO_LARGE),
    "zip bomb": (zip_bomb, "Regnearket fylder mere end 50 MB, når det pakkes ud"),
    "billion laughs": (entity_bomb, UNREADABLE),
}


def measured(post: Callable):
    """The response of `post`, with the seconds it took and the peak of the memory Python
    allocated meanwhile, in MB."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = post()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    print(f"{seconds:.2f} s, {peak:.1f} MB")  # shown with -s: the figures behind the bounds
    return response, seconds, peak


def assert_bounded(seconds: float, peak: float) -> None:
    assert seconds < MAX_SECONDS
    assert peak < MAX_MEGABYTES


def sheet_bytes(workbook: openpyxl.Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# Every bomb through every path


@pytest.fixture
def entry_sheet(client, plan, coordinator_motalavej) -> bytes:
    """The coordinator's entry sheet as downloaded, the coordinator logged in."""
    client.force_login(coordinator_motalavej)
    return sheet_bytes(download(client, plan))


@pytest.mark.parametrize("bomb", BOMBS)
def test_the_entry_sheet_refuses_each_bomb_quickly(client, plan, entry_sheet, bomb):
    build, message = BOMBS[bomb]
    before = stored_state()
    sheet = SimpleUploadedFile("indberetning.xlsx", build(entry_sheet))

    response, seconds, peak = measured(lambda: client.post(upload_url(plan), {"sheet": sheet}))

    if message is UNREADABLE:
        message = "Filen er ikke et Excel-regneark (xlsx)."
    assert message in " ".join(response.context["upload"].errors["sheet"])
    assert "sheet_data" not in response.context
    assert stored_state() == before
    assert_bounded(seconds, peak)


@pytest.mark.parametrize("bomb", BOMBS)
def test_the_measurement_import_page_refuses_each_bomb_quickly(client, plan, secretariat, bomb):
    client.force_login(secretariat)
    build, message = BOMBS[bomb]
    before = list(Measurement.objects.order_by("pk").values_list("pk", "value"))
    content = build(xlsx(MEASUREMENT_HEADINGS, GOOD_ROWS).getvalue())
    sheet = SimpleUploadedFile("maalinger.xlsx", content)

    response, seconds, peak = measured(
        lambda: client.post(reverse("indicators:import", args=[plan.slug]), {"sheet": sheet})
    )

    if message is UNREADABLE:
        message = "Filen kunne ikke læses som en Excel-projektmappe."
    assert message in " ".join(response.context["form"].errors["sheet"])
    assert 'id="id_sheet-error"' in response.content.decode()
    assert 'name="token"' not in response.content.decode()
    assert list(Measurement.objects.order_by("pk").values_list("pk", "value")) == before
    assert_bounded(seconds, peak)


@pytest.mark.parametrize("url_name", ADMIN_IMPORTS)
@pytest.mark.parametrize("bomb", BOMBS)
def test_each_admin_import_refuses_each_bomb_quickly(client, secretariat, url_name, bomb):
    client.force_login(secretariat)
    model, headings, row = ADMIN_IMPORTS[url_name]
    build, message = BOMBS[bomb]
    before = model.objects.count()
    sheet = io.BytesIO(build(xlsx(headings, [row]).getvalue()))
    sheet.name = "ark.xlsx"

    response, seconds, peak = measured(
        lambda: client.post(
            reverse(url_name), {"resource": "0", "format": "0", "import_file": sheet}
        )
    )

    if message is UNREADABLE:
        message = "Filen kunne ikke læses som en Excel-projektmappe."
    assert message in " ".join(response.context["form"].errors["import_file"])
    assert "Bekræft import" not in response.content.decode()
    assert model.objects.count() == before
    assert_bounded(seconds, peak)


def test_a_good_sheet_of_each_kind_still_passes_the_bounds(client, secretariat):
    client.force_login(secretariat)
    for url_name, (_model, headings, row) in ADMIN_IMPORTS.items():
        sheet = io.BytesIO(xlsx(headings, [row]).getvalue())
        sheet.name = "ark.xlsx"
        response = client.post(
            reverse(url_name), {"resource": "0", "format": "0", "import_file": sheet}
        )
        assert "Bekræft import" in response.content.decode(), url_name


# The reader itself


def test_the_reader_gives_exactly_the_bounds_and_counts_cells_without_references():
    content = xlsx(["a", "b"], [[1, 2]]).getvalue()
    assert uploads.read_sheets(content, max_rows=3, max_columns=4) == {
        "Sheet": [("a", "b", None, None), (1, 2, None, None)]
    }
    # Cells without a reference follow the one before: the fifth is in column E.
    unreferenced = first_sheet(
        content,
        lambda xml: xml.replace(
            b"</sheetData>", b"<row>" + b"<c><v>1</v></c>" * 5 + b"</row></sheetData>"
        ),
    )
    with pytest.raises(uploads.UploadTooLarge):
        uploads.read_sheets(unreferenced, max_rows=3, max_columns=4)


def test_a_workbook_of_more_than_1000_parts_is_refused():
    content = with_parts(
        xlsx(["a"], []).getvalue(), {f"xl/media/part{n}.bin": b"" for n in range(1000)}
    )
    with pytest.raises(uploads.UploadTooLarge, match="består af mere end 1000 dele"):
        uploads.read_sheets(content, max_rows=10, max_columns=5)


@pytest.mark.parametrize(
    "parts",
    [
        # Worksheets the workbook does not even name, each within bounds, but many.
        {
            f"xl/worksheets/extra{n}.xml": b"<worksheet><sheetData>"
            + b'<row r="1"/>' * 100
            + b"</sheetData></worksheet>"
            for n in range(500)
        },
        {"xl/sharedStrings.xml": b"<sst>" + b"<si><t>x</t></si>" * 20_000 + b"</sst>"},
        {
            "xl/styles.xml": b"<styleSheet><cellXfs>"
            + b"<xf/>" * 30_000
            + b"</cellXfs></styleSheet>"
        },
    ],
    ids=["extra worksheets", "shared strings", "styles"],
)
def test_parts_holding_far_more_xml_than_such_a_sheet_needs_are_refused(parts):
    # openpyxl parses every part it reads whole: 48 MB of styles took it 15 s and 800 MB.
    content = with_parts(xlsx(["a"], []).getvalue(), parts)
    with pytest.raises(uploads.UploadTooLarge, match="Arket er større end 10 rækker og 5 kolonner"):
        uploads.read_sheets(content, max_rows=10, max_columns=5)


# Two rows for the same thing


def test_the_entry_sheet_refuses_a_line_of_the_form_twice(client, plan, coordinator_motalavej):
    client.force_login(coordinator_motalavej)
    workbook = download(client, plan)
    first = next(iter(sheet_rows(workbook).values()))
    sheet = workbook[SHEET]
    again = sheet.max_row + 1
    for column in range(1, KEY_COLUMN + 1):
        sheet.cell(row=again, column=column, value=sheet.cell(row=first, column=column).value)
    sheet.cell(row=again, column=VALUE_COLUMN, value=7)
    before = stored_state()

    response = client.post(
        upload_url(plan),
        {"sheet": SimpleUploadedFile("indberetning.xlsx", sheet_bytes(workbook))},
    )

    assert response.context["upload"].errors["sheet"] == [
        f"Række {first} og {again} i arket er den samme linje i formularen. "
        "Slet den ene, eller hent arket igen."
    ]
    assert stored_state() == before


def test_the_measurement_import_page_refuses_a_figure_twice(client, plan, secretariat):
    client.force_login(secretariat)
    rows = [
        [SLUG, SAFETY, 2018, "Motalavej", "60", "", ""],
        [SLUG, "Påsatte brande", 2018, "", "3", "", ""],
        [SLUG, SAFETY, 2018, "motalavej", "61", "", ""],
    ]
    page = client.post(
        reverse("indicators:import", args=[plan.slug]),
        {"sheet": xlsx(MEASUREMENT_HEADINGS, rows)},
    ).content.decode()
    assert "Række 2 og 4 i arket gælder begge samme indikator, år og boligområde." in page
    assert 'href="#row-4"' in page and 'name="token"' not in page
    assert not Measurement.objects.filter(year=2018).exists()


@pytest.mark.parametrize(
    ("url_name", "rows", "message"),
    [
        (
            "admin:indicators_measurement_import",
            [
                [SLUG, SAFETY, 2019, "", "60", "", ""],
                [SLUG, SAFETY, 2019, "", "61", "", ""],
            ],
            "Række 2 og 3 i arket gælder begge samme indikator, år og boligområde.",
        ),
        (
            "admin:activities_activity_import",
            [[SLUG, "tryghed", 9, "Ny aktivitet"], [SLUG, "Tryghed", 9, "En anden"]],
            "Række 2 og 3 i arket gælder begge samme indsatsområde og nummer.",
        ),
        (
            "admin:indicators_successcriterion_import",
            [
                [SLUG, "tryghed", 98, "Et kriterium", "Egne registreringer"],
                [SLUG, "tryghed", 98, "Et andet", "Egne registreringer"],
            ],
            "Række 2 og 3 i arket gælder begge samme indsatsområde og nummer.",
        ),
    ],
)
def test_each_admin_import_refuses_the_same_thing_twice(
    client, secretariat, url_name, rows, message
):
    client.force_login(secretariat)
    model, headings, _row = ADMIN_IMPORTS[url_name]
    before = model.objects.count()
    sheet = xlsx(headings[: len(rows[0])], rows)
    page = client.post(
        reverse(url_name), {"resource": "0", "format": "0", "import_file": sheet}
    ).content.decode()
    assert message in page
    assert "Bekræft import" not in page
    assert model.objects.count() == before


# Cells no number can be read from


RAW = ("InvalidOperation", "<class", "cannot convert", "Traceback", "Error:")


def infinite(content: bytes, reference: str) -> bytes:
    """The cell a number cell holding 1e999, infinity to Python (openpyxl writes no such)."""
    cell = f'<c r="{reference}" t="n"><v>1e999</v></c>'.encode()
    return first_sheet(
        content, lambda xml: re.sub(rf'<c r="{reference}"[^>]*>.*?</c>'.encode(), cell, xml)
    )


def test_the_measurement_import_page_says_plainly_that_nan_is_no_number(client, plan, secretariat):
    client.force_login(secretariat)
    rows = [
        [SLUG, SAFETY, 2018, "", "1", "", ""],
        [SLUG, "Påsatte brande", 2018, "", "NaN", "", ""],
        [SLUG, "Påsatte brande", "NaN", "", "2", "", ""],
        [SLUG, "Påsatte brande", 2019, "", "-Infinity", "", ""],
    ]
    content = infinite(xlsx(MEASUREMENT_HEADINGS, rows).getvalue(), "E2")
    page = client.post(
        reverse("indicators:import", args=[plan.slug]),
        {"sheet": SimpleUploadedFile("maalinger.xlsx", content)},
    ).content.decode()
    assert "Række 2 i arket: værdi: &#x27;inf&#x27; er ikke et tal." in page
    assert "Række 3 i arket: værdi: &#x27;NaN&#x27; er ikke et tal." in page
    assert "Række 4 i arket: år: &#x27;NaN&#x27; er ikke et årstal." in page
    assert "Række 5 i arket: værdi: &#x27;-Infinity&#x27; er ikke et tal." in page
    assert not any(raw in page for raw in RAW)
    assert not Measurement.objects.filter(year__in=[2018, 2019]).exists()


def test_an_admin_import_says_plainly_that_nan_is_no_whole_number(client, secretariat):
    client.force_login(secretariat)
    before = Activity.objects.count()
    rows = [[SLUG, "tryghed", "NaN", "Ny aktivitet"], [SLUG, "tryghed", 0, "En anden"]]
    sheet = io.BytesIO(infinite(xlsx(ACTIVITY_HEADINGS, rows).getvalue(), "C3"))
    sheet.name = "aktiviteter.xlsx"
    page = client.post(
        reverse("admin:activities_activity_import"),
        {"resource": "0", "format": "0", "import_file": sheet},
    ).content.decode()
    assert "&#x27;NaN&#x27; er ikke et helt tal." in page
    assert "&#x27;inf&#x27; er ikke et helt tal." in page
    assert not any(raw in page for raw in RAW)
    assert Activity.objects.count() == before


def test_an_unexpected_failure_of_a_cell_is_named_by_its_column_not_its_exception(
    client, plan, secretariat, monkeypatch
):
    def fails(self, value, row=None, **kwargs):
        raise decimal.InvalidOperation([decimal.InvalidOperation])

    monkeypatch.setattr(DanishDecimalWidget, "clean", fails)
    client.force_login(secretariat)
    page = client.post(
        reverse("indicators:import", args=[plan.slug]),
        {"sheet": xlsx(MEASUREMENT_HEADINGS, GOOD_ROWS[:1])},
    ).content.decode()
    assert "Række 2 i arket: værdi: &#x27;13&#x27; kunne ikke læses." in page
    assert not any(raw in page for raw in RAW)


def test_an_unexpected_failure_of_a_row_is_told_plainly_in_the_admin(
    client, secretariat, monkeypatch
):
    def fails(self, instance, is_create, row, **kwargs):
        raise RuntimeError("internal detail the user must not see")

    monkeypatch.setattr(MeasurementResource, "save_instance", fails)
    client.force_login(secretariat)
    page = client.post(
        reverse("admin:indicators_measurement_import"),
        {"resource": "0", "format": "0", "import_file": xlsx(MEASUREMENT_HEADINGS, GOOD_ROWS)},
    ).content.decode()
    assert "Rækken kunne ikke læses. Se efter, at hver celle indeholder det, som kolonnen" in page
    assert "internal detail" not in page
    assert not any(raw in page for raw in RAW)
