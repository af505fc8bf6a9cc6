"""A coordinator reports a quarter offline: downloads the entry form as xlsx, fills it in and
uploads it; the upload is checked exactly as the entry form is, previewed, and saved all or
nothing on confirmation. Everything goes through the real views with Django's test client."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from activities.grid import EntryGrid
from activities.models import Activity, Metric, QuarterlyCount, QuarterReport
from activities.sheets import FIRST_ROW, KEY_COLUMN, META, SHEET, VALUE_COLUMN
from agreements.models import HousingArea
from lib.periods import Quarter
from tests.page_forms import form_fields

pytestmark = pytest.mark.django_db

QUARTER = Quarter(2018, 1)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def motalavej(db) -> HousingArea:
    return HousingArea.objects.get(code="motalavej")


@pytest.fixture
def reporter(client, coordinator_motalavej) -> Client:
    client.force_login(coordinator_motalavej)
    return client


@pytest.fixture
def grid(plan, coordinator_motalavej) -> EntryGrid:
    """The coordinator's grid for the quarter, as the entry page loads it."""
    return EntryGrid.load(plan, QUARTER, user=coordinator_motalavej, may_report_all=False)


def metric(plan, name: str) -> Metric:
    return Metric.objects.get(activity__subagreement__plan=plan, name=name)


def count_key(plan, name: str, area: HousingArea) -> str:
    return f"c_{metric(plan, name).pk}_{area.pk}"


def sheet_url(plan, quarter: str = QUARTER.code) -> str:
    return reverse("activities:entry_sheet", kwargs={"plan": plan.slug, "quarter": quarter})


def upload_url(plan, quarter: str = QUARTER.code) -> str:
    return reverse("activities:entry_upload", kwargs={"plan": plan.slug, "quarter": quarter})


def download(client, plan, quarter: str = QUARTER.code) -> openpyxl.Workbook:
    response = client.get(sheet_url(plan, quarter))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def sheet_rows(workbook) -> dict[str, int]:
    """Each row's key (the hidden column) and its row number."""
    sheet = workbook[SHEET]
    return {
        str(sheet.cell(row=row, column=KEY_COLUMN).value): row
        for row in range(FIRST_ROW, sheet.max_row + 1)
        if sheet.cell(row=row, column=KEY_COLUMN).value
    }


def filled(workbook, values: dict[str, object]) -> bytes:
    """The workbook with the value cells of the keyed rows filled in, as saved bytes."""
    rows = sheet_rows(workbook)
    sheet = workbook[SHEET]
    for key, value in values.items():
        sheet.cell(row=rows[key], column=VALUE_COLUMN, value=value)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, plan, content: bytes, quarter: str = QUARTER.code):
    sheet = SimpleUploadedFile("indberetning.xlsx", content, content_type=XLSX)
    return client.post(upload_url(plan, quarter), {"sheet": sheet})


def confirm(client, plan, preview, action: str = "save", **extra):
    """Press a button of the preview form: its hidden sheet_data plus the action."""
    fields = form_fields(preview)
    assert "sheet_data" in fields
    return client.post(upload_url(plan), fields | {"action": action, **extra})


def full_sheet(grid: EntryGrid) -> dict[str, object]:
    """Every number, status and note of the grid filled in, with distinct small numbers that
    keep every share's numerator at or below its denominator."""
    on_track = str(QuarterReport.Progress.ON_TRACK.label)
    values: dict[str, object] = {}
    number = 1
    for pair in grid.pairs:
        activity_id, area_id = pair.key
        for cell in pair.cells:
            values[f"c_{cell.metric.pk}_{area_id}"] = 100 + number
            number += 1
        values[f"progress_{activity_id}_{area_id}"] = on_track
        values[f"note_{activity_id}_{area_id}"] = f"Note {activity_id}"
    for numerator, denominator in grid.shares:
        for pair in grid.pairs:
            top = f"c_{numerator.pk}_{pair.area.pk}"
            bottom = f"c_{denominator.pk}_{pair.area.pk}"
            if top in values:
                values[top] = min(values[top], values[bottom])
    return values


def stored_state() -> tuple[list, list]:
    """Every count and report, to show that nothing changed."""
    return (
        list(QuarterlyCount.objects.order_by("pk").values_list("pk", "value")),
        list(QuarterReport.objects.order_by("pk").values_list("pk", "revision", "status", "note")),
    )


def stored_count(plan, name: str, area: HousingArea, quarter: Quarter = QUARTER) -> int | None:
    count = QuarterlyCount.objects.filter(
        metric=metric(plan, name), area=area, year=quarter.year, quarter=quarter.number
    ).first()
    return count.value if count else None


