"""The secretariat sees who has reported a quarter, approves (locking) and reopens reports."""

import re

import pytest
from django.urls import reverse

from activities.models import Activity, QuarterReport
from activities.services import approve_reports
from agreements.models import HousingArea
from lib.periods import Quarter

from .test_quarter_entry import entry_url, filled, loaded_form

PLAN = "slagelse-2017-2021"


Q1_2018 = Quarter(2018, 1)


def overview_url(quarter=Q1_2018):
    return reverse("activities:completeness", kwargs={"plan": PLAN, "quarter": quarter.code})


def approve_url(quarter=Q1_2018):
    return reverse("activities:approve", kwargs={"plan": PLAN, "quarter": quarter.code})


def shown(page) -> dict[str, list[str]]:
    """The submitted reports the overview showed, each with the revision it showed, as the
    page sends them with "approve all"."""
    return {"shown": re.findall(r'name="shown" value="([^"]+)"', page.content.decode())}


@pytest.fixture
def submitted_motalavej(client, coordinator_motalavej):
    """Motalavej's coordinator submits 1. kvartal 2018 in full."""
    client.force_login(coordinator_motalavej)
    data = filled(loaded_form(client))
    assert client.post(entry_url(), {**data, "action": "submit"}).status_code == 302
    client.logout()
    return QuarterReport.objects.filter(area__code="motalavej")


def test_it_counts_each_activity_and_area_by_state(client, secretariat, submitted_motalavej):
    pairs = sum(
        activity.areas.count()
        for activity in Activity.objects.filter(subagreement__plan__slug=PLAN)
    )
    client.force_login(secretariat)
    response = client.get(overview_url())
    assert response.status_code == 200
    totals = dict(response.context["completeness"].totals)
    submitted = submitted_motalavej.count()
    assert totals == {
        "missing": pairs - submitted,
        "draft": 0,
        "submitted": submitted,
        "approved": 0,
    }
    page = response.content.decode()
    assert "Mangler" in page and "Indsendt" in page
    # Each cell names who reports it.
    assert "koordinator-motalavej" in page


def test_the_secretariat_approves_the_chosen_reports_and_they_lock(
    client, secretariat, submitted_motalavej
):
    chosen = submitted_motalavej.first()
    client.force_login(secretariat)
    response = client.post(
        approve_url(), {"report": f"{chosen.pk}:{chosen.revision}", "action": "chosen"}
    )
    assert response.status_code == 302
    chosen.refresh_from_db()
    assert chosen.status == "approved" and chosen.approved_by == secretariat
    assert chosen.history.first().history_user == secretariat
    assert submitted_motalavej.filter(status="submitted").count() == submitted_motalavej.count() - 1


def test_approving_all_submitted_reports(client, secretariat, submitted_motalavej):
    client.force_login(secretariat)
    client.post(approve_url(), shown(client.get(overview_url())) | {"action": "all"})
    assert {report.status for report in submitted_motalavej} == {"approved"}


def test_approving_all_leaves_a_report_changed_since_the_page_was_shown(
    client, secretariat, submitted_motalavej
):
    client.force_login(secretariat)
    page = client.get(overview_url())
    changed = submitted_motalavej.first()
    changed.revision += 1  # someone saved a correction meanwhile
    changed.save()
    response = client.post(approve_url(), shown(page) | {"action": "all"}, follow=True)
    changed.refresh_from_db()
    assert changed.status == "submitted"
    assert "blev ændret, efter du åbnede siden" in response.content.decode()
    assert submitted_motalavej.filter(status="approved").count() == submitted_motalavej.count() - 1
    # Without the reports the page showed, "approve all" approves nothing unseen.
    response = client.post(approve_url(), {"action": "all"}, follow=True)
    assert "Formularen er beskadiget" in response.content.decode()
    assert changed.status == "submitted"


