"""A period means what it says, and a report once sent stays as it was sent.

A half-year's verdicts rest on the counts of its own quarters and those before, and on the
yearly figures of the years ended by then (lib.periods.Horizon): whatever is entered later
for later quarters does not change them. The page and the PDF say so in one Danish sentence.
When the secretariat sends a half-year's report to the board, its PDF and verdicts are kept;
a later correction changes neither, and the same half-year looked at again says what has
changed since, with the history's reasons.
"""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from activities.models import QuarterlyCount
from agreements.models import HousingArea
from demo.data import load_demo_data
from indicators.models import Measurement
from lib.periods import HalfYear
from reports.dashboard import Dashboard, Period
from reports.models import SentReport
from reports.status_report import StatusReport, status_report_pdf

pytestmark = pytest.mark.django_db

# Long after the plan: every period of it is over.
LATER = datetime.date(2026, 1, 1)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def verdicts_at(board: Dashboard) -> dict:
    """Each row's verdict and sentence, by criterion and area, as the dashboard shows them."""
    return {
        (panel.criterion.pk, row.area.code if row.area else None): (row.verdict, row.sentence)
        for part in board.subagreements
        for panel in part.criteria
        for row in [panel.evaluation, *panel.areas]
    }


def verdicts(plan, code: str) -> dict:
    return verdicts_at(Dashboard.load(plan, Period.parse(code), today=LATER))


@pytest.fixture
def demo_plan(plan):
    load_demo_data(plan=plan)
    plan.refresh_from_db()
    return plan


def test_a_half_year_reads_tomorrow_as_today_whatever_is_entered_for_later_quarters(demo_plan):
    first_half = verdicts(demo_plan, "2021H1")
    whole_year = verdicts(demo_plan, "2021")
    # The third quarter of 2021 is counted anew: ten times every figure.
    later = QuarterlyCount.objects.filter(year=2021, quarter=3)
    assert later.exists()
    for count in later:
        count.value = count.value * 10 + 7
        count.save()

    assert verdicts(demo_plan, "2021H1") == first_half
    # The year, which reads the third quarter, is changed by it: the test would see a leak.
    assert verdicts(demo_plan, "2021") != whole_year


def test_the_half_year_and_the_year_are_judged_on_their_own_quarters(demo_plan):
    first_half = Dashboard.load(demo_plan, Period.parse("2021H1"), today=LATER)
    whole_year = Dashboard.load(demo_plan, Period.parse("2021"), today=LATER)
    assert str(first_half.horizon.last) == "2. kvartal 2021"
    assert str(whole_year.horizon.last) == "3. kvartal 2021"  # the plan ends with it
    assert verdicts(demo_plan, "2021H1") != verdicts(demo_plan, "2021")


def test_the_page_and_the_pdf_say_what_the_half_year_rests_on(client, demo_plan, board_member):
    sentence = (
        "1. halvår 2021 bygger på kvartalstallene til og med 2. kvartal 2021 og på de årlige "
        "tal og vurderinger til og med 2020; tal, der siden indtastes for senere kvartaler og "
        "år, ændrer ikke vurderingerne."
    )
    client.force_login(board_member)
    page = client.get(
        reverse("reports:dashboard", args=[demo_plan.slug]) + "?periode=2021H1"
    ).content.decode()
    assert sentence in page
    report = StatusReport.load(demo_plan, HalfYear(2021, 1))
    assert sentence in pdf_text(status_report_pdf(report))


def test_a_running_half_year_says_on_track_and_what_it_rests_on(demo_plan):
    """On 15 May 2019 the half-year has run one quarter: none of 2019's own targets is
    "opfyldt" or "ikke opfyldt" yet, each is on track or not against its share by now."""
    board = Dashboard.load(demo_plan, Period.parse("2019H1"), today=datetime.date(2019, 5, 15))
    assert str(board.horizon.last) == "1. kvartal 2019"
    assert board.rests_on.startswith("1. halvår 2019 er ikke slut")
    running = {
        key: (verdict.value, sentence)
        for key, (verdict, sentence) in verdicts_at(board).items()
        # 2019's own rows (read from its counts) of targets not already due before 2019;
        # the yearly figures of 2018, a year that is over, are judged for good.
        if "for 2019" in sentence or "2019 til og med" in sentence
    }
    judged = {verdict for verdict, sentence in running.values() if "senest ved" not in sentence}
    assert judged and judged <= {"on_track", "not_on_track", "no_data", "not_due", "assessed"}
    assert judged & {"on_track", "not_on_track"}
    volunteers = next(
        panel.evaluation
        for part in board.subagreements
        for panel in part.criteria
        if panel.criterion.text.startswith("Mindst 50 aktive frivillige om året")
    )
    assert volunteers.verdict.label == "på rette spor"
    assert volunteers.sentence.endswith(
        "Målet er mindst 50 om året; efter 1 af årets 4 kvartaler svarer det til mindst 13 nu."
    )