def submit_everything(client, plan, grid: EntryGrid) -> None:
    """The coordinator reports and submits the whole quarter through the sheet."""
    values = full_sheet(grid)
    preview = upload(client, plan, filled(download(client, plan), values))
    assert not preview.context["blocking"]
    assert confirm(client, plan, preview, "submit").status_code == 302


def approve_all(plan, secretariat):
    approver = Client()
    approver.force_login(secretariat)
    kwargs = {"plan": plan.slug, "quarter": QUARTER.code}
    overview = approver.get(reverse("activities:completeness", kwargs=kwargs))
    shown = re.findall(r'name="shown" value="([^"]+)"', overview.content.decode())
    response = approver.post(
        reverse("activities:approve", kwargs=kwargs), {"action": "all", "shown": shown}
    )
    assert response.status_code == 302


def test_the_sheet_lists_exactly_the_numbers_the_coordinator_reports_with_stored_values(
    reporter, plan, coordinator_motalavej, motalavej
):
    volunteers = metric(plan, "Aktive frivillige")
    QuarterlyCount.objects.create(metric=volunteers, area=motalavej, year=2018, quarter=1, value=7)
    QuarterlyCount.objects.create(metric=volunteers, area=motalavej, year=2017, quarter=4, value=5)
    QuarterlyCount.objects.create(
        metric=volunteers,
        area=HousingArea.objects.get(code="sydbyen"),
        year=2018,
        quarter=1,
        value=9,
    )
    report = QuarterReport.objects.create(
        activity=volunteers.activity,
        area=motalavej,
        year=2018,
        quarter=1,
        progress=QuarterReport.Progress.ATTENTION,
        note="Færre frivillige om vinteren",
        revision=3,
    )
    grid = EntryGrid.load(plan, QUARTER, user=coordinator_motalavej, may_report_all=False)

    workbook = download(reporter, plan)

    pairs = Activity.objects.in_plan(plan).pairs_reported_by(plan, coordinator_motalavej)
    assert {area.code for _activity, area in pairs} == {"motalavej"}
    assert [activity.pk for activity, _area in pairs] == [pair.activity.pk for pair in grid.pairs]
    assert not any(activity.municipality_responsible for activity, _area in pairs)
    expected = []
    for pair in grid.pairs:
        activity_id, area_id = pair.key
        expected += [f"c_{cell.metric.pk}_{area_id}" for cell in pair.cells]
        expected += [f"progress_{activity_id}_{area_id}", f"note_{activity_id}_{area_id}"]
    rows = sheet_rows(workbook)
    assert list(rows) == expected

    sheet = workbook[SHEET]
    assert sheet.column_dimensions["I"].hidden
    row = rows[f"c_{volunteers.pk}_{motalavej.pk}"]
    assert sheet.cell(row=row, column=2).value == volunteers.activity.name
    assert sheet.cell(row=row, column=3).value == motalavej.name
    assert sheet.cell(row=row, column=4).value == "Aktive frivillige"
    assert sheet.cell(row=row, column=VALUE_COLUMN).value == 7
    assert sheet.cell(row=row, column=VALUE_COLUMN + 1).value == 5  # last quarter
    empty = rows[count_key(plan, "Formidlede fritidsjob", motalavej)]
    assert sheet.cell(row=empty, column=VALUE_COLUMN).value is None
    status_row = rows[f"progress_{volunteers.activity.pk}_{motalavej.pk}"]
    assert sheet.cell(row=status_row, column=VALUE_COLUMN).value == str(
        QuarterReport.Progress.ATTENTION.label
    )
    note_row = rows[f"note_{volunteers.activity.pk}_{motalavej.pk}"]
    assert sheet.cell(row=note_row, column=VALUE_COLUMN).value == "Færre frivillige om vinteren"

    meta = workbook[META]
    assert meta.sheet_state == "hidden"
    values = {key: value for key, value in meta.iter_rows(values_only=True, max_col=2)}
    assert values["plan"] == plan.slug
    assert values["quarter"] == "2018K1"
    assert values[f"rev_{report.activity_id}_{motalavej.pk}"] == 3
    assert {key for key in values if key.startswith("rev_")} == {
        f"rev_{pair.activity.pk}_{pair.area.pk}" for pair in grid.pairs
    }