def test_a_report_changed_after_the_page_was_shown_is_not_approved(
    client, secretariat, submitted_motalavej
):
    report = submitted_motalavej.first()
    seen = report.revision
    report.revision += 1  # someone saved a correction meanwhile
    report.save()
    client.force_login(secretariat)
    response = client.post(approve_url(), {"report": f"{report.pk}:{seen}"}, follow=True)
    report.refresh_from_db()
    assert report.status == "submitted"
    assert "blev ændret, efter du åbnede siden" in response.content.decode()


def test_reopening_needs_a_reason_and_the_reporter_reads_it(
    client, secretariat, coordinator_motalavej, submitted_motalavej
):
    report = submitted_motalavej.first()
    approve_reports(
        plan=report.activity.subagreement.plan,
        quarter=report.period,
        chosen={report.pk: report.revision},
        by=secretariat,
    )
    report.refresh_from_db()
    client.force_login(secretariat)
    url = reverse("activities:reopen", kwargs={"plan": PLAN, "report": report.pk})
    response = client.post(url, {"reason": "", "revision": report.revision})
    assert response.status_code == 200
    assert "Skriv hvorfor indberetningen genåbnes." in response.content.decode()
    report.refresh_from_db()
    assert report.status == "approved"
    response = client.post(
        url, {"reason": "Antallet af vandringer er talt dobbelt", "revision": report.revision}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "draft"
    assert report.history.first().history_change_reason == "Antallet af vandringer er talt dobbelt"
    client.force_login(coordinator_motalavej)
    page = client.get(entry_url()).content.decode()
    assert "Genåbnet af sekretariatet: Antallet af vandringer er talt dobbelt" in page


def test_the_board_may_look_but_not_approve(client, board_member, submitted_motalavej):
    client.force_login(board_member)
    response = client.get(overview_url())
    assert response.status_code == 200
    assert 'name="report"' not in response.content.decode()
    assert client.post(approve_url(), {"action": "all"}).status_code == 403
    report = submitted_motalavej.first()
    url = reverse("activities:reopen", kwargs={"plan": PLAN, "report": report.pk})
    assert client.get(url).status_code == 403
    assert {r.status for r in submitted_motalavej} == {"submitted"}


@pytest.mark.parametrize(
    ("who", "status"), [("coordinator_motalavej", 403), ("lbf_user", 403), ("outsider", 404)]
)
def test_others_cannot_see_the_overview(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(overview_url()).status_code == status
    assert client.post(approve_url(), {"action": "all"}).status_code == status


def test_a_quarter_outside_the_plan_has_no_overview(client, secretariat):
    client.force_login(secretariat)
    assert client.get(overview_url(Quarter(2022, 1))).status_code == 404


def test_activities_that_do_not_run_in_an_area_have_no_cell(client, secretariat):
    client.force_login(secretariat)
    completeness = client.get(overview_url()).context["completeness"]
    skaelskoer = HousingArea.objects.get(code="skaelskoer")
    column = completeness.areas.index(skaelskoer)
    for activity, cells in completeness.rows:
        runs_there = activity.areas.filter(pk=skaelskoer.pk).exists()
        assert (cells[column] is not None) == runs_there


def test_the_front_page_links_open_the_quarter_just_ended(client, secretariat):
    client.force_login(secretariat)
    start = reverse("activities:completeness_start", kwargs={"plan": PLAN})
    response = client.get(start + "?kvartal=2019K2")
    assert response["Location"] == overview_url(Quarter(2019, 2))
    # After the plan has ended, its last quarter.
    assert client.get(start)["Location"] == overview_url(Quarter(2021, 3))
    entry = reverse("activities:entry_start", kwargs={"plan": PLAN})
    assert client.get(entry)["Location"] == entry_url(Quarter(2021, 3))
    assert client.get(entry + "?kvartal=2018K1&omraade=motalavej")["Location"] == entry_url(
        Quarter(2018, 1), omraade="motalavej"
    )
