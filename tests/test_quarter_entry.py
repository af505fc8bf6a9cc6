"""The quarterly entry page: a reporter records, saves and submits a quarter, and bad input
is refused at the field with nothing saved."""

import pytest
from django.urls import reverse

from activities.models import Activity, Metric, QuarterlyCount, QuarterReport
from activities.services import approve_reports
from agreements.models import HousingArea
from lib.periods import Quarter

from .page_forms import form_fields

Q1_2018 = Quarter(2018, 1)


def entry_url(quarter: Quarter = Q1_2018, **query) -> str:
    url = reverse(
        "activities:entry", kwargs={"plan": "slagelse-2017-2021", "quarter": quarter.code}
    )
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def motalavej():
    return HousingArea.objects.get(code="motalavej")


def metric(name: str) -> Metric:
    return Metric.objects.get(name=name, activity__subagreement__plan__slug="slagelse-2017-2021")


def field(name: str, area=None) -> str:
    return f"c_{metric(name).pk}_{(area or motalavej()).pk}"


def activity_field(prefix: str, activity: Activity, area=None) -> str:
    return f"{prefix}_{activity.pk}_{(area or motalavej()).pk}"


@pytest.fixture
def coordinator(client, coordinator_motalavej):
    client.force_login(coordinator_motalavej)
    return coordinator_motalavej


def loaded_form(client, url=None) -> dict[str, str]:
    response = client.get(url or entry_url())
    assert response.status_code == 200
    return form_fields(response)


def filled(fields: dict[str, str], value: str = "3") -> dict[str, str]:
    """Every count of the form filled in and every activity marked on track."""
    data = {name: value if name.startswith("c_") else typed for name, typed in fields.items()}
    for name in [n for n in data if n.startswith("rev_")]:
        data["progress_" + name.removeprefix("rev_")] = "on_track"
    return data


def test_it_shows_the_coordinator_only_the_activities_of_their_area(client, coordinator):
    fields = loaded_form(client)
    areas = {int(name.rsplit("_", 1)[1]) for name in fields if name.startswith("c_")}
    assert areas == {motalavej().pk}
    expected = Metric.objects.filter(
        activity__areas=motalavej(), activity__municipality_responsible=False
    ).count()
    assert sum(name.startswith("c_") for name in fields) == expected


def test_it_saves_a_draft_and_records_who(client, coordinator):
    data = loaded_form(client)
    data[field("Aktive frivillige")] = "12"
    data[field("Tryghedsvandringer")] = "1"
    response = client.post(entry_url(), {**data, "action": "save"})
    assert response.status_code == 302
    count = QuarterlyCount.objects.get(metric=metric("Aktive frivillige"), area=motalavej())
    assert (count.year, count.quarter, count.value) == (2018, 1, 12)
    assert count.history.get().history_user == coordinator
    report = QuarterReport.objects.get(
        activity=metric("Aktive frivillige").activity, area=motalavej()
    )
    assert report.status == QuarterReport.Status.DRAFT
    assert report.revision == 1
    # Activities nobody touched stay missing: no empty reports are made.
    assert QuarterReport.objects.count() == 2


def test_it_submits_a_complete_quarter(client, coordinator):
    data = filled(loaded_form(client))
    response = client.post(entry_url(), {**data, "action": "submit"})
    assert response.status_code == 302
    reports = QuarterReport.objects.filter(area=motalavej(), year=2018, quarter=1)
    assert reports.count() == len([n for n in data if n.startswith("rev_")])
    assert {r.status for r in reports} == {QuarterReport.Status.SUBMITTED}
    assert {r.submitted_by for r in reports} == {coordinator}


def test_submitting_needs_every_number_and_status(client, coordinator):
    data = filled(loaded_form(client))
    data[field("Aktive frivillige")] = ""
    progress = activity_field("progress", metric("Tryghedsvandringer").activity)
    del data[progress]
    response = client.post(entry_url(), {**data, "action": "submit"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Udfyld antallet, før du indsender" in page
    assert 'id="error-summary"' in page
    assert QuarterlyCount.objects.count() == 0
    assert QuarterReport.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "Et antal kan ikke være negativt."),
        ("abc", "Skriv et helt tal, fx 12."),
        ("1,5", "Skriv et helt tal, fx 12."),
        ("2.5", "Skriv et helt tal, fx 12."),
    ],
)
def test_it_refuses_counts_that_are_not_whole_numbers_of_zero_or_more(
    client, coordinator, typed, message
):
    data = loaded_form(client)
    data[field("Tryghedsvandringer")] = "2"
    data[field("Aktive frivillige")] = typed
    response = client.post(entry_url(), {**data, "action": "save"})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field("Aktive frivillige")}"' in page
    assert QuarterlyCount.objects.count() == 0


