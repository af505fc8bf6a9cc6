"""The board's semi-annual status report as a PDF: the real plan's content with the demo
figures, the groups' evaluations, the same charts as the dashboard, and a command line."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from activities.models import QuarterReport
from agreements.models import Body
from demo.data import load_demo_data
from lib.periods import HalfYear
from reports.models import GroupEvaluation
from reports.status_report import StatusReport, current_status_report_pdf, status_report_html

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def demo_plan(plan, secretariat):
    load_demo_data(plan=plan)
    plan.refresh_from_db()
    GroupEvaluation.objects.create(
        body=Body.objects.get(plan=plan, kind=Body.Kind.COORDINATION_GROUP),
        year=2019,
        half=1,
        text="Koordinationsgruppen vurderer, at aktiviteterne i Motalavej er godt i gang.",
        meeting_date=datetime.date(2019, 6, 12),
        minutes_reference="Referat 12.06.2019, punkt 4",
        recorded_by=secretariat,
    )
    return plan


def test_the_report_holds_the_plan_the_demo_figures_and_the_evaluations(
    client, demo_plan, board_member
):
    client.force_login(board_member)
    response = client.get(reverse("reports:status_report", args=[demo_plan.slug, "2019H1"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Statusrapport til bestyrelsen" in text
    assert "Boligsocial Helhedsplan for Skælskør, Korsør og Slagelse 2017-2021" in text
    assert "1. halvår 2019" in text and "Side 1 af" in text
    assert "Rapporten indeholder demodata" in text
    for name in [
        "Tryghed og trivsel",
        "Kriminalpræventiv indsats",
        "Forebyggelse og forældreansvar",
    ]:
        assert name in text
    assert "Del 1: Aktiviteternes leverancer" in text and "Del 2: Succeskriterierne" in text
    assert "Tryghedsvandringer" in text
    assert "1. kvartal 2019" in text and "2. kvartal 2019" in text
    note = QuarterReport.objects.filter(year=2019, quarter=1).exclude(note="").first().note
    assert note[:40] in text
    assert "Koordinationsgruppen vurderer, at aktiviteterne i Motalavej er godt i gang." in text
    assert "Referat 12.06.2019, punkt 4" in text
    assert "Antallet af kriminalretlige afgørelser" in text
    assert "Datakilde:" in text
    assert "Målt: 2017" in text  # a chart's numbers follow it as a sentence


def test_the_report_draws_the_same_svg_as_the_dashboard(client, demo_plan, board_member):
    client.force_login(board_member)
    page = client.get(
        reverse("reports:dashboard", args=[demo_plan.slug]) + "?periode=2019H1"
    ).content.decode()
    report = status_report_html(StatusReport.load(demo_plan, HalfYear(2019, 1)))
    charts = re.findall(r'<svg[^>]*aria-labelledby="criterion-\d+-chart.*?</svg>', page, flags=re.S)
    assert len(charts) > 10
    for chart in charts:
        assert chart in report


def test_the_command_writes_the_report_and_refuses_a_period_outside_the_plan(demo_plan, tmp_path):
    target = tmp_path / "status.pdf"
    call_command(
        "render_status_report", "--period", "2019H2", "--out", str(target), stdout=io.StringIO()
    )
    assert "2. halvår 2019" in pdf_text(target.read_bytes())
    with pytest.raises(CommandError, match="uden for planen"):
        call_command("render_status_report", "--period", "2030H1", "--out", str(target))
    with pytest.raises(CommandError, match="2019H1"):
        call_command("render_status_report", "--period", "2019K1", "--out", str(target))


def test_coordinators_and_lbf_get_no_status_report(client, plan, lbf_user):
    client.force_login(lbf_user)
    assert (
        client.get(reverse("reports:status_report", args=[plan.slug, "2019H1"])).status_code == 403
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_report_is_made_once_and_again_when_the_data_or_the_day_changes(plan, secretariat):
    half_year = HalfYear(2019, 1)
    today = datetime.date(2019, 8, 1)
    first = current_status_report_pdf(plan, half_year, today=today)
    with CaptureQueriesContext(connection) as kept:
        assert current_status_report_pdf(plan, half_year, today=today) == first
    assert len(kept) == 1  # the data version

    # An evaluation recorded: the next request makes the report again, with it.
    GroupEvaluation.objects.create(
        body=Body.objects.get(plan=plan, kind=Body.Kind.COORDINATION_GROUP),
        year=2019,
        half=1,
        text="Koordinationsgruppen har vurderet halvåret.",
        meeting_date=datetime.date(2019, 6, 12),
        minutes_reference="Referat 12.06.2019",
        recorded_by=secretariat,
    )
    with CaptureQueriesContext(connection) as made:
        changed = current_status_report_pdf(plan, half_year, today=today)
    assert len(made) > 1
    assert "har vurderet halvåret" in pdf_text(changed)
    assert "har vurderet halvåret" not in pdf_text(first)

    # The next day it is made again: it prints the day it is made.
    tomorrow = current_status_report_pdf(plan, half_year, today=today + datetime.timedelta(1))
    assert "2. august 2019" in pdf_text(tomorrow) and "1. august 2019" in pdf_text(changed)
