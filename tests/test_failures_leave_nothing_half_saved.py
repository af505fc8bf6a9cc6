"""A PDF that cannot be rendered, a broken sheet or a failure half-way through saving one
leaves nothing half-saved, and the user reads a plain Danish message, never a stack trace.

The faults are real: the PDF's print stylesheet missing on the server (WeasyPrint fails), files
cut short or not workbooks at all, and a failure raised by the history library in the middle
of a save, after the first rows were written. "Nothing changed" is checked on every table of
the database, history tables included.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from activities import services as activity_services
from activities.forms import sign_sheet_data
from activities.grid import EntryGrid
from activities.models import QuarterlyCount, QuarterReport
from activities.services import approve_reports
from activities.sheets import FIRST_ROW, KEY_COLUMN, SHEET, VALUE_COLUMN, read_workbook
from agreements.models import ShareLink, ShareLinkDownload, Subagreement, SubagreementVersion
from indicators.models import Measurement
from indicators.resources import MeasurementResource
from lib import pdf
from lib.periods import Quarter
from tests.page_forms import form_fields
from tests.test_sheet_imports import GOOD_ROWS, MEASUREMENT_HEADINGS, SLUG, xlsx

pytestmark = pytest.mark.django_db

QUARTER = "2018K1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SOMETHING_WENT_WRONG = "Der gik noget galt"
NOT_A_SHEET = "Filen er ikke et Excel-regneark (xlsx)."
WHOLE_NUMBER = "Skriv et helt tal, fx 12."
NOT_A_WORKBOOK = "Filen kunne ikke læses som en Excel-projektmappe."


def database_state() -> dict[str, int]:
    """The number of rows of every table, history and log tables included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def rows_of(*models) -> dict[str, list]:
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}


def page_of(response) -> str:
    text = response.content.decode()
    assert "Traceback" not in text
    return text