def test_an_uploaded_sheet_is_previewed_and_saved_as_a_draft_on_confirmation(
    reporter, plan, coordinator_motalavej, motalavej
):
    jobs = count_key(plan, "Formidlede fritidsjob", motalavej)
    kept = count_key(plan, "Fritidsjob fastholdt i mindst 2 måneder", motalavej)
    before = stored_state()

    preview = upload(reporter, plan, filled(download(reporter, plan), {jobs: 12, kept: 8}))

    assert preview.status_code == 200
    assert stored_state() == before  # the preview saves nothing
    assert not preview.context["blocking"]
    changes = {(c["metric"].name, c["old"], c["new"]) for c in preview.context["changes"]}
    assert changes == {
        ("Formidlede fritidsjob", None, 12),
        ("Fritidsjob fastholdt i mindst 2 måneder", None, 8),
    }
    assert "Formidlede fritidsjob" in preview.content.decode()

    response = confirm(reporter, plan, preview, "save")

    assert response.status_code == 302
    assert response.url == reverse(
        "activities:entry", kwargs={"plan": plan.slug, "quarter": QUARTER.code}
    )
    assert stored_count(plan, "Formidlede fritidsjob", motalavej) == 12
    assert stored_count(plan, "Fritidsjob fastholdt i mindst 2 måneder", motalavej) == 8
    report = QuarterReport.objects.get(
        activity=metric(plan, "Formidlede fritidsjob").activity, area=motalavej, year=2018
    )
    assert report.status == QuarterReport.Status.DRAFT
    assert report.revision == 1
    assert QuarterReport.objects.count() == 1  # activities the sheet did not change
    history = QuarterlyCount.history.filter(year=2018, quarter=1)
    assert history.count() == 2
    assert {record.history_user for record in history} == {coordinator_motalavej}
    assert report.history.get().history_user == coordinator_motalavej


def test_a_whole_sheet_is_submitted_on_confirmation(reporter, plan, coordinator_motalavej, grid):
    values = full_sheet(grid)
    preview = upload(reporter, plan, filled(download(reporter, plan), values))
    assert len(preview.context["changes"]) == sum(len(pair.cells) for pair in grid.pairs)

    response = confirm(reporter, plan, preview, "submit")

    assert response.status_code == 302
    counts = {
        f"c_{metric_id}_{area_id}": value
        for metric_id, area_id, value in QuarterlyCount.objects.filter(
            year=2018, quarter=1
        ).values_list("metric_id", "area_id", "value")
    }
    assert counts == {key: value for key, value in values.items() if key.startswith("c_")}
    reports = QuarterReport.objects.filter(year=2018, quarter=1)
    assert {(r.activity_id, r.area_id) for r in reports} == {pair.key for pair in grid.pairs}
    for report in reports:
        assert report.status == QuarterReport.Status.SUBMITTED
        assert report.submitted_by == coordinator_motalavej
        assert report.progress == QuarterReport.Progress.ON_TRACK
        assert report.note == f"Note {report.activity_id}"
    assert {r.history_user for r in QuarterReport.history.all()} == {coordinator_motalavej}
    assert {r.history_user for r in QuarterlyCount.history.all()} == {coordinator_motalavej}


def test_changing_submitted_numbers_by_sheet_needs_a_reason_that_is_kept(
    reporter, plan, grid, motalavej
):
    submit_everything(reporter, plan, grid)
    volunteers = count_key(plan, "Aktive frivillige", motalavej)
    preview = upload(reporter, plan, filled(download(reporter, plan), {volunteers: 3}))
    assert preview.context["needs_reason"]
    assert not preview.context["blocking"]

    refused = confirm(reporter, plan, preview, "save")
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    assert stored_count(plan, "Aktive frivillige", motalavej) != 3

    saved = confirm(reporter, plan, preview, "save", reason="Talt forkert")
    assert saved.status_code == 302
    assert stored_count(plan, "Aktive frivillige", motalavej) == 3
    last = QuarterlyCount.history.filter(metric=metric(plan, "Aktive frivillige")).first()
    assert last.history_change_reason == "Talt forkert"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Aktive frivillige", -3),
        ("Aktive frivillige", "abc"),
        ("Aktive frivillige", 1.5),
        ("Fritidsjob fastholdt i mindst 2 måneder", 9),
    ],
    ids=["negative", "text", "fraction", "numerator-above-denominator"],
)
def test_bad_values_are_listed_by_sheet_row_and_nothing_is_saved(
    reporter, plan, motalavej, name, value
):
    workbook = download(reporter, plan)
    key = count_key(plan, name, motalavej)
    row = sheet_rows(workbook)[key]
    jobs = count_key(plan, "Formidlede fritidsjob", motalavej)
    before = stored_state()

    response = upload(reporter, plan, filled(workbook, {jobs: 4, key: value}))

    assert response.status_code == 200
    assert response.context["blocking"]
    assert key in response.context["form"].errors
    lines = response.context["sheet_errors"]
    assert len(lines) == 1
    assert str(row) in lines[0]
    assert name in lines[0]
    assert lines[0] in response.content.decode()
    assert 'name="sheet_data"' not in response.content.decode()  # nothing to confirm
    assert stored_state() == before