def test_the_report_as_sent_is_kept_and_a_later_correction_is_told_with_its_reason(
    client, demo_plan, secretariat, board_member
):
    client.force_login(secretariat)
    response = client.post(
        reverse("reports:send_report", args=[demo_plan.slug, "2021H1"]),
        {"note": "Til bestyrelsesmødet 24. august 2021"},
    )
    assert response.status_code == 302
    sent = SentReport.objects.get(plan=demo_plan)
    assert (sent.year, sent.half, sent.sent_by) == (2021, 1, secretariat)
    as_sent = bytes(sent.pdf)
    verdicts_as_sent = list(sent.verdicts)
    assert verdicts_as_sent and as_sent.startswith(b"%PDF")
    assert "Sendt til bestyrelsen" in pdf_text(as_sent)

    # A coordinator's count of the half-year is corrected after the report was sent.
    count = QuarterlyCount.objects.filter(
        year=2021, quarter=1, area=HousingArea.objects.get(code="motalavej")
    ).first()
    old = count.value
    count.value = old + 40
    count._history_user = secretariat
    count._change_reason = "Fejl i optællingen, rettet efter mail fra koordinator"
    count.save()

    # The board opens the report exactly as sent, bytes and verdicts.
    client.force_login(board_member)
    response = client.get(reverse("reports:sent_report_pdf", args=[demo_plan.slug, sent.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == (
        as_sent
    )
    kept = SentReport.objects.get(pk=sent.pk)
    assert bytes(kept.pdf) == as_sent and kept.verdicts == verdicts_as_sent
    with pytest.raises(ValueError):
        kept.save()
    listing = client.get(reverse("reports:sent_reports", args=[demo_plan.slug]))
    assert "1. halvår 2021" in listing.content.decode()

    # The same half-year looked at again says what changed since, and why.
    page = client.get(
        reverse("reports:dashboard", args=[demo_plan.slug]) + "?periode=2021H1"
    ).content.decode()
    assert "Ændret siden rapporten blev sendt" in page
    assert "Fejl i optællingen, rettet efter mail fra koordinator" in page
    assert f"{count.metric.name}, Motalavej, 1. kvartal 2021" in page
    board = Dashboard.load(demo_plan, Period.parse("2021H1"))
    [correction] = board.since_sent.corrections
    assert (correction.old, correction.new) == (str(old), str(old + 40))
    again = pdf_text(status_report_pdf(StatusReport.load(demo_plan, HalfYear(2021, 1))))
    assert "Fejl i optællingen" in again


def test_a_figure_entered_after_the_report_was_sent_is_told_as_new_not_as_corrected(
    client, demo_plan, secretariat, board_member
):
    # A yearly figure the half-year reads (2020), missing when the report is sent.
    figure = Measurement.objects.filter(indicator__plan=demo_plan, year=2020).first()
    kept = {"indicator": figure.indicator, "year": 2020, "area": figure.area}
    figure.delete()
    client.force_login(secretariat)
    client.post(reverse("reports:send_report", args=[demo_plan.slug, "2021H1"]), {"note": ""})
    Measurement.objects.create(value=42, **kept)

    since = Dashboard.load(demo_plan, Period.parse("2021H1")).since_sent
    [new] = since.new_figures
    assert (new.old, new.new) == ("–", "42")
    assert since.corrected == []
    client.force_login(board_member)
    page = client.get(
        reverse("reports:dashboard", args=[demo_plan.slug]) + "?periode=2021H1"
    ).content.decode()
    assert "Tal indtastet efter at rapporten blev sendt" in page
    assert "Tal rettet efter at rapporten blev sendt" not in page
    assert f"{kept['indicator'].name}, " in page
