"""Small numbers: in what the board reads, a count below the threshold (5 unless configured) of
a sensitive metric, one counting people in a personal situation, reads "<5", and no bar or
point gives it away; the secretariat's own screens show the real number."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from activities.models import Metric, QuarterlyCount, QuarterReport
from agreements.models import HousingArea
from lib.periods import HalfYear
from reports.dashboard import Dashboard, Period
from reports.status_report import StatusReport, status_report_pdf

pytestmark = pytest.mark.django_db

PRACTICE = "Borgere i virksomhedspraktik eller løntilskud i året"  # sensitive; 75 a year
WALKS = "Tryghedsvandringer"  # not sensitive: walks through an area


def submit(metric_name: str, area_code: str, value: int, by, *, year=2019, quarter=1) -> Metric:
    """A submitted count for 1. kvartal 2019."""
    metric = Metric.objects.get(name=metric_name)
    area = HousingArea.objects.get(code=area_code)
    QuarterlyCount.objects.create(metric=metric, area=area, year=year, quarter=quarter, value=value)
    report = QuarterReport(activity=metric.activity, area=area, year=year, quarter=quarter)
    report.submit(by=by)
    report.save()
    return metric


def dashboard_html(client, user, plan) -> str:
    client.force_login(user)
    address = reverse("reports:dashboard", args=[plan.slug]) + "?periode=2019H1"
    response = client.get(address)
    assert response.status_code == 200
    return response.content.decode()


def delivery_svg(html: str, metric: Metric) -> str:
    """The delivery bar of a whole-plan target."""
    chart_id = f"delivery-{metric.pk}-plan"
    match = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title.*?</svg>', html, re.S)
    assert match, "no delivery bar for the metric"
    return match.group(0)


def test_the_board_sees_a_small_sensitive_count_as_below_five_and_no_bar(
    client, plan, board_member, secretariat
):
    practice = submit(PRACTICE, "motalavej", 3, secretariat)
    assert practice.sensitive
    html = dashboard_html(client, board_member, plan)
    bar = delivery_svg(html, practice)
    assert "&lt;5 af 75" in bar
    assert 'class="bar"' not in bar  # its length would give the number away
    assert "3 af 75" not in html
    assert 'vises som "&lt;5"' in html


def test_the_secretariat_sees_the_real_count(client, plan, secretariat):
    practice = submit(PRACTICE, "motalavej", 3, secretariat)
    html = dashboard_html(client, secretariat, plan)
    bar = delivery_svg(html, practice)
    assert "3 af 75 (4 %)" in bar
    assert 'class="bar"' in bar
    assert "Du ser alle tal" in html


def test_five_nought_and_counts_that_are_not_sensitive_are_shown(
    client, plan, board_member, secretariat
):
    practice = submit(PRACTICE, "motalavej", 5, secretariat)
    submit(WALKS, "motalavej", 3, secretariat)
    html = dashboard_html(client, board_member, plan)
    assert "5 af 75" in delivery_svg(html, practice)
    # Walks: nobody's situation is told by it. Past its target a bar says the target is
    # reached, not "3 af 1 (300 %)", a share no board reads anything into.
    assert "3, målet på 1 er nået" in html
    assert not Metric(sensitive=True).hides(0)  # nought identifies no one
    assert Metric(sensitive=True).hides(4) and not Metric(sensitive=False).hides(4)


def test_the_threshold_is_a_setting(client, plan, board_member, secretariat, settings):
    settings.SMALL_NUMBER_THRESHOLD = 10
    practice = submit(PRACTICE, "motalavej", 7, secretariat)
    html = dashboard_html(client, board_member, plan)
    assert "&lt;10 af 75" in delivery_svg(html, practice)


def test_a_criterion_counting_a_sensitive_metric_hides_its_small_figure(plan, secretariat):
    submit(PRACTICE, "motalavej", 3, secretariat)
    board = Dashboard.load(plan, Period.parse("2019H1"))
    panel = next(
        row
        for part in board.subagreements
        for row in part.criteria
        if row.criterion.metric_id
        and row.criterion.metric.name == PRACTICE
        and not row.criterion.denominator_metric_id
    )
    assert panel.evaluation.value == 3
    assert panel.sentence == (
        "Et tal bag vurderingen er under 5 og vises ikke i rapporter til bestyrelsen og "
        "Landsbyggefonden."
    )
    row_2019 = next(row for row in panel.figure["table"] if row["year"] == "2019")
    assert row_2019["measured"] == "<5"
    assert "2019 <5" in panel.figure["description"]  # the numbers under the chart on paper
    assert "2019 &lt;5" in str(panel.figure["chart"])  # and its description for screen readers
    assert ">3<" not in str(panel.figure["chart"])

    shown = Dashboard.load(plan, Period.parse("2019H1"), mask=False)
    panel = next(
        row
        for part in shown.subagreements
        for row in part.criteria
        if row.criterion.pk == panel.criterion.pk
    )
    assert panel.sentence == panel.evaluation.sentence
    # A yearly count of people has no baseline; the half-year reads the year so far.
    row_2019 = next(row for row in panel.figure["table"] if row["year"] == "2019")
    assert row_2019["measured"] == "3 (året til dato)"


def test_the_status_report_hides_small_sensitive_counts_per_area_and_quarter(plan, secretariat):
    submit(PRACTICE, "motalavej", 3, secretariat)
    submit(PRACTICE, "motalavej", 12, secretariat, quarter=2)
    report = StatusReport.load(plan, HalfYear(2019, 1))
    reader = PdfReader(io.BytesIO(status_report_pdf(report)))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    # Motalavej's row in the activity's table: the first quarter hidden, the second shown.
    assert re.search(r"Borgere i virksomhedspraktik eller løntilskud i året <5 12", text)
    assert 'vises som "<5"' in text