def test_every_bad_value_of_a_sheet_is_listed_at_once(reporter, plan, motalavej):
    workbook = download(reporter, plan)
    bad = {
        count_key(plan, "Aktive frivillige", motalavej): -1,
        count_key(plan, "Nye ad hoc-arbejdsgrupper", motalavej): "abc",
        count_key(plan, "Tryghedsvandringer", motalavej): 2.5,
        count_key(plan, "Formidlede fritidsjob", motalavej): 2,
        count_key(plan, "Fritidsjob fastholdt i mindst 2 måneder", motalavej): 5,
    }
    rows = sheet_rows(workbook)
    before = stored_state()

    response = upload(reporter, plan, filled(workbook, bad))

    lines = response.context["sheet_errors"]
    assert len(lines) == 4
    for key in list(bad)[:3] + list(bad)[4:]:
        assert any(f"{rows[key]} (" in line for line in lines)
    assert stored_state() == before


def test_a_sheet_for_another_quarter_is_refused(reporter, plan, motalavej):
    content = filled(
        download(reporter, plan, "2018K1"), {count_key(plan, "Aktive frivillige", motalavej): 4}
    )
    before = stored_state()

    response = upload(reporter, plan, content, quarter="2018K2")

    assert response.status_code == 200
    assert response.context["upload"].errors["sheet"]
    assert "2018K1" in response.context["upload"].errors["sheet"][0]
    assert "form" not in response.context
    assert stored_state() == before


@pytest.mark.parametrize(
    "content",
    [b"Aktive frivillige;7\n", b"PK\x03\x04 not really a zip", b""],
    ids=["csv", "broken-zip", "empty"],
)
def test_a_file_that_is_not_an_xlsx_is_refused(reporter, plan, content):
    before = stored_state()

    response = upload(reporter, plan, content)

    assert response.status_code == 200
    assert response.context["upload"].errors["sheet"]
    assert "form" not in response.context
    assert stored_state() == before


def test_an_xlsx_that_was_not_downloaded_from_the_page_is_refused(reporter, plan):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Aktive frivillige", 7])
    output = io.BytesIO()
    workbook.save(output)

    response = upload(reporter, plan, output.getvalue())

    assert response.context["upload"].errors["sheet"]
    assert QuarterlyCount.objects.count() == 0


@pytest.mark.parametrize(
    "target",
    ["another-area", "municipal-activity"],
)
def test_a_row_key_for_a_number_the_user_does_not_report_is_refused(
    reporter, plan, motalavej, target
):
    volunteers = count_key(plan, "Aktive frivillige", motalavej)
    if target == "another-area":
        foreign = count_key(plan, "Aktive frivillige", HousingArea.objects.get(code="sydbyen"))
    else:  # run by the municipality, in Motalavej, but not the coordinator's to report
        foreign = count_key(plan, "Henvendelser via de etablerede tilbud og indsatser", motalavej)
    workbook = download(reporter, plan)
    jobs = count_key(plan, "Formidlede fritidsjob", motalavej)
    workbook[SHEET].cell(row=sheet_rows(workbook)[volunteers], column=KEY_COLUMN, value=foreign)
    before = stored_state()

    response = upload(reporter, plan, filled(workbook, {foreign: 5, jobs: 4}))

    assert response.status_code == 200
    assert response.context["blocking"]
    assert response.context["form"].non_field_errors()
    assert response.context["sheet_errors"]
    assert stored_state() == before


