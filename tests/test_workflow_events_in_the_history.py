"""The workflow's events stand in the history of what they concern, with who and when: a
quarter's report submitted, approved and reopened (with the reason), a version of a delaftale
approved, and a share link created, revoked and used. The report's quarter and housing area
are always there in full."""

import datetime
import re

import pytest
from django.urls import reverse

from activities.models import Activity, QuarterReport
from agreements.models import Role, ShareLink, Subagreement
from tests.test_audit_history import activity_changes, change_rows, subagreement_changes

from .test_quarter_entry import entry_url, filled, loaded_form

pytestmark = pytest.mark.django_db

WALKS = "Tryghedsvandringer"
REOPENED = "Antallet af vandringer er talt dobbelt"


@pytest.fixture
def keeper(make_user, plan):
    return make_user("sara", Role.SECRETARIAT, plan, first_name="Sara", last_name="Holm")


@pytest.fixture
def walks(plan) -> Activity:
    return Activity.objects.get(subagreement__plan=plan, name=WALKS)


def submit_motalavej(client, coordinator) -> QuarterReport:
    client.force_login(coordinator)
    data = filled(loaded_form(client))
    assert client.post(entry_url(), {**data, "action": "submit"}).status_code == 302
    return QuarterReport.objects.get(activity__name=WALKS, area__code="motalavej")


def approve(client, keeper, report: QuarterReport) -> None:
    client.force_login(keeper)
    url = reverse(
        "activities:approve",
        kwargs={"plan": report.activity.subagreement.plan.slug, "quarter": "2018K1"},
    )
    response = client.post(url, {"report": f"{report.pk}:{report.revision}"})
    assert response.status_code == 302


def reopen(client, keeper, report: QuarterReport) -> None:
    report.refresh_from_db()
    client.force_login(keeper)
    url = reverse(
        "activities:reopen",
        kwargs={"plan": report.activity.subagreement.plan.slug, "report": report.pk},
    )
    response = client.post(url, {"reason": REOPENED, "revision": report.revision})
    assert response.status_code == 302


def report_rows(rows: list[list[str]]) -> list[list[str]]:
    """The rows about the walks' report on Motalavej, oldest first, without the time."""
    subject = f"Kvartalsindberetning: {WALKS}, Motalavej, 1. kvartal 2018"
    return [row[1:] for row in reversed(rows) if row[2] == subject]


def test_submitting_approving_and_reopening_show_on_the_activitys_and_subagreements_pages(
    client, keeper, coordinator_motalavej, walks, plan
):
    report = submit_motalavej(client, coordinator_motalavej)
    approve(client, keeper, report)
    reopen(client, keeper, report)

    client.force_login(keeper)
    subject = f"Kvartalsindberetning: {WALKS}, Motalavej, 1. kvartal 2018"
    for page in (activity_changes(walks), subagreement_changes(plan, "kriminalitet")):
        rows = change_rows(client.get(page))
        assert re.fullmatch(r"\d+\. \w+ \d{4} \d\d:\d\d", rows[0][0])
        events = report_rows(rows)
        assert [row[:5] for row in events if row[2] != "Virker aktiviteten efter hensigten?"] == [
            ["koordinator-motalavej", subject, "Indsendt", "–", "indsendt"],
            ["Sara Holm", subject, "Godkendt", "indsendt", "godkendt"],
            ["Sara Holm", subject, "Genåbnet", "godkendt", "kladde"],
        ]
        assert events[-1][-1] == REOPENED


def test_a_coordinator_reads_the_events_of_their_own_areas_only(
    client, keeper, coordinator_motalavej, coordinator_sydbyen, walks
):
    submit_motalavej(client, coordinator_motalavej)
    client.force_login(coordinator_motalavej)
    assert any("Indsendt" in row for row in change_rows(client.get(activity_changes(walks))))
    client.force_login(coordinator_sydbyen)
    rows = change_rows(client.get(activity_changes(walks)))
    assert not any("Motalavej" in " ".join(row) for row in rows)


def test_the_quarter_and_the_area_are_never_cut_off(client, keeper, coordinator_motalavej, walks):
    """A long activity name and a long metric name leave the quarter and the area whole."""
    walks.name = "Tryghedsvandringer " + "med beboere, boligselskab, politi og kommune " * 4
    walks.save()
    metric = walks.metrics.get()
    metric.name = "Antal gennemførte tryghedsvandringer med mindst fem deltagende beboere"
    metric.save()
    client.force_login(coordinator_motalavej)
    data = filled(loaded_form(client))
    assert client.post(entry_url(), {**data, "action": "save"}).status_code == 302
    client.force_login(keeper)
    rows = change_rows(client.get(activity_changes(walks)))
    count = next(row for row in rows if row[2].startswith("Kvartalstal:"))
    assert count[2].endswith(", Motalavej, 1. kvartal 2018")
    assert metric.name in count[2] and walks.name.strip() in count[2]


def test_an_approved_version_is_listed_with_who_when_and_the_boards_note(client, keeper, plan):
    subagreement = Subagreement.objects.with_versions().get(plan=plan, focus_area__code="tryghed")
    subagreement.revision += " Revideres hvert år."
    subagreement.save()
    from agreements.models import content_digest

    subagreement.approve_version(
        decided_on=datetime.date(2019, 3, 4),
        note="Bestyrelsesmøde 4. marts 2019",
        by=keeper,
        based_on=subagreement.current_version.number,
        draft_digest=content_digest(subagreement.content()),
    )
    client.force_login(keeper)
    row = change_rows(client.get(subagreement_changes(plan, "tryghed")))[0]
    assert row[1:] == [
        "Sara Holm",
        "Version af en delaftale: Version 2",
        "Godkendt af bestyrelsen",
        "–",
        "4. marts 2019",
        "Bestyrelsesmøde 4. marts 2019",
    ]


def test_a_share_link_created_used_and_revoked_is_listed_on_each_subagreements_page(
    client, keeper, plan
):
    client.force_login(keeper)
    url = reverse("agreements:share_links", args=[plan.slug])
    assert client.post(url, {"note": "LBF's sagsbehandler", "days": "30"}).status_code == 302
    link = ShareLink.objects.get(plan=plan)
    versions = list(plan.subagreements.get(focus_area__code="tryghed").versions.all())
    link.log_download(versions)  # what the link's PDF download records
    revoke = reverse("agreements:revoke_share_link", args=[plan.slug, link.pk])
    assert client.post(revoke).status_code == 302

    rows = [row[1:5] for row in change_rows(client.get(subagreement_changes(plan, "tryghed")))]
    assert rows[:3] == [
        ["Sara Holm", "Delingslink: LBF's sagsbehandler", "Tilbagekaldt", "–"],
        ["Landsbyggefonden via linket", "Delingslink: LBF's sagsbehandler", "Hentet", "–"],
        ["Sara Holm", "Delingslink: LBF's sagsbehandler", "Oprettet", "–"],
    ]
    # Another delaftale lists the link but not a download that did not serve it.
    other = [row[3] for row in change_rows(client.get(subagreement_changes(plan, "kriminalitet")))]
    assert "Oprettet" in other and "Tilbagekaldt" in other and "Hentet" not in other
