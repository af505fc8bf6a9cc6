"""Each person's to-do: the quarters a coordinator has not finished, and what waits for the
secretariat, each a link to where it is done, read in queries that do not grow with the data."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity, QuarterReport
from activities.todo import reporter_todo
from agreements.models import HousingArea, ShareLink
from indicators.models import Indicator, Measurement
from lib.periods import Quarter
from reports.todo import secretariat_todo

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


def motalavej_pairs(plan, coordinator) -> list[tuple[Activity, HousingArea]]:
    """What the coordinator of Motalavej reports: the activities the secretariat runs there."""
    pairs = Activity.objects.in_plan(plan).pairs_reported_by(plan, coordinator)
    assert {area.code for _activity, area in pairs} == {"motalavej"}
    return pairs


def report(pair, quarter: Quarter, *, by, status: str, reason: str = "") -> QuarterReport:
    activity, area = pair
    made = QuarterReport(activity=activity, area=area, year=quarter.year, quarter=quarter.number)
    if status == QuarterReport.Status.SUBMITTED:
        made.submit(by=by)
    made.reopen_reason = reason
    made.save()
    return made


def test_a_coordinator_sees_each_unfinished_quarter_latest_first(plan, coordinator_motalavej):
    pairs = motalavej_pairs(plan, coordinator_motalavej)
    last = plan.quarters()[-1]
    todo = reporter_todo(plan, coordinator_motalavej, TODAY)
    assert [item.quarter for item in todo] == list(reversed(plan.quarters()))
    assert len(todo[0].missing) == len(pairs) and todo[0].late

    # Submitted pairs are the coordinator's part done; a reopened draft says why.
    for pair in pairs[1:]:
        report(pair, last, by=coordinator_motalavej, status=QuarterReport.Status.SUBMITTED)
    report(
        pairs[0],
        last,
        by=coordinator_motalavej,
        status=QuarterReport.Status.DRAFT,
        reason="Tallet for deltagere mangler",
    )
    latest = reporter_todo(plan, coordinator_motalavej, TODAY)[0]
    assert latest.quarter == last
    assert latest.missing == []
    assert [(pair.activity, pair.reopen_reason) for pair in latest.reopened] == [
        (pairs[0][0], "Tallet for deltagere mangler")
    ]


def test_a_quarter_is_late_only_after_its_reports_are_due(plan, coordinator_motalavej, settings):
    settings.QUARTER_REMINDER_DAYS = 14
    quarter = plan.quarters()[0]
    on_time = reporter_todo(plan, coordinator_motalavej, quarter.last_day + datetime.timedelta(10))
    assert [item.quarter for item in on_time] == [quarter]
    assert not on_time[0].late
    late = reporter_todo(plan, coordinator_motalavej, quarter.last_day + datetime.timedelta(15))
    assert late[-1].late


def test_the_coordinators_front_page_links_each_quarter(client, plan, coordinator_motalavej):
    client.force_login(coordinator_motalavej)
    page = client.get(reverse("home")).content.decode()
    assert "Venter på dig" in page
    last = plan.quarters()[-1]
    assert reverse("activities:entry", args=[plan.slug, last.code]) in page
    assert "for sent, frist" in page


def test_the_secretariats_tasks_link_where_they_are_done(plan, secretariat, coordinator_motalavej):
    quarter = plan.quarters()[0]
    pair = motalavej_pairs(plan, coordinator_motalavej)[0]
    report(pair, quarter, by=coordinator_motalavej, status=QuarterReport.Status.SUBMITTED)
    link = ShareLink.create_for(plan, by=secretariat, note="Til LBF", days=3)
    Measurement.objects.filter(indicator__plan=plan).delete()
    tasks = secretariat_todo(plan, TODAY)
    texts = [task.text for task in tasks]
    assert f"1 indberetning for {quarter} venter på godkendelse" in texts
    assert any(text.startswith("Linket til Landsbyggefonden “") for text in texts)
    indicator = Indicator.objects.filter(plan=plan, criteria__isnull=False).order_by("pk")[0]
    missing = f"{indicator.name} har ingen tal for 2018"
    assert missing in texts
    urls = {task.text: task.url for task in tasks}
    assert urls[missing] == reverse("indicators:year_figures", args=[plan.slug, indicator.pk, 2018])
    assert urls[f"1 indberetning for {quarter} venter på godkendelse"] == reverse(
        "activities:completeness", args=[plan.slug, quarter.code]
    )
    assert any(url.endswith(f"#link-{link.pk}") for url in urls.values())


def test_a_link_far_from_expiring_and_an_approved_report_are_no_task(plan, secretariat):
    ShareLink.create_for(plan, by=secretariat, days=60)
    texts = [task.text for task in secretariat_todo(plan, TODAY)]
    assert not any("Linket" in text or "godkendelse" in text for text in texts)


def test_the_secretariat_sees_its_tasks_on_its_dashboard(client, plan, secretariat):
    ShareLink.create_for(plan, by=secretariat, days=2)
    client.force_login(secretariat)
    page = client.get(reverse("reports:dashboard", args=[plan.slug])).content.decode()
    assert "Venter på dig" in page
    assert "Linket til Landsbyggefonden" in page


def test_the_board_has_no_to_do(client, plan, board_member):
    client.force_login(board_member)
    page = client.get(reverse("reports:dashboard", args=[plan.slug])).content.decode()
    assert "Venter på dig" not in page


def test_the_to_dos_take_the_same_queries_however_many_reports(
    plan, secretariat, coordinator_motalavej
):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as mine:
            reporter_todo(plan, coordinator_motalavej, TODAY)
        with CaptureQueriesContext(connection) as theirs:
            secretariat_todo(plan, TODAY)
        return len(mine), len(theirs)

    before = queries()
    for quarter in plan.quarters()[:4]:
        for pair in motalavej_pairs(plan, coordinator_motalavej):
            report(pair, quarter, by=coordinator_motalavej, status=QuarterReport.Status.SUBMITTED)
    assert queries() == before


def test_the_quarter_picker_names_where_each_quarter_stands(client, plan, coordinator_motalavej):
    pairs = motalavej_pairs(plan, coordinator_motalavej)
    first, second = plan.quarters()[:2]
    for pair in pairs:
        report(pair, first, by=coordinator_motalavej, status=QuarterReport.Status.SUBMITTED)
    report(pairs[0], second, by=coordinator_motalavej, status=QuarterReport.Status.DRAFT)
    client.force_login(coordinator_motalavej)
    page = client.get(reverse("activities:entry", args=[plan.slug, first.code])).content.decode()
    assert f">{first} (indsendt)</option>" in page
    assert f">{second} ({len(pairs) - 1} ikke påbegyndt, 1 i kladde, for sent)</option>" in page