def test_it_reads_thousands_written_the_danish_way(client, coordinator):
    data = loaded_form(client)
    data[field("Borgere, der deltager i tværgående arrangementer")] = "1.200"
    assert client.post(entry_url(), {**data, "action": "save"}).status_code == 302
    assert QuarterlyCount.objects.get().value == 1200


def test_a_numerator_cannot_exceed_its_denominator(client, coordinator):
    data = loaded_form(client)
    data[field("Formidlede fritidsjob")] = "4"
    data[field("Fritidsjob fastholdt i mindst 2 måneder")] = "5"
    response = client.post(entry_url(), {**data, "action": "save"})
    assert response.status_code == 200
    assert "Kan ikke være flere end »Formidlede fritidsjob« (4)." in response.content.decode()
    assert QuarterlyCount.objects.count() == 0


def test_a_quarter_outside_the_plan_is_refused_with_a_message(client, coordinator):
    response = client.get(entry_url(Quarter(2017, 3)))
    assert response.status_code == 404
    page = response.content.decode()
    assert (
        "Kvartalet ligger uden for planens periode (4. kvartal 2017 til 3. kvartal 2021)." in page
    )
    assert 'href="#kvartal"' in page
    assert client.post(entry_url(Quarter(2022, 1)), {"action": "save"}).status_code == 404
    assert QuarterReport.objects.count() == 0


def test_a_link_that_is_no_quarter_is_not_found(client, coordinator):
    url = reverse("activities:entry", kwargs={"plan": "slagelse-2017-2021", "quarter": "2018Q5"})
    assert client.get(url).status_code == 404


def test_the_default_quarter_is_the_one_just_ended_within_the_plan(plan):
    import datetime

    assert plan.reporting_quarter(datetime.date(2018, 5, 3)) == Quarter(2018, 1)
    assert plan.reporting_quarter(datetime.date(2017, 1, 1)) == Quarter(2017, 4)
    assert plan.reporting_quarter(datetime.date(2026, 11, 26)) == Quarter(2021, 3)


def test_an_activity_the_user_does_not_report_is_refused(client, coordinator):
    data = loaded_form(client)
    data[field("Tryghedsvandringer")] = "1"
    sydbyen = HousingArea.objects.get(code="sydbyen")
    data[field("Tryghedsvandringer", sydbyen)] = "4"
    response = client.post(entry_url(), {**data, "action": "save"})
    assert response.status_code == 200
    assert "en aktivitet eller et boligområde, du ikke indberetter for" in response.content.decode()
    assert QuarterlyCount.objects.count() == 0


def test_a_locked_quarter_cannot_be_changed(client, coordinator, secretariat):
    data = filled(loaded_form(client))
    client.post(entry_url(), {**data, "action": "submit"})
    walk = QuarterReport.objects.get(activity=metric("Tryghedsvandringer").activity)
    approve_reports(
        plan=walk.activity.subagreement.plan,
        quarter=walk.period,
        chosen={walk.pk: walk.revision},
        by=secretariat,
    )
    data = loaded_form(client)
    assert field("Tryghedsvandringer") not in data  # disabled on the page
    data[field("Tryghedsvandringer")] = "9"
    response = client.post(entry_url(), {**data, "action": "save"})
    assert response.status_code == 200
    assert "er godkendt og låst" in response.content.decode()
    assert QuarterlyCount.objects.get(metric=metric("Tryghedsvandringer")).value == 3


