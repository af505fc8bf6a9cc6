"""The board reads the status report's first page first: the verdict counts, what is off track
and what has changed since the report was last sent, on one page; after it the report runs on
without half-empty pages, and the table of quarterly reports not submitted says which quarter.
The summary keeps the PDF/UA tagging of the rest: tables with header cells, headings, language
and title."""

import io
import re

import pytest
from pypdf import PdfReader

from activities.models import QuarterlyCount
from demo.data import load_demo_data
from lib.periods import HalfYear
from reports.services import send_status_report
from reports.status_report import StatusReport, status_report_pdf
from tests.pdf_structure import count, structure, tags

pytestmark = pytest.mark.django_db

HALF_YEAR = HalfYear(2019, 1)
# The report for the demo data was 54 pages with one criterion to a page; the aim is half.
MOST_PAGES = 27


def text_of(page) -> str:
    return re.sub(r"\s+", " ", page.extract_text())


@pytest.fixture
def demo_plan(plan):
    load_demo_data(plan=plan)
    plan.refresh_from_db()
    return plan


def test_the_summary_is_the_first_page_and_the_missing_reports_name_their_quarter(demo_plan):
    report = StatusReport.load(demo_plan, HALF_YEAR)
    reader = PdfReader(io.BytesIO(status_report_pdf(report)))
    first = text_of(reader.pages[0])

    assert "Sammendrag" in first and "Del 1" not in first
    # Every verdict with its count, in the engine's order, zeros too, in one row.
    counts = report.verdict_counts
    assert sum(total for _verdict, total in counts) == len(
        [row for panel in report.dashboard.subagreements for row in panel.criteria]
    )
    for verdict, _total in counts:
        assert str(verdict.label).capitalize() in first
    assert " ".join(str(total) for _verdict, total in counts) in first
    # What is off track: each criterion by its first words, under its delaftale.
    assert "Ikke på rette spor eller ikke opfyldt" in first
    assert report.off_track
    for item in report.off_track:
        assert " ".join(item.criterion.criterion.text.split()[:3]) in first
        assert str(item.subagreement.focus_area) in first
    assert "Statusrapporten for 1. halvår 2019 er ikke sendt til bestyrelsen før." in first

    # The quarter of each report not submitted stands first in its row.
    whole = " ".join(text_of(page) for page in reader.pages)
    assert "Kvartal Aktivitet Boligområde Status" in whole
    missing = report.missing_reports
    assert missing
    for item in missing:
        assert f"{item.quarter} {item.cell.activity.name.split()[0]}" in whole

    assert len(reader.pages) <= MOST_PAGES

    # Tagged as the rest: the summary's tables have header cells, the language and title hold.
    tables = [element for element in structure(reader) if element["/S"] == "/Table"]
    assert all(count(table, "/TH") for table in tables)
    counted = tags(reader)
    assert counted["/H1"] == 1 and counted["/H2"] >= 3
    assert reader.trailer["/Root"]["/Lang"] == "da"
    assert reader.metadata.title


def test_the_summary_says_what_has_changed_since_the_report_was_sent(demo_plan, secretariat):
    send_status_report(plan=demo_plan, half_year=HALF_YEAR, by=secretariat)
    count_row = QuarterlyCount.objects.filter(
        metric__activity__subagreement__plan=demo_plan, year=2019, quarter=1
    ).first()
    count_row.value += 40
    count_row._change_reason = "Fejl i optællingen"
    count_row.save()

    reader = PdfReader(io.BytesIO(status_report_pdf(StatusReport.load(demo_plan, HALF_YEAR))))
    first = text_of(reader.pages[0])
    assert "Ændret siden rapporten blev sendt" in first
    assert "er ikke sendt til bestyrelsen før" not in first
    # The changes follow on from the summary, as on the dashboard.
    assert "Fejl i optællingen" in " ".join(text_of(page) for page in reader.pages[:2])