@pytest.fixture
def tolerant() -> Client:
    """A client that gets the error page, as a browser would, instead of the exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def broken_pdf_renderer(monkeypatch, tmp_path):
    """The print stylesheet is missing on the server: WeasyPrint fails on every PDF."""
    pdf._stylesheet.cache_clear()
    monkeypatch.setattr(pdf, "_STYLESHEET", tmp_path / "missing" / "pdf.css")
    yield
    pdf._stylesheet.cache_clear()


# PDFs


def test_a_failed_pdf_for_landsbyggefonden_logs_no_download(
    tolerant, plan, secretariat, broken_pdf_renderer
):
    link = ShareLink.create_for(plan, by=secretariat, note="LBF")
    before = database_state()
    for name, kwargs in (("shared_all_pdf", {}), ("shared_pdf", {"focus_area": "tryghed"})):
        response = tolerant.get(
            reverse(f"agreements:{name}", kwargs={"token": link.token, **kwargs})
        )
        assert response.status_code == 500
        assert SOMETHING_WENT_WRONG in page_of(response)
    assert database_state() == before
    assert not ShareLinkDownload.objects.exists()


def approve(client, plan, focus_area: str = "tryghed"):
    url = reverse("agreements:approve", args=[plan.slug, focus_area])
    fields = form_fields(client.get(url))
    return client.post(url, fields | {"decided_on": "12.09.2018", "note": "Årlig revision"})


def change_the_draft(plan) -> Subagreement:
    subagreement = plan.subagreements.get(focus_area__code="tryghed")
    subagreement.budget_lbf += 300_000
    subagreement.save()
    return subagreement


def test_an_approval_is_recorded_whole_even_while_pdfs_cannot_be_rendered(
    tolerant, plan, secretariat, broken_pdf_renderer
):
    subagreement = change_the_draft(plan)
    tolerant.force_login(secretariat)
    assert approve(tolerant, plan).status_code == 302
    version = subagreement.versions.get(number=2)
    assert version.content == subagreement.content()

    response = tolerant.get(reverse("agreements:pdf", args=[plan.slug, "tryghed"]))
    assert response.status_code == 500
    assert SOMETHING_WENT_WRONG in page_of(response)
    assert subagreement.versions.count() == 2


def test_a_failure_after_the_version_is_written_takes_the_approval_back(
    tolerant, plan, secretariat, monkeypatch
):
    """The whole request is one transaction: a failure after approve_version has written
    the version (here while confirming it to the user) rolls the version back."""
    subagreement = change_the_draft(plan)
    tolerant.force_login(secretariat)
    before = database_state()

    def fails(*args, **kwargs):
        assert subagreement.versions.filter(number=2).exists()  # written, not yet committed
        raise RuntimeError("the message could not be stored")

    monkeypatch.setattr("agreements.views.messages.success", fails)
    response = approve(tolerant, plan)
    assert response.status_code == 500
    assert SOMETHING_WENT_WRONG in page_of(response)
    assert database_state() == before
    assert not SubagreementVersion.objects.filter(subagreement=subagreement, number=2).exists()


def test_a_failed_pdf_command_writes_no_file(plan, tmp_path, broken_pdf_renderer):
    out = tmp_path / "out" / "delaftale.pdf"
    out.parent.mkdir()
    with pytest.raises(FileNotFoundError):
        call_command("render_pdf", "subagreement", "tryghed", "--out", str(out))
    assert list(out.parent.iterdir()) == []


# The quarter's entry sheet


@pytest.fixture
def reporter(client, coordinator_motalavej) -> Client:
    client.force_login(coordinator_motalavej)
    return client


def entry_upload_url(plan) -> str:
    return reverse("activities:entry_upload", kwargs={"plan": plan.slug, "quarter": QUARTER})


def downloaded_sheet(client, plan) -> openpyxl.Workbook:
    response = client.get(
        reverse("activities:entry_sheet", kwargs={"plan": plan.slug, "quarter": QUARTER})
    )
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def count_rows(workbook) -> list[int]:
    sheet = workbook[SHEET]
    return [
        row
        for row in range(FIRST_ROW, sheet.max_row + 1)
        if str(sheet.cell(row=row, column=KEY_COLUMN).value or "").startswith("c_")
    ]


def saved(workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload_sheet(client, plan, content: bytes, name: str = "indberetning.xlsx"):
    sheet = SimpleUploadedFile(name, content, content_type=XLSX)
    return client.post(entry_upload_url(plan), {"sheet": sheet})


def test_an_entry_sheet_whose_last_row_is_wrong_saves_none_of_its_rows(
    reporter, plan, coordinator_motalavej
):
    workbook = downloaded_sheet(reporter, plan)
    rows = count_rows(workbook)
    for row in rows[:-1]:
        workbook[SHEET].cell(row=row, column=VALUE_COLUMN, value=4)
    workbook[SHEET].cell(row=rows[-1], column=VALUE_COLUMN, value="fire")
    before = database_state()

    preview = upload_sheet(reporter, plan, saved(workbook))
    assert preview.status_code == 200
    assert WHOLE_NUMBER in page_of(preview)
    assert preview.context["blocking"]
    assert 'name="sheet_data"' not in page_of(preview)  # nothing to confirm
    # Even a confirmation of the sheet, signed as the page would sign it, saves nothing.
    grid = EntryGrid.load(
        plan, Quarter.parse(QUARTER), user=coordinator_motalavej, may_report_all=False
    )
    data, _rows = read_workbook(saved(workbook), grid)
    signed = sign_sheet_data(data, grid=grid, user=coordinator_motalavej)
    response = reporter.post(entry_upload_url(plan), {"sheet_data": signed, "action": "save"})
    assert response.status_code == 200
    assert WHOLE_NUMBER in page_of(response)
    assert database_state() == before


def truncated(content: bytes) -> bytes:
    return content[: len(content) // 2]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        pytest.param(truncated, NOT_A_SHEET, id="cut-short"),
        pytest.param(lambda content: content[:-22], NOT_A_SHEET, id="without-the-zip-directory"),
        pytest.param(lambda content: b"%PDF-1.7\n" + content[:300], NOT_A_SHEET, id="a-pdf"),
        pytest.param(lambda content: b"plan;antal\nslagelse;12\n", NOT_A_SHEET, id="text"),
        pytest.param(lambda content: b"", "Den indsendte fil er tom.", id="empty"),
    ],
)
def test_a_broken_entry_sheet_is_refused_plainly(reporter, plan, broken, message):
    content = broken(saved(downloaded_sheet(reporter, plan)))
    before = database_state()
    response = upload_sheet(reporter, plan, content)
    assert response.status_code == 200
    assert message in page_of(response)
    assert database_state() == before


def test_a_workbook_not_made_by_the_page_is_refused_plainly(reporter, plan):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Antal", 12])
    before = database_state()
    response = upload_sheet(reporter, plan, saved(workbook))
    assert "Regnearket er ikke hentet fra denne side; hent det igen." in page_of(response)
    assert database_state() == before


def test_a_failure_half_way_through_saving_a_sheet_saves_none_of_it(
    tolerant, coordinator_motalavej, plan, monkeypatch
):
    """The new counts and reports are written first, then the changed ones: a failure
    between the two leaves none of them."""
    tolerant.force_login(coordinator_motalavej)
    workbook = downloaded_sheet(tolerant, plan)
    for row in count_rows(workbook):
        workbook[SHEET].cell(row=row, column=VALUE_COLUMN, value=2)
    preview = upload_sheet(tolerant, plan, saved(workbook))
    assert not preview.context["blocking"]
    before = database_state()
    written = []

    def fails(objects, model, *args, **kwargs):
        written.append(QuarterlyCount.objects.filter(year=2018, quarter=1).count())
        raise RuntimeError("the history could not be written")

    monkeypatch.setattr(activity_services, "bulk_update_with_history", fails)
    response = tolerant.post(entry_upload_url(plan), form_fields(preview) | {"action": "save"})
    assert response.status_code == 500
    assert SOMETHING_WENT_WRONG in page_of(response)
    assert written and written[0] > 0  # the new counts had been written when it failed
    assert database_state() == before
    assert not QuarterlyCount.objects.filter(year=2018, quarter=1).exists()
    assert not QuarterReport.objects.filter(year=2018, quarter=1).exists()


def test_a_reason_longer_than_the_history_keeps_is_refused_at_the_field(
    reporter, plan, secretariat
):
    """A reason goes into the history row, which keeps 100 characters; PostgreSQL refuses a
    longer one, so the form does, before anything is written."""
    fields = form_fields(reporter.get(reverse("activities:entry", args=[plan.slug, QUARTER])))
    data = {name: "3" if name.startswith("c_") else value for name, value in fields.items()}
    for name in [name for name in fields if name.startswith("rev_")]:
        data["progress_" + name.removeprefix("rev_")] = "on_track"
    url = reverse("activities:entry", args=[plan.slug, QUARTER])
    assert reporter.post(url, data | {"action": "submit"}).status_code == 302
    too_long = "Tallet for frivillige var talt dobbelt, så det er rettet." * 2
    refused = f"Denne værdi må højst have 100 tegn (den har {len(too_long)})."
    before = database_state()

    fields = form_fields(reporter.get(url))
    count = next(name for name in fields if name.startswith("c_"))
    response = reporter.post(url, fields | {count: "4", "reason": too_long, "action": "save"})
    assert response.status_code == 200
    assert refused in page_of(response)
    assert "Skriv hvorfor tal, der allerede er indsendt" not in page_of(response)
    assert database_state() == before

    report = QuarterReport.objects.filter(year=2018, quarter=1).order_by("pk").first()
    approve_reports(
        plan=plan, quarter=report.period, chosen={report.pk: report.revision}, by=secretariat
    )
    report.refresh_from_db()
    secretariat_client = Client()
    secretariat_client.force_login(secretariat)
    before = database_state()
    reopen = reverse("activities:reopen", kwargs={"plan": plan.slug, "report": report.pk})
    response = secretariat_client.post(reopen, {"reason": too_long, "revision": report.revision})
    assert response.status_code == 200
    assert refused in page_of(response)
    assert database_state() == before


# Measurements


@pytest.fixture
def importer(client, secretariat) -> Client:
    client.force_login(secretariat)
    return client


def upload_measurements(client, plan, sheet):
    return client.post(reverse("indicators:import", args=[plan.slug]), {"sheet": sheet})


def test_a_measurement_sheet_whose_last_row_is_wrong_imports_none_of_it(importer, plan):
    rows = GOOD_ROWS + [[SLUG, "Påsatte brande", 2018, "", "mange", "", ""]]
    before = database_state()
    response = upload_measurements(importer, plan, xlsx(MEASUREMENT_HEADINGS, rows))
    page = page_of(response)
    assert response.status_code == 200
    assert "&#x27;mange&#x27; er ikke et tal." in page
    assert 'name="token"' not in page
    assert database_state() == before


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda good: good[: len(good) // 2], id="cut-short"),
        pytest.param(lambda good: b"PK\x03\x04" + b"\x00" * 200, id="zip-header-only"),
        pytest.param(lambda good: b"%PDF-1.7\n%%EOF\n", id="a-pdf"),
        pytest.param(lambda good: b"plan;indikator\n", id="text"),
    ],
)
def test_a_broken_measurement_sheet_is_refused_plainly(importer, plan, content):
    good = xlsx(MEASUREMENT_HEADINGS, GOOD_ROWS).getvalue()
    before = database_state()
    sheet = SimpleUploadedFile("maalinger.xlsx", content(good), content_type=XLSX)
    response = upload_measurements(importer, plan, sheet)
    assert response.status_code == 200
    assert NOT_A_WORKBOOK in page_of(response)
    assert database_state() == before


def test_a_failure_half_way_through_importing_measurements_imports_none_of_them(
    importer, plan, monkeypatch
):
    preview = upload_measurements(importer, plan, xlsx(MEASUREMENT_HEADINGS, GOOD_ROWS))
    token = re.search(r'name="token" value="([^"]+)"', page_of(preview)).group(1)
    before = rows_of(Measurement, Measurement.history.model)
    counts = database_state()
    saved_first = []
    original = MeasurementResource.before_save_instance

    def fails_on_the_second_row(self, instance, row, **kwargs):
        if saved_first:
            raise RuntimeError("the connection broke")
        saved_first.append(instance.indicator.name)
        return original(self, instance, row, **kwargs)

    monkeypatch.setattr(MeasurementResource, "before_save_instance", fails_on_the_second_row)
    response = importer.post(
        reverse("indicators:import_confirm", args=[plan.slug]), {"token": token}
    )
    assert saved_first == ["Påsatte brande"]
    assert response.status_code == 200
    assert 'name="token"' not in page_of(response)
    assert rows_of(Measurement, Measurement.history.model) == before
    assert database_state() == counts


# The administration's import


def admin_upload(client, url_name: str, content: bytes, name: str = "maalinger.xlsx"):
    sheet = SimpleUploadedFile(name, content, content_type=XLSX)
    return client.post(reverse(url_name), {"resource": "0", "format": "0", "import_file": sheet})


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda good: good[: len(good) // 2], id="cut-short"),
        pytest.param(lambda good: b"%PDF-1.7\n%%EOF\n", id="a-pdf"),
        pytest.param(lambda good: b"plan;indikator\n", id="text"),
    ],
)
def test_a_broken_sheet_in_the_administration_is_refused_plainly(importer, content):
    good = xlsx(MEASUREMENT_HEADINGS, GOOD_ROWS).getvalue()
    before = database_state()
    response = admin_upload(importer, "admin:indicators_measurement_import", content(good))
    assert response.status_code == 200
    page = page_of(response)
    assert "Bekræft import" not in page
    assert 'class="errorlist' in page
    assert database_state() == before


def test_an_administration_sheet_whose_last_row_is_wrong_imports_none_of_it(importer):
    rows = GOOD_ROWS + [[SLUG, "Påsatte brande", 2018, "", "-3", "", ""]]
    before = database_state()
    response = admin_upload(
        importer, "admin:indicators_measurement_import", xlsx(MEASUREMENT_HEADINGS, rows).getvalue()
    )
    page = page_of(response)
    assert "Bekræft import" not in page
    assert "Et tal kan ikke være negativt." in page
    assert database_state() == before