def test_a_form_someone_else_saved_meanwhile_is_not_saved_over(client, coordinator, secretariat):
    stale = loaded_form(client)
    other = loaded_form(client)
    other[field("Tryghedsvandringer")] = "2"
    assert client.post(entry_url(), {**other, "action": "save"}).status_code == 302
    stale[field("Tryghedsvandringer")] = "7"
    stale[field("Aktive frivillige")] = "11"
    response = client.post(entry_url(), {**stale, "action": "save"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nogen anden har gemt" in page
    assert "Du skrev: 7" in page
    assert QuarterlyCount.objects.get().value == 2


def test_a_form_that_leaves_out_its_revisions_is_never_saved_over_a_newer_save(
    client, coordinator, secretariat
):
    stale = loaded_form(client)
    other = loaded_form(client)
    other[field("Tryghedsvandringer")] = "2"
    assert client.post(entry_url(), {**other, "action": "save"}).status_code == 302
    # Without its revisions the form cannot be checked against the newer save: refused.
    stale = {name: value for name, value in stale.items() if not name.startswith("rev_")}
    stale[field("Tryghedsvandringer")] = "7"
    response = client.post(entry_url(), {**stale, "action": "save"})
    assert response.status_code == 200
    assert "Nogen anden har gemt" in response.content.decode()
    assert QuarterlyCount.objects.get().value == 2
    assert QuarterReport.objects.get().revision == 1


@pytest.mark.parametrize("revision", ["", "²", "١", "-1", "1.0", "9" * 20, "9" * 5000])
def test_a_revision_that_is_missing_or_damaged_saves_nothing(client, coordinator, revision):
    data = loaded_form(client)
    name = activity_field("rev", metric("Tryghedsvandringer").activity)
    data[field("Tryghedsvandringer")] = "4"
    data[name] = revision
    response = client.post(entry_url(), {**data, "action": "save"})
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Nogen anden har gemt" in page
        if revision == ""
        else "Formularen er beskadiget; indlæs siden igen." in page
    )
    assert QuarterlyCount.objects.count() == 0
    assert QuarterReport.objects.count() == 0


def test_changes_after_submission_need_a_reason_and_are_shown(client, coordinator):
    data = filled(loaded_form(client))
    client.post(entry_url(), {**data, "action": "submit"})
    data = loaded_form(client)
    data[field("Tryghedsvandringer")] = "4"
    response = client.post(entry_url(), {**data, "action": "save"})
    assert response.status_code == 200
    assert "Skriv hvorfor" in response.content.decode()
    assert QuarterlyCount.objects.get(metric=metric("Tryghedsvandringer")).value == 3
    data["reason"] = "Tastefejl: der var fire vandringer"
    assert client.post(entry_url(), {**data, "action": "save"}).status_code == 302
    count = QuarterlyCount.objects.get(metric=metric("Tryghedsvandringer"))
    assert count.value == 4
    latest = count.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        coordinator,
        "Tastefejl: der var fire vandringer",
    )
    page = client.get(entry_url()).content.decode()
    assert "3 → 4" in page
    assert "Tastefejl: der var fire vandringer" in page
    # Still submitted: a correction does not take the report back to draft.
    assert QuarterReport.objects.get(activity=count.metric.activity).status == "submitted"


def test_a_number_far_outside_the_history_must_be_confirmed(client, coordinator):
    volunteers = metric("Aktive frivillige")
    for number, value in ((4, 20), (1, 25)):
        year = 2017 if number == 4 else 2018
        QuarterlyCount.objects.create(
            metric=volunteers, area=motalavej(), year=year, quarter=number, value=value
        )
    data = loaded_form(client, entry_url(Quarter(2018, 2)))
    data[field("Aktive frivillige")] = "250"
    response = client.post(entry_url(Quarter(2018, 2)), {**data, "action": "save"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "250 er langt over" in page
    assert not QuarterlyCount.objects.filter(quarter=2, year=2018).exists()
    data["confirm"] = "on"
    response = client.post(entry_url(Quarter(2018, 2)), {**data, "action": "save"})
    assert response.status_code == 302
    assert QuarterlyCount.objects.get(year=2018, quarter=2).value == 250


def test_last_quarter_and_the_year_so_far_stand_beside_each_number(client, coordinator):
    walks = metric("Tryghedsvandringer")
    QuarterlyCount.objects.create(metric=walks, area=motalavej(), year=2018, quarter=1, value=1)
    QuarterlyCount.objects.create(metric=walks, area=motalavej(), year=2018, quarter=2, value=2)
    page = client.get(entry_url(Quarter(2018, 3))).content.decode()
    row = page[page.index(f'id="id_{field("Tryghedsvandringer")}"') :]
    row = row[: row.index("</tr>")]
    cells = [part.split("</td>")[0].strip() for part in row.split('<td class="num">')[1:]]
    # The year so far says whose it is: the area's, as the number beside it.
    assert cells == ["2", "3 i Motalavej"]
    assert "mindst 1" in row


def test_the_secretariat_reports_every_activity_in_every_area(client, secretariat):
    client.force_login(secretariat)
    fields = loaded_form(client)
    expected = sum(
        activity.metrics.count() * activity.areas.count()
        for activity in Activity.objects.filter(subagreement__plan__slug="slagelse-2017-2021")
    )
    assert sum(name.startswith("c_") for name in fields) == expected
    narrowed = loaded_form(client, entry_url(omraade="motalavej"))
    assert {name.rsplit("_", 1)[1] for name in narrowed if name.startswith("c_")} == {
        str(motalavej().pk)
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [("board_member", 403), ("lbf_user", 403), ("outsider", 404), ("coordinator_sydbyen", 200)],
)
def test_only_reporters_open_the_entry_page(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(entry_url()).status_code == status
    assert client.post(entry_url(), {"action": "save"}).status_code in (status, 302)


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(entry_url())
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