@pytest.mark.parametrize("when", ["after-download", "after-preview"])
def test_a_save_by_someone_else_meanwhile_refuses_the_whole_sheet(
    reporter, plan, secretariat, motalavej, when
):
    volunteers = count_key(plan, "Aktive frivillige", motalavej)
    jobs = count_key(plan, "Formidlede fritidsjob", motalavej)
    workbook = download(reporter, plan)
    content = filled(workbook, {volunteers: 11, jobs: 6})
    other = Client()
    other.force_login(secretariat)
    entry = reverse("activities:entry", kwargs={"plan": plan.slug, "quarter": QUARTER.code})

    def someone_else_saves():
        fields = form_fields(other.get(entry + "?omraade=motalavej"))
        response = other.post(entry + "?omraade=motalavej", fields | {volunteers: "2"})
        assert response.status_code == 302

    if when == "after-download":
        someone_else_saves()
    preview = upload(reporter, plan, content)
    assert not preview.context["blocking"]
    if when == "after-preview":
        someone_else_saves()
    before = stored_state()

    response = confirm(reporter, plan, preview, "save")

    assert response.status_code == 200
    assert response.context["conflict"] is True
    assert stored_state() == before
    assert stored_count(plan, "Aktive frivillige", motalavej) == 2
    assert stored_count(plan, "Formidlede fritidsjob", motalavej) is None


def test_a_tampered_confirmation_is_forbidden(reporter, plan, motalavej):
    volunteers = count_key(plan, "Aktive frivillige", motalavej)
    preview = upload(reporter, plan, filled(download(reporter, plan), {volunteers: 4}))
    fields = form_fields(preview)
    signed = fields["sheet_data"]
    tampered = signed[:-3] + ("aaa" if not signed.endswith("aaa") else "bbb")

    response = reporter.post(upload_url(plan), fields | {"sheet_data": tampered, "action": "save"})

    assert response.status_code == 403
    assert QuarterlyCount.objects.count() == 0


def test_an_approved_quarter_refuses_a_sheet_that_changes_its_numbers(
    reporter, plan, grid, secretariat, motalavej
):
    submit_everything(reporter, plan, grid)
    approve_all(plan, secretariat)
    workbook = download(reporter, plan)
    volunteers = count_key(plan, "Aktive frivillige", motalavej)
    row = sheet_rows(workbook)[volunteers]
    before = stored_state()

    response = upload(reporter, plan, filled(workbook, {volunteers: 1}))

    assert response.status_code == 200
    assert response.context["blocking"]
    assert volunteers in response.context["form"].errors
    assert any(str(row) in line for line in response.context["sheet_errors"])
    assert stored_state() == before


def test_an_approved_quarter_accepts_the_sheet_unchanged(
    reporter, plan, grid, secretariat, motalavej
):
    submit_everything(reporter, plan, grid)
    approve_all(plan, secretariat)
    before = stored_state()

    preview = upload(reporter, plan, filled(download(reporter, plan), {}))

    assert preview.status_code == 200
    assert not preview.context["blocking"]
    assert preview.context["sheet_errors"] == []
    assert preview.context["changes"] == []
    assert confirm(reporter, plan, preview, "save").status_code == 302
    assert stored_state() == before


def test_an_approved_zero_count_in_an_unchanged_sheet_is_not_a_change(
    reporter, plan, grid, secretariat, motalavej
):
    values = full_sheet(grid)
    preview = upload(
        reporter,
        plan,
        filled(
            download(reporter, plan), values | {count_key(plan, "Tryghedsvandringer", motalavej): 0}
        ),
    )
    assert confirm(reporter, plan, preview, "submit").status_code == 302
    approve_all(plan, secretariat)

    preview = upload(reporter, plan, filled(download(reporter, plan), {}))

    assert preview.context["sheet_errors"] == []
    assert not preview.context["blocking"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("board_member", 403), ("lbf_user", 403), ("outsider", 404)],
)
def test_only_reporters_download_and_upload_sheets(client, request, plan, role, status):
    client.force_login(request.getfixturevalue(role))
    content = b"not a sheet"

    assert client.get(sheet_url(plan)).status_code == status
    assert client.get(upload_url(plan)).status_code == status
    assert upload(client, plan, content).status_code == status
    assert client.post(upload_url(plan), {"sheet_data": "x", "action": "save"}).status_code == (
        status
    )
    assert QuarterlyCount.objects.count() == 0


def test_an_anonymous_visitor_is_sent_to_log_in(client, plan):
    response = client.get(sheet_url(plan))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_a_confirmation_counts_only_for_the_quarter_it_was_previewed_for(reporter, plan, motalavej):
    volunteers = count_key(plan, "Aktive frivillige", motalavej)
    preview = upload(reporter, plan, filled(download(reporter, plan), {volunteers: 4}))

    response = reporter.post(upload_url(plan, "2018K2"), form_fields(preview) | {"action": "save"})

    assert response.status_code in (200, 403)
    assert not QuarterlyCount.objects.filter(year=2018, quarter=2).exists()
